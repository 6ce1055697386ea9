package org.badfl.engine;

import org.badfl.engine.gemm.Gemm;

/**
 * The layers' hot element-wise loops, each in two implementations with bit-identical results: plain Java, and
 * the Vector API ({@code VectorLoops}) where the {@code jdk.incubator.vector} module is present. HotSpot's
 * auto-vectoriser leaves these loops scalar (two arrays with independent offsets, short rows, selections on
 * the data), and branches on the sign of activations mispredict half the time; the vector versions use lane
 * masks instead.
 * <p>The vector path is used exactly when GEMM uses its vector path ({@link Gemm#defaultPath()}: module
 * present, system property {@code badfl.gemm} not {@code scalar}). {@code VectorLoops} is only loaded when
 * one of its methods first runs, so the scalar path never loads a Vector API class. Every operation is exact
 * or the same sequence of float operations in both versions (no fused multiply-add), so which path runs never
 * changes a result; tests compare the two on special values (NaN, signed zeros, infinities).
 */
final class Loops {

    /** Whether the Vector API versions run. */
    static final boolean VECTOR = Gemm.defaultPath() == Gemm.Path.VECTOR;

    /** Bits of +infinity: the positive floats (and +inf) are the int bit patterns 1 .. this. */
    private static final int POSITIVE_INFINITY_BITS = 0x7F800000;

    private Loops() {
    }

    /** {@code dst[dOff + i] += src[sOff + i]} for i in [0, n); the ranges must not overlap. */
    static void addTo(float[] dst, int dOff, float[] src, int sOff, int n) {
        if (VECTOR) {
            VectorLoops.addTo(dst, dOff, src, sOff, n);
        } else {
            addToScalar(dst, dOff, src, sOff, n);
        }
    }

