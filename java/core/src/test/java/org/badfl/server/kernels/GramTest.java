package org.badfl.server.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.engine.gemm.GemmPanels;
import org.junit.jupiter.api.Test;

class GramTest {

    /**
     * Rigorous bound for the vector path: float FMA sums of m = CHUNK/L terms per lane, then lanes in double:
     * |error| ≤ (m + 1)·2⁻²⁴·Σ|x_ic·x_jc| (plus double rounding, covered by the extra 2⁻⁴⁰).
     */
    private static final double VECTOR_EPS =
        (Gram.CHUNK / FloatVector.SPECIES_PREFERRED.length() + 1) * 0x1p-24 + 0x1p-40;
    /** Scalar path: double sums in another order than the reference: ≤ d·2⁻⁵³ relative to Σ|products|. */
    private static final double SCALAR_EPS = 1e-12;

    @Test
    void bothPathsMatchReferenceWithinTheRoundingBound() {
        int[] counts = {1, 2, 3, 4, 5, 7, 8, 9, 13};
        int[] dims = {1, 15, 16, 17, 1027, Gram.CHUNK + 5, 2 * Gram.CHUNK + 33};
        for (int n : counts) {
            for (int d : dims) {
                float[][] rows = TestRows.gaussian(n, d, 1000L * n + d);
                int[] ranges = Gram.all(d);
                check(rows, ranges, GramVector.lowerTriangle(rows, ranges, false, Compute.serial()), VECTOR_EPS, "vector n=" + n + " d=" + d);
                check(rows, ranges, GramScalar.lowerTriangle(rows, ranges, false, Compute.serial()), SCALAR_EPS, "scalar n=" + n + " d=" + d);
            }
        }
    }

    @Test
    void keepsDoubleRangeForHugeTinyAndZeroRows() {
        // Products of 1e25 overflow float and of 1e-25 underflow it; those chunks are recomputed in double.
        int d = Gram.CHUNK + 100;
        float[][] rows = TestRows.gaussian(6, d, 17);
        for (int c = 0; c < d; c++) {
            rows[1][c] *= 1e25f;
            rows[2][c] *= 1e-25f;
            rows[3][c] = 0f;
            if (c < Gram.CHUNK) {
                rows[4][c] *= 1e20f; // huge in the first chunk only
            }
        }
        double[] lower = GramVector.lowerTriangle(rows, Gram.all(d), false, Compute.serial());
        for (double v : lower) {
            assertTrue(Double.isFinite(v));
        }
        check(rows, Gram.all(d), lower, VECTOR_EPS, "vector, extreme magnitudes");
        check(rows, Gram.all(d), GramScalar.lowerTriangle(rows, Gram.all(d), false, Compute.serial()), SCALAR_EPS, "scalar, extreme");
    }

    @Test
    void rangesSelectCoordinatesIncludingEmptyAndRepeatedOnes() {
        float[][] rows = TestRows.gaussian(6, 3 * Gram.CHUNK, 3);
        int[] ranges = {0, 0, 5, 37, 100, Gram.CHUNK + 17, 2 * Gram.CHUNK, 3 * Gram.CHUNK, 10, 12};
        check(rows, ranges, GramVector.lowerTriangle(rows, ranges, false, Compute.serial()), VECTOR_EPS, "vector ranges");
        check(rows, ranges, GramScalar.lowerTriangle(rows, ranges, false, Compute.serial()), SCALAR_EPS, "scalar ranges");
        double[] empty = Gram.compute(rows, new int[0], Compute.serial());
        assertArrayEquals(new double[36], empty);
    }

