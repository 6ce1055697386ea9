package org.badfl.server.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.junit.jupiter.api.Test;

class RowDotsTest {

    /** As GramTest: float lane sums of m = CHUNK/L terms: ≤ (m + 1)·2⁻²⁴ of Σ|products|. */
    private static final double VECTOR_EPS =
        (Gram.CHUNK / FloatVector.SPECIES_PREFERRED.length() + 1) * 0x1p-24 + 0x1p-40;

    @Test
    void dotsAndNormsMatchDoubleSumsOnBothPaths() {
        for (int n : new int[] {1, 3, 8}) {
            for (int d : new int[] {1, 17, 33, Gram.CHUNK + 19, 2 * Gram.CHUNKS_PER_TASK * Gram.CHUNK + 5}) {
                float[][] rows = TestRows.gaussian(n, d, 3L * n + d);
                float[] v = TestRows.gaussian(1, d, d)[0];
                int[] ranges = {0, d / 3, d / 2, d};
                for (boolean vector : new boolean[] {true, false}) {
                    double eps = vector ? VECTOR_EPS : 1e-12;
                    check(rows, v, ranges, RowDots.dots(rows, v, ranges, Compute.serial(), vector), eps, "dots n=" + n + " d=" + d);
                    check(rows, null, ranges, RowDots.dots(rows, null, ranges, Compute.serial(), vector), eps, "norms n=" + n + " d=" + d);
                }
            }
        }
    }

    /** The fused pass gives exactly the two separate calls' values (same chunk sums, same order), any thread count. */
    @Test
    void dotsAndSquaredNormsInOnePassEqualTheSeparateCalls() {
        for (int n : new int[] {1, 5}) {
            for (int d : new int[] {1, 33, 2 * Gram.CHUNKS_PER_TASK * Gram.CHUNK + 5}) {
                float[][] rows = TestRows.gaussian(n, d, 7L * n + d);
                float[] v = TestRows.gaussian(1, d, d + 1)[0];
                int[] ranges = {0, d / 3, d / 2, d};
                for (boolean vector : new boolean[] {true, false}) {
                    double[][] both = RowDots.dotsAndSquaredNorms(rows, v, ranges, Compute.serial(), vector);
                    assertArrayEquals(RowDots.dots(rows, v, ranges, Compute.serial(), vector), both[0]);
                    assertArrayEquals(RowDots.dots(rows, null, ranges, Compute.serial(), vector), both[1]);
                }
                try (Compute two = Compute.create(2)) {
                    double[][] parallel = RowDots.dotsAndSquaredNorms(rows, v, ranges, two);
                    assertArrayEquals(RowDots.dots(rows, v, ranges, Compute.serial()), parallel[0]);
                    assertArrayEquals(RowDots.squaredNorms(rows, ranges, Compute.serial()), parallel[1]);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> RowDots.dotsAndSquaredNorms(TestRows.gaussian(2, 10, 1),
            new float[5], Gram.all(10), Compute.serial()));
    }

    @Test
    void layerNormsPerEntry() {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("a", 5, ParamKind.WEIGHT);
        b.add("empty", 0, ParamKind.BIAS);
        b.add("big", Gram.CHUNK + 77, ParamKind.WEIGHT);
        b.add("bn", 9, ParamKind.BN_RUNNING_VAR);
        ParamLayout layout = b.build();
        float[][] rows = TestRows.gaussian(4, layout.size(), 12);
        for (boolean vector : new boolean[] {true, false}) {
            double[][] norms = RowDots.layerSquaredNorms(rows, layout, Compute.serial(), vector);
            for (int i = 0; i < rows.length; i++) {
                for (int l = 0; l < layout.entries().size(); l++) {
                    ParamLayout.Entry e = layout.entries().get(l);
                    double want = 0;
                    for (int c = e.offset(); c < e.end(); c++) {
                        want += (double) rows[i][c] * rows[i][c];
                    }
                    assertTrue(Math.abs(norms[i][l] - want) <= VECTOR_EPS * want, e.name() + " row " + i);
                }
            }
        }
    }

    @Test
    void bitIdenticalOnAnyThreadCountAndRobustToExtremeValues() {
        int d = 3 * Gram.CHUNKS_PER_TASK * Gram.CHUNK + 7;
        float[][] rows = TestRows.gaussian(3, d, 5);
        for (int c = 0; c < d; c++) {
            rows[1][c] *= 1e25f;
            rows[2][c] *= 1e-25f;
        }
        int[] all = Gram.all(d);
        double[] one = RowDots.squaredNorms(rows, all, Compute.serial());
        try (Compute three = Compute.create(3)) {
            assertArrayEquals(one, RowDots.squaredNorms(rows, all, three));
        }
        check(rows, null, all, one, VECTOR_EPS, "extreme magnitudes");
    }

    @Test
    void rejectsShortVector() {
        float[][] rows = TestRows.gaussian(2, 10, 1);
        assertThrows(IllegalArgumentException.class, () -> RowDots.dots(rows, new float[5], Gram.all(10), Compute.serial()));
    }

    private static void check(float[][] rows, float[] v, int[] ranges, double[] got, double eps, String what) {
        for (int i = 0; i < rows.length; i++) {
            float[] y = v == null ? rows[i] : v;
            double want = 0;
            double abs = 0;
            for (int r = 0; r < ranges.length; r += 2) {
                for (int c = ranges[r]; c < ranges[r + 1]; c++) {
                    double p = (double) rows[i][c] * y[c];
                    want += p;
                    abs += Math.abs(p);
                }
            }
            assertTrue(Math.abs(got[i] - want) <= eps * abs, what + " row " + i + ": " + got[i] + " vs " + want);
            assertTrue(Double.isFinite(got[i]), what);
        }
    }
}
