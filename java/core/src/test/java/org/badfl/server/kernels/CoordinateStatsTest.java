package org.badfl.server.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.badfl.engine.Compute;
import org.junit.jupiter.api.Test;

/** Both paths equal {@link CoordinateStatsReference} bit for bit (order statistics; same summation order). */
class CoordinateStatsTest {

    private static final int[] ROW_COUNTS = {1, 2, 3, 4, 5, 7, 8, 16, 17, 20, 31, 100, 101};
    /** Tail sizes around the vector width and tile width (16 and 64 lanes on AVX-512, 8/32 on AVX2). */
    private static final int[] DIMENSIONS = {1, 7, 15, 16, 17, 63, 64, 65, 100};

    @Test
    void vectorPathIsTheOneTheTestsRun() {
        assertTrue(VectorSupport.enabled(), "tests run with --add-modules jdk.incubator.vector");
    }

    @Test
    void medianEqualsReferenceOnBothPaths() {
        for (int n : ROW_COUNTS) {
            for (int d : DIMENSIONS) {
                float[][] rows = TestRows.awkward(n, d, 31L * n + d);
                float[] expected = new float[d];
                CoordinateStatsReference.median(rows, expected);
                float[] vector = new float[d];
                CoordinateStatsVector.median(rows, 0, d, vector, Compute.serial());
                TestRows.assertBitsEqual(expected, vector, "vector median n=" + n + " d=" + d);
                float[] scalar = new float[d];
                CoordinateStatsScalar.median(rows, 0, d, scalar, Compute.serial());
                TestRows.assertBitsEqual(expected, scalar, "scalar median n=" + n + " d=" + d);
                float[] facade = new float[d];
                CoordinateStats.median(rows, facade, Compute.serial());
                TestRows.assertBitsEqual(expected, facade, "median n=" + n + " d=" + d);
            }
        }
    }

    @Test
    void trimmedMeanEqualsReferenceOnBothPaths() {
        for (int n : ROW_COUNTS) {
            for (int trim : new int[] {0, 1, n / 10, (n - 1) / 2}) {
                if (2 * trim >= n) {
                    continue;
                }
                for (int d : new int[] {1, 17, 65}) {
                    float[][] rows = TestRows.awkward(n, d, 17L * n + trim + d);
                    float[] expected = new float[d];
                    CoordinateStatsReference.trimmedMean(rows, trim, expected);
                    float[] vector = new float[d];
                    CoordinateStatsVector.trimmedMean(rows, trim, 0, d, vector, Compute.serial());
                    TestRows.assertBitsEqual(expected, vector, "vector trimmed mean n=" + n + " trim=" + trim);
                    float[] scalar = new float[d];
                    CoordinateStatsScalar.trimmedMean(rows, trim, 0, d, scalar, Compute.serial());
                    TestRows.assertBitsEqual(expected, scalar, "scalar trimmed mean n=" + n + " trim=" + trim);
                }
            }
        }
    }

    @Test
    void manyChunksAndSubRangesOnAnyThreadCount() {
        int n = 9;
        int d = 2 * CoordinateStats.CHUNK + 37;
        float[][] rows = TestRows.awkward(n, d, 5);
        float[] expected = new float[d];
        CoordinateStatsReference.median(rows, expected);
        float[] trimmedExpected = new float[d];
        CoordinateStatsReference.trimmedMean(rows, 2, trimmedExpected);
        try (Compute three = Compute.create(3)) {
            for (Compute compute : new Compute[] {Compute.serial(), three}) {
                float[] out = new float[d];
                CoordinateStats.median(rows, out, compute);
                TestRows.assertBitsEqual(expected, out, "median on " + compute.threads() + " threads");
                CoordinateStats.trimmedMean(rows, 2, out, compute);
                TestRows.assertBitsEqual(trimmedExpected, out, "trimmed mean on " + compute.threads() + " threads");
                float[] scalar = new float[d];
                CoordinateStatsScalar.median(rows, 0, d, scalar, compute);
                TestRows.assertBitsEqual(expected, scalar, "scalar median on " + compute.threads() + " threads");
            }
            // A sub-range [from, to) writes only there; its values equal the full run's.
            int from = 1001;
            int to = CoordinateStats.CHUNK + 3001;
            float[] part = new float[d];
            java.util.Arrays.fill(part, 42f);
            CoordinateStats.median(rows, from, to, part, three);
            for (int c = 0; c < d; c++) {
                float want = c >= from && c < to ? expected[c] : 42f;
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(part[c]), "coordinate " + c);
            }
        }
    }

    @Test
    void signedZerosAndTiesFollowArraysSort() {
        // Arrays.sort orders −0.0 before 0.0, so the median of {−0, 0, 0} is 0.0 and of {−0, −0, 0} is −0.0.
        float[][] rows = {{-0f, -0f, 1f}, {0f, -0f, 1f}, {0f, 0f, 1f}};
        float[] out = new float[3];
        CoordinateStats.median(rows, out, Compute.serial());
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(out[0]));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(out[1]));
        assertEquals(1f, out[2]);
        // Even n: the numpy midpoint, computed in double: (1 + 2^-30)/2 rounds to 0.5 in float.
        float[][] even = {{1f}, {(float) Math.scalb(1.0, -30)}};
        CoordinateStats.median(even, out = new float[1], Compute.serial());
        assertEquals((float) ((1.0 + Math.scalb(1.0, -30)) / 2), out[0]);
    }

    @Test
    void rejectsBadInput() {
        float[][] rows = {{1f, 2f}, {3f, 4f}};
        assertThrows(IllegalArgumentException.class, () -> CoordinateStats.median(new float[0][], new float[2], Compute.serial()));
        assertThrows(IllegalArgumentException.class, () -> CoordinateStats.median(rows, new float[3], Compute.serial()));
        assertThrows(IllegalArgumentException.class, () -> CoordinateStats.trimmedMean(rows, 1, new float[2], Compute.serial()));
        assertThrows(IllegalArgumentException.class, () -> CoordinateStats.median(rows, 1, 0, new float[2], Compute.serial()));
    }
}
