package org.badfl.server.kernels;

import java.util.SplittableRandom;

/** Random update rows for the kernel tests, with the awkward values a kernel must get right. */
final class TestRows {

    private TestRows() {
    }

    /**
     * n rows of length d: mostly Gaussian values of varied scale, with ties, +0 and −0, and a few extreme
     * magnitudes (subnormals, near Float.MAX_VALUE / 4) so that ordering and rounding are exercised.
     */
    static float[][] awkward(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] rows = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                int kind = r.nextInt(40);
                float v;
                if (kind == 0) {
                    v = 0f;
                } else if (kind == 1) {
                    v = -0f;
                } else if (kind == 2 && i > 0) {
                    v = rows[r.nextInt(i)][c]; // a tie with an earlier row
                } else if (kind == 3) {
                    v = (r.nextBoolean() ? 1 : -1) * Float.MIN_VALUE * (1 + r.nextInt(100));
                } else if (kind == 4) {
                    v = (float) ((r.nextBoolean() ? 1 : -1) * Float.MAX_VALUE / 4 * r.nextDouble());
                } else {
                    v = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 4));
                }
                rows[i][c] = v;
            }
        }
        return rows;
    }

    /** n rows of length d of N(0, 1) values (for sums, where extreme magnitudes would only test overflow). */
    static float[][] gaussian(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] rows = new float[n][d];
        for (float[] row : rows) {
            for (int c = 0; c < d; c++) {
                row[c] = (float) r.nextGaussian();
            }
        }
        return rows;
    }

    static void assertBitsEqual(float[] expected, float[] actual, String what) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.length, actual.length, what + ": length");
        for (int c = 0; c < expected.length; c++) {
            if (Float.floatToRawIntBits(expected[c]) != Float.floatToRawIntBits(actual[c])) {
                org.junit.jupiter.api.Assertions.fail(what + ": coordinate " + c + " expected " + expected[c]
                    + " but was " + actual[c]);
            }
        }
    }
}