    static void addToScalar(float[] dst, int dOff, float[] src, int sOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dOff + i] += src[sOff + i];
        }
    }

    /**
     * {@code dst[dOff + i] = src[sOff + i]} for i in [0, n), for short rows (im2col): the vector version beats
     * {@code System.arraycopy}'s call overhead on rows of a few dozen floats. The ranges must not overlap.
     */
    static void copy(float[] src, int sOff, float[] dst, int dOff, int n) {
        if (VECTOR) {
            VectorLoops.copy(src, sOff, dst, dOff, n);
        } else {
            System.arraycopy(src, sOff, dst, dOff, n);
        }
    }

    /** {@code dst[dOff + i] += value} for i in [0, n). */
    static void addScalar(float[] dst, int dOff, float value, int n) {
        if (VECTOR) {
            VectorLoops.addScalar(dst, dOff, value, n);
        } else {
            addScalarScalar(dst, dOff, value, n);
        }
    }

    static void addScalarScalar(float[] dst, int dOff, float value, int n) {
        for (int i = 0; i < n; i++) {
            dst[dOff + i] += value;
        }
    }

    /** {@code out[i] = a[i] + b[i]} for i in [start, end). */
    static void sum(float[] a, float[] b, float[] out, int start, int end) {
        if (VECTOR) {
            VectorLoops.sum(a, b, out, start, end);
        } else {
            sumScalar(a, b, out, start, end);
        }
    }

    static void sumScalar(float[] a, float[] b, float[] out, int start, int end) {
        for (int i = start; i < end; i++) {
            out[i] = a[i] + b[i];
        }
    }

    /** {@code out[i] = a[i] * b[i]} for i in [start, end). */
    static void product(float[] a, float[] b, float[] out, int start, int end) {
        if (VECTOR) {
            VectorLoops.product(a, b, out, start, end);
        } else {
            productScalar(a, b, out, start, end);
        }
    }

    static void productScalar(float[] a, float[] b, float[] out, int start, int end) {
        for (int i = start; i < end; i++) {
            out[i] = a[i] * b[i];
        }
    }

    /** {@code out[off + i] = in[off + i] * scale + shift} for i in [0, n) (product rounded, then sum). */
    static void scaleShift(float[] in, float[] out, int off, int n, float scale, float shift) {
        if (VECTOR) {
            VectorLoops.scaleShift(in, out, off, n, scale, shift);
        } else {
            scaleShiftScalar(in, out, off, n, scale, shift);
        }
    }

    static void scaleShiftScalar(float[] in, float[] out, int off, int n, float scale, float shift) {
        for (int i = off; i < off + n; i++) {
            out[i] = in[i] * scale + shift;
        }
    }

    /** {@code out[off + i] = in[off + i] * scale} for i in [0, n). */
    static void scale(float[] in, float[] out, int off, int n, float scale) {
        if (VECTOR) {
            VectorLoops.scale(in, out, off, n, scale);
        } else {
            scaleScalar(in, out, off, n, scale);
        }
    }

    static void scaleScalar(float[] in, float[] out, int off, int n, float scale) {
        for (int i = off; i < off + n; i++) {
            out[i] = in[i] * scale;
        }
    }

    /**
     * BatchNorm input gradient on [off, off+n), in float: {@code xh = (x - mu) * is;
     * dx = k * ((dy - meanDy) - xh * meanDyXhat)}, each operation rounded separately.
     */
    static void batchNormInputGradient(float[] dy, float[] x, float[] dx, int off, int n, float mu, float is,
                                       float k, float meanDy, float meanDyXhat) {
        if (VECTOR) {
            VectorLoops.batchNormInputGradient(dy, x, dx, off, n, mu, is, k, meanDy, meanDyXhat);
        } else {
            batchNormInputGradientScalar(dy, x, dx, off, n, mu, is, k, meanDy, meanDyXhat);
        }
    }

    static void batchNormInputGradientScalar(float[] dy, float[] x, float[] dx, int off, int n, float mu, float is,
                                             float k, float meanDy, float meanDyXhat) {
        for (int i = off; i < off + n; i++) {
            float xh = (x[i] - mu) * is;
            dx[i] = k * ((dy[i] - meanDy) - xh * meanDyXhat);
        }
    }

    /** ReLU: {@code out[i] = Math.max(in[i], 0f)} for i in [start, end) (NaN stays NaN, -0 becomes +0). */
    static void relu(float[] in, float[] out, int start, int end) {
        if (VECTOR) {
            VectorLoops.relu(in, out, start, end);
        } else {
            reluScalar(in, out, start, end);
        }
    }

    static void reluScalar(float[] in, float[] out, int start, int end) {
        for (int i = start; i < end; i++) {
            out[i] = Math.max(in[i], 0f);
        }
    }

    /** ReLU backward: {@code dIn[i] = in[i] > 0 ? dOut[i] : +0f} for i in [start, end). */
    static void reluBackward(float[] in, float[] dOut, float[] dIn, int start, int end) {
        if (VECTOR) {
            VectorLoops.reluBackward(in, dOut, dIn, start, end);
        } else {
            reluBackwardScalar(in, dOut, dIn, start, end);
        }
    }

    static void reluBackwardScalar(float[] in, float[] dOut, float[] dIn, int start, int end) {
        // Branch-free: keep the bits of dOut where in > 0, i.e. where in's bits, read as an int, lie in
        // [1, +inf] (not -x, +-0 or NaN); else +0.
        for (int i = start; i < end; i++) {
            int v = Float.floatToRawIntBits(in[i]) - 1;
            int keep = ((v - POSITIVE_INFINITY_BITS) & ~v) >> 31;
            dIn[i] = Float.intBitsToFloat(Float.floatToRawIntBits(dOut[i]) & keep);
        }
    }

    /**
     * SGD with momentum on [start, end): {@code d = g + wd*w; v = mu*v + d; w -= lr*v} (each operation rounded
     * separately, as torch.optim.SGD's foreach kernels).
     */
    static void sgdMomentum(float[] w, float[] g, float[] v, int start, int end, float lr, float mu, float wd) {
        if (VECTOR) {
            VectorLoops.sgdMomentum(w, g, v, start, end, lr, mu, wd);
        } else {
            sgdMomentumScalar(w, g, v, start, end, lr, mu, wd);
        }
    }

    static void sgdMomentumScalar(float[] w, float[] g, float[] v, int start, int end, float lr, float mu, float wd) {
        for (int i = start; i < end; i++) {
            float d = g[i] + wd * w[i];
            float vi = mu * v[i] + d;
            v[i] = vi;
            w[i] -= lr * vi;
        }
    }

    /**
     * 2x2, stride 2 max pooling of one channel plane (see {@link MaxPool2d#forwardPlane}): output (oh, ow) is the
     * window value with the largest key, NaN above all numbers and -0 = +0, the earliest in row-major window
     * order on ties; {@code argmax} gets its index within the plane. {@code scratch}: at least
     * {@link #poolScratch(int, int)} floats.
     */
    static void maxPool2x2(float[] in, int inOff, int width, int outH, int outW, float[] out, int[] argmax,
                           int outOff, float[] scratch) {
        if (VECTOR && VectorLoops.poolFits(outH, outW)) {
            VectorLoops.maxPool2x2(in, inOff, width, outH, outW, out, argmax, outOff, scratch);
        } else {
            maxPool2x2Scalar(in, inOff, width, outH, outW, out, argmax, outOff);
        }
    }

    /** Scratch floats {@link #maxPool2x2} needs for an output plane of outH x outW. */
    static int poolScratch(int outH, int outW) {
        return 3 * outH * 2 * outW + outH * outW;
    }

    static void maxPool2x2Scalar(float[] in, int inOff, int width, int outH, int outW, float[] out, int[] argmax,
                                 int outOff) {
        for (int oh = 0; oh < outH; oh++) {
            int row = inOff + 2 * oh * width;
            int o = outOff + oh * outW;
            for (int ow = 0; ow < outW; ow++) {
                int ia = row + 2 * ow;
                // Selections on int masks: a branch on which window value wins mispredicts on real data.
                int mBits = Float.floatToRawIntBits(in[ia]);
                int mKey = poolKey(mBits);
                int best = ia;
                int cBits = Float.floatToRawIntBits(in[ia + 1]);
                int cKey = poolKey(cBits);
                int t = (int) (((long) mKey - cKey) >> 63); // -1 when the candidate's key is larger
                mBits ^= (mBits ^ cBits) & t;
                mKey ^= (mKey ^ cKey) & t;
                best ^= (best ^ (ia + 1)) & t;
                cBits = Float.floatToRawIntBits(in[ia + width]);
                cKey = poolKey(cBits);
                t = (int) (((long) mKey - cKey) >> 63);
                mBits ^= (mBits ^ cBits) & t;
                mKey ^= (mKey ^ cKey) & t;
                best ^= (best ^ (ia + width)) & t;
                cBits = Float.floatToRawIntBits(in[ia + width + 1]);
                cKey = poolKey(cBits);
                t = (int) (((long) mKey - cKey) >> 63);
                mBits ^= (mBits ^ cBits) & t;
                best ^= (best ^ (ia + width + 1)) & t;
                out[o + ow] = Float.intBitsToFloat(mBits);
                argmax[o + ow] = best - inOff;
            }
        }
    }

    /**
     * Integer key ordering floats as max pooling does: numbers by value with -0 = +0, every NaN above all numbers
     * and equal to each other. A later window value replaces the winner iff its key is larger.
     */
    static int poolKey(int bits) {
        int sortable = (bits ^ ((bits >> 31) & 0x7FFFFFFF)) + (bits >>> 31);
        int nan = (POSITIVE_INFINITY_BITS - (bits & 0x7FFFFFFF)) >> 31;
        return (sortable & ~nan) | (Integer.MAX_VALUE & nan);
    }
}
