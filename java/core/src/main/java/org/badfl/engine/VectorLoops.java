package org.badfl.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of {@link Loops} (same results, bit for bit). Loaded only when the vector path runs.
 * Only the preferred float species is used, as in the GEMM kernels: a second species in the same JVM makes the
 * shared Vector API methods' type profiles polymorphic and C2 stops intrinsifying them. For the same reason
 * NaN is tested as {@code x != x}: {@code test(IS_NAN)} goes through an int species (and was seen boxing every
 * vector). Tails shorter than a vector run the scalar loop.
 */
final class VectorLoops {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    /** Lane i takes lane 2i (mod VL): the even lanes of a vector pair, once blended by UPPER. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> (2 * i) % VL);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> (2 * i + 1) % VL);
    private static final VectorMask<Float> UPPER = VectorMask.fromLong(S, -1L << (VL / 2));

    private VectorLoops() {
    }

    /**
     * For n >= VL: whole vectors from the front, and one more ending exactly at n that overlaps the last of them;
     * that one is computed before anything is stored, so its overlapping lanes hold the same sums.
     */
    static void addTo(float[] dst, int dOff, float[] src, int sOff, int n) {
        if (n < VL) {
            Loops.addToScalar(dst, dOff, src, sOff, n);
            return;
        }
        int tail = n - VL;
        FloatVector last = FloatVector.fromArray(S, dst, dOff + tail).add(FloatVector.fromArray(S, src, sOff + tail));
        for (int i = 0; i <= tail; i += VL) {
            FloatVector.fromArray(S, dst, dOff + i).add(FloatVector.fromArray(S, src, sOff + i)).intoArray(dst, dOff + i);
        }
        last.intoArray(dst, dOff + tail);
    }

    /** For n >= VL: whole vectors from the front, the last one ending exactly at n (a copy may overlap itself). */
    static void copy(float[] src, int sOff, float[] dst, int dOff, int n) {
        if (n < VL) {
            System.arraycopy(src, sOff, dst, dOff, n);
            return;
        }
        int tail = n - VL;
        for (int i = 0; i < tail; i += VL) {
            FloatVector.fromArray(S, src, sOff + i).intoArray(dst, dOff + i);
        }
        FloatVector.fromArray(S, src, sOff + tail).intoArray(dst, dOff + tail);
    }

