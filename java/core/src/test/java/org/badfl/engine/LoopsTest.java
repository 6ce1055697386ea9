package org.badfl.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API versions of the element-wise loops ({@link VectorLoops}) against the plain-Java ones in
 * {@link Loops}: bit for bit (compared as raw int bits, so -0 vs +0 counts; NaN only as NaN), on data full of
 * special values (NaN, signed zeros, infinities, ties), lengths around the vector width and odd offsets. This
 * JVM has the vector module, so both run here; which one the layers use never changes a result.
 */
class LoopsTest {

    private static final float[] SPECIAL = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        1f, -1f, 1f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.intBitsToFloat(0xFFC00001), 3.5f, 3.5f, -2f};

    /** Random values with about a third special ones (and many exact ties). */
    private static float[] data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(3) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) (r.nextInt(9) - 4) / 2f;
        }
        return v;
    }

    /**
     * Equal bits, except that any NaN equals any NaN: Java does not promise to keep NaN payloads through moves
     * and arithmetic (and the Vector API's interpreted fallback does not), so only "is NaN" is meaningful.
     */
    private static void assertBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(expected[i]) && Float.isNaN(actual[i])) {
                continue;
            }
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                what + " at " + i + ": " + expected[i] + " vs " + actual[i]);
        }
    }

    private static final int[] LENGTHS = {0, 1, 7, 15, 16, 17, 31, 32, 33, 47, 100, 1000};

    @Test
    void elementwiseOperationsMatchBitForBit() {
        assertTrue(Loops.VECTOR, "this test JVM should run the vector path (surefire adds the vector module)");
        for (int n : LENGTHS) {
            int off = n % 5;
            float[] a = data(n + off + 3, n);
            float[] b = data(n + off + 3, n + 1000);
            float[] d = data(n + off + 3, n + 2000);
            String at = " (n " + n + ")";

            float[] s1 = a.clone();
            float[] s2 = a.clone();
            Loops.addToScalar(s1, off, b, 3, n);
            VectorLoops.addTo(s2, off, b, 3, n);
            assertBits(s1, s2, "addTo" + at);

            s1 = a.clone();
            s2 = a.clone();
            Loops.addScalarScalar(s1, off, 0.75f, n);
            VectorLoops.addScalar(s2, off, 0.75f, n);
            assertBits(s1, s2, "addScalar" + at);

            s1 = d.clone();
            s2 = d.clone();
            System.arraycopy(a, 1, s1, off, n);
            VectorLoops.copy(a, 1, s2, off, n);
            assertBits(s1, s2, "copy" + at);

            float[] o1 = d.clone();
            float[] o2 = d.clone();
            Loops.sumScalar(a, b, o1, off, off + n);
            VectorLoops.sum(a, b, o2, off, off + n);
            assertBits(o1, o2, "sum" + at);
            Loops.productScalar(a, b, o1, off, off + n);
            VectorLoops.product(a, b, o2, off, off + n);
            assertBits(o1, o2, "product" + at);
            Loops.reluScalar(a, o1, off, off + n);
            VectorLoops.relu(a, o2, off, off + n);
            assertBits(o1, o2, "relu" + at);
            Loops.reluBackwardScalar(a, b, o1, off, off + n);
            VectorLoops.reluBackward(a, b, o2, off, off + n);
            assertBits(o1, o2, "reluBackward" + at);
            Loops.scaleShiftScalar(a, o1, off, n, -1.5f, 0.25f);
            VectorLoops.scaleShift(a, o2, off, n, -1.5f, 0.25f);
            assertBits(o1, o2, "scaleShift" + at);
            Loops.scaleScalar(a, o1, off, n, -1.5f);
            VectorLoops.scale(a, o2, off, n, -1.5f);
            assertBits(o1, o2, "scale" + at);
            Loops.batchNormInputGradientScalar(a, b, o1, off, n, 0.25f, 1.5f, -0.75f, 0.125f, 2f);
            VectorLoops.batchNormInputGradient(a, b, o2, off, n, 0.25f, 1.5f, -0.75f, 0.125f, 2f);
            assertBits(o1, o2, "batchNormInputGradient" + at);

            float[] w1 = a.clone();
            float[] w2 = a.clone();
            float[] v1 = b.clone();
            float[] v2 = b.clone();
            Loops.sgdMomentumScalar(w1, d, v1, off, off + n, 0.1f, 0.9f, 5e-4f);
            VectorLoops.sgdMomentum(w2, d, v2, off, off + n, 0.1f, 0.9f, 5e-4f);
            assertBits(w1, w2, "sgd weights" + at);
            assertBits(v1, v2, "sgd velocity" + at);
        }
    }

    @Test
    void scalarLoopsHaveTheDocumentedSemantics() {
        float[] in = {Float.NaN, -0f, 0f, -1f, 2f, Float.POSITIVE_INFINITY, -Float.MIN_VALUE, Float.MIN_VALUE};
        float[] dOut = {1f, 2f, 3f, 4f, 5f, 6f, 7f, -8f};
        float[] out = new float[in.length];
        Loops.reluScalar(in, out, 0, in.length);
        assertBits(new float[] {Float.NaN, 0f, 0f, 0f, 2f, Float.POSITIVE_INFINITY, 0f, Float.MIN_VALUE}, out, "relu");
        Loops.reluBackwardScalar(in, dOut, out, 0, in.length);
        assertBits(new float[] {0f, 0f, 0f, 0f, 5f, 6f, 0f, -8f}, out, "relu backward");
    }

    /** The sequential definition of 2x2 max pooling (MaxPool2d's general loop with k = s = 2). */
    private static void referencePool(float[] in, int inOff, int width, int outH, int outW, float[] out, int[] arg,
                                      int outOff) {
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int best = 2 * oh * width + 2 * ow;
                float max = in[inOff + best];
                for (int ki = 0; ki < 2; ki++) {
                    for (int kj = 0; kj < 2; kj++) {
                        int idx = (2 * oh + ki) * width + 2 * ow + kj;
                        float v = in[inOff + idx];
                        if (v > max || (v != v && max == max)) {
                            max = v;
                            best = idx;
                        }
                    }
                }
                out[outOff + oh * outW + ow] = max;
                arg[outOff + oh * outW + ow] = best;
            }
        }
    }

    @Test
    void maxPool2x2BothPathsFollowTheSequentialDefinition() {
        // Widths below, at and above the vector path's minimum, odd widths (last column unused), several planes.
        int[][] shapes = {{2, 2}, {4, 6}, {6, 5}, {24, 24}, {16, 16}, {9, 33}, {8, 32}, {32, 34}, {3, 64}};
        float[] scratch = new float[0];
        for (int[] hw : shapes) {
            int h = hw[0];
            int w = hw[1];
            int outH = h / 2;
            int outW = w / 2;
            float[] in = data(3 + h * w, h * 100 + w);
            float[] expected = new float[2 + outH * outW];
            int[] expectedArg = new int[2 + outH * outW];
            referencePool(in, 3, w, outH, outW, expected, expectedArg, 2);
            float[] scalar = new float[expected.length];
            int[] scalarArg = new int[expected.length];
            Loops.maxPool2x2Scalar(in, 3, w, outH, outW, scalar, scalarArg, 2);
            assertBits(expected, scalar, "scalar pool " + h + "x" + w);
            assertArrayEquals(expectedArg, scalarArg, "scalar argmax " + h + "x" + w);
            if (VectorLoops.poolFits(outH, outW)) {
                scratch = Arrays.copyOf(scratch, Math.max(scratch.length, Loops.poolScratch(outH, outW)));
                float[] vector = new float[expected.length];
                int[] vectorArg = new int[expected.length];
                VectorLoops.maxPool2x2(in, 3, w, outH, outW, vector, vectorArg, 2, scratch);
                assertBits(expected, vector, "vector pool " + h + "x" + w);
                assertArrayEquals(expectedArg, vectorArg, "vector argmax " + h + "x" + w);
            }
        }
    }
}
