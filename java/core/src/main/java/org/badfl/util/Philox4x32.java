package org.badfl.util;

/**
 * Philox4x32-10 counter-based generator (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011). Output block = f(key, counter): no state, so any element of a random stream can be computed
 * on any thread (or GPU thread, kernels/noise.cu) and the stream never depends on how the work is split.
 */
public final class Philox4x32 {

    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;

    private Philox4x32() {
    }

    /**
     * Ten rounds of Philox on counter (c0..c3) with key (k0, k1); writes 4 words into {@code out[outOff..+3]}.
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out, int outOff) {
        for (int r = 0; r < 10; r++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32);
            int lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32);
            int lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        out[outOff] = c0;
        out[outOff + 1] = c1;
        out[outOff + 2] = c2;
        out[outOff + 3] = c3;
    }

    /** Uniform in (0, 1) from a 32-bit word: (x + 0.5)·2⁻³², never 0 or 1. */
    public static double uniform(int word) {
        return ((word & 0xFFFFFFFFL) + 0.5) * 0x1.0p-32;
    }
}