    static void addScalar(float[] dst, int dOff, float value, int n) {
        int i = 0;
        for (; i <= n - VL; i += VL) {
            FloatVector.fromArray(S, dst, dOff + i).add(value).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] += value;
        }
    }

    static void sum(float[] a, float[] b, float[] out, int start, int end) {
        int i = start;
        for (; i <= end - VL; i += VL) {
            FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).intoArray(out, i);
        }
        for (; i < end; i++) {
            out[i] = a[i] + b[i];
        }
    }

    static void product(float[] a, float[] b, float[] out, int start, int end) {
        int i = start;
        for (; i <= end - VL; i += VL) {
            FloatVector.fromArray(S, a, i).mul(FloatVector.fromArray(S, b, i)).intoArray(out, i);
        }
        for (; i < end; i++) {
            out[i] = a[i] * b[i];
        }
    }

    static void scaleShift(float[] in, float[] out, int off, int n, float scale, float shift) {
        int i = off;
        int end = off + n;
        for (; i <= end - VL; i += VL) {
            FloatVector.fromArray(S, in, i).mul(scale).add(shift).intoArray(out, i);
        }
        for (; i < end; i++) {
            out[i] = in[i] * scale + shift;
        }
    }

    static void scale(float[] in, float[] out, int off, int n, float scale) {
        int i = off;
        int end = off + n;
        for (; i <= end - VL; i += VL) {
            FloatVector.fromArray(S, in, i).mul(scale).intoArray(out, i);
        }
        for (; i < end; i++) {
            out[i] = in[i] * scale;
        }
    }

    static void batchNormInputGradient(float[] dy, float[] x, float[] dx, int off, int n, float mu, float is,
                                       float k, float meanDy, float meanDyXhat) {
        int i = off;
        int end = off + n;
        for (; i <= end - VL; i += VL) {
            FloatVector xh = FloatVector.fromArray(S, x, i).sub(mu).mul(is);
            FloatVector.fromArray(S, dy, i).sub(meanDy).sub(xh.mul(meanDyXhat)).mul(k).intoArray(dx, i);
        }
        Loops.batchNormInputGradientScalar(dy, x, dx, i, end - i, mu, is, k, meanDy, meanDyXhat);
    }

    static void relu(float[] in, float[] out, int start, int end) {
        int i = start;
        for (; i <= end - VL; i += VL) {
            FloatVector x = FloatVector.fromArray(S, in, i);
            // Math.max(x, 0f): +0 where x <= 0 (this includes -0), x otherwise (NaN compares false: stays).
            x.blend(0f, x.compare(VectorOperators.LE, 0f)).intoArray(out, i);
        }
        for (; i < end; i++) {
            out[i] = Math.max(in[i], 0f);
        }
    }

    static void reluBackward(float[] in, float[] dOut, float[] dIn, int start, int end) {
        int i = start;
        FloatVector zero = FloatVector.zero(S);
        for (; i <= end - VL; i += VL) {
            VectorMask<Float> positive = FloatVector.fromArray(S, in, i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(S, dOut, i), positive).intoArray(dIn, i);
        }
        Loops.reluBackwardScalar(in, dOut, dIn, i, end);
    }

    static void sgdMomentum(float[] w, float[] g, float[] v, int start, int end, float lr, float mu, float wd) {
        int i = start;
        for (; i <= end - VL; i += VL) {
            FloatVector wi = FloatVector.fromArray(S, w, i);
            FloatVector d = FloatVector.fromArray(S, g, i).add(wi.mul(wd));
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(mu).add(d);
            vi.intoArray(v, i);
            wi.sub(vi.mul(lr)).intoArray(w, i);
        }
        Loops.sgdMomentumScalar(w, g, v, i, end, lr, mu, wd);
    }

    /** Whether {@link #maxPool2x2} can run vectors on an output plane of this size (else the scalar loop). */
    static boolean poolFits(int outH, int outW) {
        return 2 * outW >= VL && outH * outW >= VL;
    }

    /**
     * Two stages on vectors: vertical winners {@code V[oh][x]} of input rows 2oh and 2oh+1 (x < 2 outW; ties:
     * the top row), laid out as one contiguous row-major array; then horizontal winners of the pairs
     * {@code V[oh][2ow], V[oh][2ow+1]}, which are consecutive values of that array, with ties going to the
     * smaller window index. Winner = largest key, then smallest index, so the result is the sequential scan's.
     * Rows (and the last block of outputs) whose length is not a multiple of VL end with a vector overlapping
     * the previous one: it recomputes the same values.
     */
    static void maxPool2x2(float[] in, int inOff, int width, int outH, int outW, float[] out, int[] argmax,
                           int outOff, float[] scratch) {
        int rowLen = 2 * outW;
        int vLen = outH * rowLen;
        // scratch: V values [0, vLen), V codes (0 top, 2 bottom) [vLen, 2 vLen), output codes [2 vLen, ...)
        FloatVector two = FloatVector.broadcast(S, 2f);
        FloatVector zero = FloatVector.zero(S);
        for (int oh = 0; oh < outH; oh++) {
            int top = inOff + 2 * oh * width;
            int v = oh * rowLen;
            for (int x = 0; x < rowLen; x += VL) {
                int at = Math.min(x, rowLen - VL);
                FloatVector a = FloatVector.fromArray(S, in, top + at);
                FloatVector c = FloatVector.fromArray(S, in, top + width + at);
                VectorMask<Float> aNaN = a.compare(VectorOperators.NE, a);
                VectorMask<Float> cNaN = c.compare(VectorOperators.NE, c);
                VectorMask<Float> lower = c.compare(VectorOperators.GT, a).or(cNaN.andNot(aNaN));
                a.blend(c, lower).intoArray(scratch, v + at);
                zero.blend(two, lower).intoArray(scratch, vLen + v + at);
            }
        }
        int outputs = outH * outW;
        int codes = 2 * vLen;
        for (int i = 0; i < outputs; i += VL) {
            int at = Math.min(i, outputs - VL);
            FloatVector lo = FloatVector.fromArray(S, scratch, 2 * at);
            FloatVector hi = FloatVector.fromArray(S, scratch, 2 * at + VL);
            FloatVector left = lo.rearrange(EVEN).blend(hi.rearrange(EVEN), UPPER);
            FloatVector right = lo.rearrange(ODD).blend(hi.rearrange(ODD), UPPER);
            FloatVector cLo = FloatVector.fromArray(S, scratch, vLen + 2 * at);
            FloatVector cHi = FloatVector.fromArray(S, scratch, vLen + 2 * at + VL);
            FloatVector leftCode = cLo.rearrange(EVEN).blend(cHi.rearrange(EVEN), UPPER);
            FloatVector rightCode = cLo.rearrange(ODD).blend(cHi.rearrange(ODD), UPPER).add(1f);
            VectorMask<Float> lNaN = left.compare(VectorOperators.NE, left);
            VectorMask<Float> rNaN = right.compare(VectorOperators.NE, right);
            VectorMask<Float> equal = left.compare(VectorOperators.EQ, right).or(lNaN.and(rNaN));
            VectorMask<Float> rightWins = right.compare(VectorOperators.GT, left).or(rNaN.andNot(lNaN))
                .or(equal.and(rightCode.compare(VectorOperators.LT, leftCode)));
            left.blend(right, rightWins).intoArray(out, outOff + at);
            leftCode.blend(rightCode, rightWins).intoArray(scratch, codes + at);
        }
        // Code q (0 a, 1 b, 2 c, 3 d) -> index in the plane: row by row, no division per output.
        int i = 0;
        for (int oh = 0; oh < outH; oh++) {
            int rowBase = 2 * oh * width;
            int o = outOff + i;
            int src = codes + i;
            for (int ow = 0; ow < outW; ow++) {
                int q = (int) scratch[src + ow];
                argmax[o + ow] = rowBase + (q >> 1) * width + 2 * ow + (q & 1);
            }
            i += outW;
        }
    }
}
