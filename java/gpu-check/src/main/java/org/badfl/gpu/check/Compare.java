package org.badfl.gpu.check;

import java.util.Locale;

/**
 * Comparisons of device results with Java references, producing {@link CheckFailure}s that say where and by how
 * much. Tolerances take the form {@code tol + |ref|·eps} (per element where the absolute part depends on the
 * element); unwritten outputs are caught because outputs are poisoned with {@link #POISON_BITS} first.
 */
public final class Compare {

    /** Bits every check writes into outputs before a launch (a NaN no kernel produces: kernels' NaN is 0x7fc00000). */
    public static final int POISON_BITS = org.badfl.gpu.DeviceBuffer.POISON_BITS;
    /** Extra elements after every output, poisoned, that a kernel must leave alone. */
    public static final int GUARD = 7;

    private static final int MAX_LISTED = 5;

    private Compare() {
    }

    /** Bit-identical floats, except that any NaN matches any NaN other than the poison. */
    public static void exact(String what, float[] ref, float[] got) {
        sameLength(what, ref.length, got.length);
        StringBuilder s = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < ref.length; i++) {
            int r = Float.floatToRawIntBits(ref[i]);
            int g = Float.floatToRawIntBits(got[i]);
            boolean ok = r == g || (Float.isNaN(ref[i]) && Float.isNaN(got[i]) && g != POISON_BITS);
            if (!ok && bad++ < MAX_LISTED) {
                s.append(String.format(Locale.ROOT, "%n  [%d] expected %s, got %s", i, show(ref[i]), show(got[i])));
            }
        }
        fail(what, bad, ref.length, "differ from the reference bit for bit", s);
    }

    public static void exact(String what, int[] ref, int[] got) {
        sameLength(what, ref.length, got.length);
        StringBuilder s = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < ref.length; i++) {
            if (ref[i] != got[i] && bad++ < MAX_LISTED) {
                s.append(String.format(Locale.ROOT, "%n  [%d] expected %d, got %d%s", i, ref[i], got[i],
                    got[i] == POISON_BITS ? " (poison: never written)" : ""));
            }
        }
        fail(what, bad, ref.length, "differ", s);
    }

    /** |got - ref| <= tol[i] + |ref|·eps for every i; NaN matches NaN (not the poison); infinities must match. */
    public static void close(String what, float[] ref, float[] got, double[] tol, double eps) {
        sameLength(what, ref.length, got.length);
        StringBuilder s = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < ref.length; i++) {
            double allowed = tol[i] + Math.abs((double) ref[i]) * eps;
            if (!closeEnough(ref[i], got[i], allowed) && bad++ < MAX_LISTED) {
                s.append(String.format(Locale.ROOT, "%n  [%d] expected %s, got %s, |diff| %.3g > allowed %.3g", i,
                    show(ref[i]), show(got[i]), Math.abs((double) got[i] - ref[i]), allowed));
            }
        }
        fail(what, bad, ref.length, "are outside tol + |ref|*eps (eps " + eps + ")", s);
    }

    public static void close(String what, float[] ref, float[] got, double tol, double eps) {
        double[] t = new double[ref.length];
        java.util.Arrays.fill(t, tol);
        close(what, ref, got, t, eps);
    }

    /** Doubles: |got - ref| <= tol[i] + |ref|·eps. */
    public static void close(String what, double[] ref, double[] got, double[] tol, double eps) {
        sameLength(what, ref.length, got.length);
        StringBuilder s = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < ref.length; i++) {
            double allowed = tol[i] + Math.abs(ref[i]) * eps;
            boolean ok = Double.isNaN(ref[i]) ? Double.isNaN(got[i])
                : (ref[i] == got[i] || Math.abs(got[i] - ref[i]) <= allowed);
            if (!ok && bad++ < MAX_LISTED) {
                s.append(String.format(Locale.ROOT, "%n  [%d] expected %.17g, got %.17g, |diff| %.3g > allowed %.3g", i,
                    ref[i], got[i], Math.abs(got[i] - ref[i]), allowed));
            }
        }
        fail(what, bad, ref.length, "are outside tol + |ref|*eps (eps " + eps + ")", s);
    }

    /** The guard words after an output still hold the poison. */
    public static void guardIntact(String what, int[] guardBits) {
        for (int i = 0; i < guardBits.length; i++) {
            if (guardBits[i] != POISON_BITS) {
                throw new CheckFailure(what + ": kernel wrote past the end of its output (guard element " + i
                    + " now 0x" + Integer.toHexString(guardBits[i]) + ")");
            }
        }
    }

    private static boolean closeEnough(float ref, float got, double allowed) {
        if (Float.isNaN(ref)) {
            return Float.isNaN(got) && Float.floatToRawIntBits(got) != POISON_BITS;
        }
        if (Float.isInfinite(ref)) {
            return ref == got;
        }
        return Math.abs((double) got - ref) <= allowed;
    }

    private static String show(float v) {
        int bits = Float.floatToRawIntBits(v);
        return String.format(Locale.ROOT, "%.9g (0x%08x)%s", v, bits, bits == POISON_BITS ? " (poison: never written)" : "");
    }

    private static void sameLength(String what, int ref, int got) {
        if (ref != got) {
            throw new CheckFailure(what + ": expected " + ref + " values, got " + got);
        }
    }

    private static void fail(String what, int bad, int total, String how, StringBuilder details) {
        if (bad > 0) {
            throw new CheckFailure(what + ": " + bad + " of " + total + " values " + how + details
                + (bad > MAX_LISTED ? "\n  ..." : ""));
        }
    }
}
