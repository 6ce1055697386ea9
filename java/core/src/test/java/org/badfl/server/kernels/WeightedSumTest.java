package org.badfl.server.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.junit.jupiter.api.Test;

/** Both paths equal {@link WeightedSumReference} bit for bit: same terms, same order, same roundings. */
class WeightedSumTest {

    @Test
    void accumulateEqualsReferenceOnBothPaths() {
        for (int n : new int[] {0, 1, 2, 7, 20}) {
            for (int d : new int[] {1, 7, 8, 9, 100, WeightedSum.CHUNK + 5}) {
                float[][] rows = TestRows.awkward(n, d, 13L * n + d);
                double[] w = weights(n, n + d);
                float[] start = TestRows.gaussian(1, d, d)[0];
                float[] expected = start.clone();
                WeightedSumReference.accumulate(rows, w, expected);
                for (boolean vector : new boolean[] {true, false}) {
                    float[] out = start.clone();
                    WeightedSum.accumulate(rows, w, 0, d, out, Compute.serial(), vector);
                    TestRows.assertBitsEqual(expected, out, (vector ? "vector" : "scalar") + " n=" + n + " d=" + d);
                    try (Compute three = Compute.create(3)) {
                        out = start.clone();
                        WeightedSum.accumulate(rows, w, 0, d, out, three, vector);
                        TestRows.assertBitsEqual(expected, out, (vector ? "vector" : "scalar") + " 3 threads");
                    }
                }
            }
        }
    }

    @Test
    void layerScaledEqualsReferenceOnBothPaths() {
        // Entries of awkward lengths, one of length 0, one longer than a chunk, boundaries off the vector width.
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("conv.w", 37, ParamKind.WEIGHT);
        b.add("conv.b", 0, ParamKind.BIAS);
        b.add("bn.mean", 5, ParamKind.BN_RUNNING_MEAN);
        b.add("fc.w", WeightedSum.CHUNK + 301, ParamKind.WEIGHT);
        b.add("fc.b", 10, ParamKind.BIAS);
        ParamLayout layout = b.build();
        int n = 6;
        float[][] rows = TestRows.awkward(n, layout.size(), 77);
        double[] w = weights(n, 3);
        SplittableRandom r = new SplittableRandom(5);
        double[][] scale = new double[n][];
        for (int i = 0; i < n; i++) {
            if (i != 2) { // row 2: null = scale 1 everywhere
                scale[i] = r.doubles(layout.entries().size(), 0, 1.5).toArray();
            }
        }
        float[] start = TestRows.gaussian(1, layout.size(), 8)[0];
        float[] expected = start.clone();
        WeightedSumReference.accumulateLayerScaled(rows, w, scale, layout, expected);
        try (Compute three = Compute.create(3)) {
            for (boolean vector : new boolean[] {true, false}) {
                for (Compute compute : new Compute[] {Compute.serial(), three}) {
                    float[] out = start.clone();
                    WeightedSum.accumulateLayerScaled(rows, w, scale, layout, out, compute, vector);
                    TestRows.assertBitsEqual(expected, out, (vector ? "vector" : "scalar") + " on " + compute.threads());
                }
            }
        }
    }

    @Test
    void subRangeTouchesOnlyItsCoordinates() {
        float[][] rows = TestRows.gaussian(4, 50, 2);
        double[] w = {0.1, 0.2, 0.3, 0.4};
        float[] full = new float[50];
        WeightedSumReference.accumulate(rows, w, full);
        float[] part = new float[50];
        WeightedSum.accumulate(rows, w, 10, 33, part, Compute.serial());
        for (int c = 0; c < 50; c++) {
            org.junit.jupiter.api.Assertions.assertEquals(c >= 10 && c < 33 ? full[c] : 0f, part[c]);
        }
    }

    @Test
    void rejectsMismatchedWeightsAndScales() {
        float[][] rows = TestRows.gaussian(2, 10, 1);
        ParamLayout layout = ParamLayout.builder().build();
        assertThrows(IllegalArgumentException.class, () -> WeightedSum.accumulate(rows, new double[3], new float[10], Compute.serial()));
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("w", 10, ParamKind.WEIGHT);
        ParamLayout ten = b.build();
        assertThrows(IllegalArgumentException.class, () -> WeightedSum.accumulateLayerScaled(rows, new double[2],
            new double[][] {{1, 2}, null}, ten, new float[10], Compute.serial()));
        assertThrows(IllegalArgumentException.class, () -> WeightedSum.accumulateLayerScaled(rows, new double[2],
            new double[1][], ten, new float[10], Compute.serial()));
        assertThrows(IllegalArgumentException.class, () -> WeightedSum.accumulateLayerScaled(rows, new double[2],
            new double[2][], layout, new float[10], Compute.serial()));
    }

    private static double[] weights(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = r.nextDouble(-1, 2) / 3; // not exactly representable products
        }
        return w;
    }
}
