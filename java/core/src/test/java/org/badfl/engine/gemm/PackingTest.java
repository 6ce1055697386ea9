package org.badfl.engine.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The packed layouts, exactly: scalar {@link Packing} against direct indexing, vector against scalar. */
class PackingTest {

    @Test
    void scalarPackingPlacesEveryValueAndZeroPadsPartialPanels() {
        float[] src = new float[40 * 40];
        for (int i = 0; i < src.length; i++) {
            src[i] = i + 1;
        }
        int mr = 8;
        int kc = 5;
        int mc = 11; // one full and one partial panel
        float[] dst = new float[2 * mr * kc];
        Packing.packA(false, src, 3, 40, 2, mc, 4, kc, mr, dst);
        for (int q = 0; q < 2; q++) {
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < mr; r++) {
                    int i = q * mr + r;
                    float expected = i < mc ? src[3 + (2 + i) * 40 + 4 + p] : 0f;
                    assertEquals(expected, dst[q * mr * kc + p * mr + r], "A panel " + q + " p " + p + " r " + r);
                }
            }
        }
        int nr = 16;
        int nc = 21;
        float[] dstB = new float[2 * nr * kc + 3];
        Packing.packB(true, src, 1, 40, 6, kc, 5, nc, nr, dstB, 3);
        for (int q = 0; q < 2; q++) {
            for (int p = 0; p < kc; p++) {
                for (int col = 0; col < nr; col++) {
                    int j = q * nr + col;
                    float expected = j < nc ? src[1 + (5 + j) * 40 + 6 + p] : 0f;
                    assertEquals(expected, dstB[3 + q * nr * kc + p * nr + col], "B panel " + q + " p " + p);
                }
            }
        }
    }

    @Test
    void vectorPackingEqualsScalarPacking() {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] src = new float[300 * 300];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) rnd.nextDouble();
        }
        int nr = 3 * VectorKernels.VL;
        int[][] cases = {{1, 1, 0}, {8, 16, 3}, {13, 37, 1}, {40, 129, 2}, {64, 40, 0}};
        for (int[] cs : cases) {
            int rows = cs[0];
            int depth = cs[1];
            int offset = cs[2];
            for (boolean trans : new boolean[] {false, true}) {
                for (int mr : new int[] {4, 8}) {
                    float[] expected = new float[TaskGrid.ceilDiv(rows, mr) * mr * depth];
                    float[] actual = new float[expected.length];
                    Arrays.fill(actual, Float.NaN);
                    Packing.packA(trans, src, offset, 250, 3, rows, 7, depth, mr, expected);
                    VectorPacking.packA(trans, src, offset, 250, 3, rows, 7, depth, mr, actual);
                    assertArrayEquals(expected, actual, "A rows=" + rows + " depth=" + depth + " trans=" + trans);
                }
                int cols = rows * 4 + 3;
                float[] expected = new float[TaskGrid.ceilDiv(cols, nr) * nr * depth];
                float[] actual = new float[expected.length];
                Arrays.fill(actual, Float.NaN);
                Packing.packB(trans, src, offset, 290, 5, depth, 2, cols, nr, expected, 0);
                VectorPacking.packB(trans, src, offset, 290, 5, depth, 2, cols, nr, actual);
                assertArrayEquals(expected, actual, "B cols=" + cols + " depth=" + depth + " trans=" + trans);
            }
        }
    }
}