    @Test
    void symmetricFullMatrixAndNoRows() {
        float[][] rows = TestRows.gaussian(5, 300, 9);
        double[] g = Gram.compute(rows, Gram.all(300), Compute.serial());
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                assertEquals(g[i * 5 + j], g[j * 5 + i]);
            }
        }
        assertEquals(0, Gram.compute(new float[0][], Gram.all(0), Compute.serial()).length);
        assertEquals(0, Gram.compute(new float[0][], Gram.all(10), Compute.serial()).length); // empty round
        assertEquals(0, RowDots.dots(new float[0][], new float[10], Gram.all(10), Compute.serial()).length);
    }

    /** GEMM path: float FMA chains of ≤ SLICE terms per slice, slices added in double. */
    private static final double GEMM_EPS = (GramGemm.SLICE + 1) * 0x1p-24 + 0x1p-40;

    @Test
    void gemmPathMatchesReferenceForManyRows() {
        // Ragged bands and column blocks (n not a multiple of NR), ranges with an empty one, groups and slices
        // cut inside ranges, a short last slice.
        int nr = GemmPanels.panelCols();
        int n = 5 * nr + 37;
        int d = GramGemm.groupLength(n) + GramGemm.SLICE + 45;
        float[][] rows = TestRows.gaussian(n, d, 77);
        int[] ranges = {0, 0, 3, 700, 700, d - 11, d - 5, d};
        double[] g = GramGemm.compute(rows, ranges, Compute.serial());
        checkFull(rows, ranges, g, GEMM_EPS, "gemm n=" + n + " d=" + d);
        for (int threads : new int[] {2, 3}) {
            try (Compute compute = Compute.create(threads)) {
                assertArrayEquals(g, GramGemm.compute(rows, ranges, compute), "gemm path, " + threads + " threads");
            }
        }
        // Gram.compute takes the GEMM path from MIN_ROWS rows on: the same numbers.
        assertArrayEquals(g, Gram.compute(rows, ranges, Compute.serial()));
    }

    @Test
    void gemmPathAtEdgeSizes() {
        int nr = GemmPanels.panelCols();
        int mr = GemmPanels.panelRows();
        int[] counts = {1, 2, mr - 1, mr + 1, nr - 1, nr, nr + 1, GramGemm.MIN_ROWS - 1, GramGemm.MIN_ROWS,
            GramGemm.MIN_ROWS + 1};
        int[] dims = {1, 17, GramGemm.SLICE, GramGemm.SLICE + 1};
        for (int n : counts) {
            for (int d : dims) {
                float[][] rows = TestRows.gaussian(n, d, 31L * n + d);
                double[] g = GramGemm.compute(rows, Gram.all(d), Compute.serial());
                checkFull(rows, Gram.all(d), g, GEMM_EPS, "gemm n=" + n + " d=" + d);
                try (Compute two = Compute.create(2)) {
                    assertArrayEquals(g, GramGemm.compute(rows, Gram.all(d), two), "2 threads n=" + n + " d=" + d);
                }
            }
        }
        // Below MIN_ROWS Gram.compute keeps the vector path; from it on, the GEMM path.
        float[][] rows = TestRows.gaussian(GramGemm.MIN_ROWS, 40, 8);
        assertArrayEquals(GramGemm.compute(rows, Gram.all(40), Compute.serial()),
            Gram.compute(rows, Gram.all(40), Compute.serial()));
        float[][] fewer = java.util.Arrays.copyOf(rows, GramGemm.MIN_ROWS - 1);
        double[] vector = GramVector.lowerTriangle(fewer, Gram.all(40), false, Compute.serial());
        double[] full = Gram.compute(fewer, Gram.all(40), Compute.serial());
        for (int i = 0; i < fewer.length; i++) {
            for (int j = 0; j <= i; j++) {
                assertEquals(vector[Gram.tri(i, j)], full[i * fewer.length + j]);
            }
        }
        assertArrayEquals(new double[4], GramGemm.compute(TestRows.gaussian(2, 10, 1), new int[] {3, 3},
            Compute.serial()), "no selected coordinates");
    }

    @Test
    void gemmPathOnlyForValuesInFloatsSafeRange() {
        int n = GramGemm.MIN_ROWS;
        int d = 2 * GramGemm.groupLength(n) + 40;
        float[][] rows = TestRows.gaussian(n, d, 6);
        assertTrue(GramGemm.compute(rows, Gram.all(d), Compute.serial()) != null);
        rows[7][3] = 1e25f; // products overflow float: Gram.compute must keep the double fallback of the vector path
        assertTrue(GramGemm.compute(rows, Gram.all(d), Compute.serial()) == null);
        assertTrue(GramGemm.compute(rows, new int[] {4, d}, Compute.serial()) != null, "outside the ranges does not count");
        double[] g = Gram.compute(rows, Gram.all(d), Compute.serial());
        assertTrue(Double.isFinite(g[7 * n + 7]));
        checkFull(rows, Gram.all(d), g, VECTOR_EPS, "fallback to the vector path");
        rows[7][3] = 1e-30f;
        assertTrue(GramGemm.compute(rows, Gram.all(d), Compute.serial()) == null);
        rows[7][3] = 0f;
        assertTrue(GramGemm.compute(rows, Gram.all(d), Compute.serial()) != null);
        rows[n - 1][d - 1] = Float.NaN; // in the last group, last band, vector tail
        try (Compute two = Compute.create(2)) {
            assertTrue(GramGemm.compute(rows, Gram.all(d), two) == null);
        }
        float[] x = new float[37];
        java.util.Arrays.fill(x, 1e15f);
        assertTrue(GramGemm.inSafeRange(x, 0, 37));
        x[36] = 1.1e15f; // scalar tail
        assertTrue(!GramGemm.inSafeRange(x, 0, 37));
        assertTrue(GramGemm.inSafeRange(x, 0, 36));
        x[5] = Float.NEGATIVE_INFINITY; // vector body
        assertTrue(!GramGemm.inSafeRange(x, 0, 36));
        x[5] = -1e-16f;
        assertTrue(!GramGemm.inSafeRange(x, 0, 36));
        x[5] = -1e-15f;
        assertTrue(GramGemm.inSafeRange(x, 0, 36));
    }

    @Test
    void gemmTasksCoverEveryBandOnce() {
        for (int bands = 1; bands < 40; bands++) {
            for (int threads = 1; threads <= 4; threads++) {
                int[] cut = GramGemm.taskBands(bands, threads);
                assertEquals(0, cut[0]);
                assertEquals(bands, cut[cut.length - 1]);
                for (int t = 1; t < cut.length; t++) {
                    assertTrue(cut[t] > cut[t - 1], "bands " + bands + " threads " + threads);
                }
                assertEquals(threads == 1 ? 2 : Math.min(bands, 3 * threads) + 1, cut.length, "bands " + bands);
            }
        }
    }

    @Test
    void bitIdenticalOnAnyThreadCount() {
        // More than one task (tasks hold CHUNKS_PER_TASK chunks), with a ragged last chunk.
        int d = 3 * Gram.CHUNKS_PER_TASK * Gram.CHUNK + 123;
        float[][] rows = TestRows.gaussian(6, d, 21);
        int[] ranges = {0, d / 2, d / 2 + 7, d};
        double[] vector1 = GramVector.lowerTriangle(rows, ranges, false, Compute.serial());
        double[] scalar1 = GramScalar.lowerTriangle(rows, ranges, false, Compute.serial());
        for (int threads : new int[] {2, 3}) {
            try (Compute compute = Compute.create(threads)) {
                assertArrayEquals(vector1, GramVector.lowerTriangle(rows, ranges, false, compute), "vector, " + threads + " threads");
                assertArrayEquals(scalar1, GramScalar.lowerTriangle(rows, ranges, false, compute), "scalar, " + threads + " threads");
            }
        }
    }

    @Test
    void layerNormsComeWithTheGramInOnePass() {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("conv.w", 3 * Gram.CHUNK + 5, ParamKind.WEIGHT);
        b.add("bn.w", 64, ParamKind.WEIGHT);
        b.add("bn.mean", 64, ParamKind.BN_RUNNING_MEAN);
        b.add("empty", 0, ParamKind.BIAS);
        b.add("fc.w", 2 * Gram.CHUNKS_PER_TASK * Gram.CHUNK + 100, ParamKind.WEIGHT);
        b.add("fc.b", 10, ParamKind.BIAS);
        ParamLayout layout = b.build();
        float[][] rows = TestRows.gaussian(6, layout.size(), 44);
        int[] trainable = layout.trainableRanges();
        double[] ref = GramReference.compute(rows, trainable);
        for (boolean vector : new boolean[] {true, false}) {
            Gram.WithLayerNorms g = Gram.computeWithLayerNorms(rows, layout, Compute.serial(), vector);
            double eps = vector ? VECTOR_EPS : SCALAR_EPS;
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 6; j++) {
                    double bound = eps * Math.sqrt(ref[i * 6 + i] * ref[j * 6 + j]); // Σ|x_i x_j| ≤ ‖x_i‖‖x_j‖
                    assertTrue(Math.abs(g.gram()[i * 6 + j] - ref[i * 6 + j]) <= bound, "gram " + i + "," + j);
                }
                for (int l = 0; l < layout.entries().size(); l++) {
                    ParamLayout.Entry e = layout.entries().get(l);
                    double want = GramReference.compute(new float[][] {rows[i]}, new int[] {e.offset(), e.end()})[0];
                    assertTrue(Math.abs(g.layerSquaredNorms()[i][l] - want) <= eps * want, e.name() + " row " + i);
                }
            }
            try (Compute three = Compute.create(3)) {
                Gram.WithLayerNorms g3 = Gram.computeWithLayerNorms(rows, layout, three, vector);
                assertArrayEquals(g.gram(), g3.gram());
                for (int i = 0; i < 6; i++) {
                    assertArrayEquals(g.layerSquaredNorms()[i], g3.layerSquaredNorms()[i]);
                }
            }
        }
    }

    @Test
    void tasksGrowWithNSoThatPartialsStayBounded() {
        assertEquals(Gram.CHUNKS_PER_TASK, Gram.chunksPerTask(100, 1400));
        int perTask = Gram.chunksPerTask(2000, 1400);
        long tasks = (1400 + perTask - 1) / perTask;
        assertTrue(tasks * 2000L * 2001 / 2 <= (1L << 22) + 2000L * 2001 / 2, "partials bounded, got " + tasks + " tasks");
    }

    @Test
    void rejectsBadRanges() {
        float[][] rows = TestRows.gaussian(2, 10, 1);
        assertThrows(IllegalArgumentException.class, () -> Gram.compute(rows, new int[] {0}, Compute.serial()));
        assertThrows(IllegalArgumentException.class, () -> Gram.compute(rows, new int[] {5, 3}, Compute.serial()));
        assertThrows(IllegalArgumentException.class, () -> Gram.compute(rows, new int[] {0, 11}, Compute.serial()));
    }

    private static void check(float[][] rows, int[] ranges, double[] lower, double eps, String what) {
        int n = rows.length;
        double[] ref = GramReference.compute(rows, ranges);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double abs = 0;
                for (int r = 0; r < ranges.length; r += 2) {
                    for (int c = ranges[r]; c < ranges[r + 1]; c++) {
                        abs += Math.abs((double) rows[i][c] * rows[j][c]);
                    }
                }
                double got = lower[Gram.tri(i, j)];
                double want = ref[i * n + j];
                assertTrue(Math.abs(got - want) <= eps * abs + 1e-300,
                    what + " (" + i + "," + j + "): " + got + " vs " + want + ", bound " + eps * abs);
            }
        }
    }

    /** checkFull: the n × n result is symmetric bit for bit and its lower triangle within the bound. */
    private static void checkFull(float[][] rows, int[] ranges, double[] g, double eps, String what) {
        int n = rows.length;
        assertEquals(n * n, g.length, what);
        double[] lower = new double[n * (n + 1) / 2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                assertEquals(g[i * n + j], g[j * n + i], what + " symmetric (" + i + "," + j + ")");
                lower[Gram.tri(i, j)] = g[i * n + j];
            }
        }
        check(rows, ranges, lower, eps, what);
    }
}
