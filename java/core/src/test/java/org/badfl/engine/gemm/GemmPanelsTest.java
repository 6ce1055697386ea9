package org.badfl.engine.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The public packing and kernel entry points: same layouts as {@link Packing}, one FMA chain per tile entry. */
class GemmPanelsTest {

    @Test
    void shapeIsTheVectorGemmsShape() {
        VectorGemm.KernelShape shape = VectorGemm.KernelShape.forPreferredSpecies();
        assertEquals(shape.rows, GemmPanels.panelRows());
        assertEquals(shape.vectors * VectorKernels.VL, GemmPanels.panelCols());
        assertEquals(0, GemmPanels.panelCols() % GemmPanels.panelRows(), "a band of NR rows is whole A panels");
    }

    @Test
    void packingEqualsTheScalarLayouts() {
        float[] x = random(70 * 90, 3);
        int mr = GemmPanels.panelRows();
        int nr = GemmPanels.panelCols();
        int[][] cases = {{0, 1, 0, 1}, {2, mr + 3, 5, 17}, {1, nr, 0, 64}, {0, nr + 5, 3, 87}, {9, 7, 0, 90}};
        for (int[] cs : cases) {
            int row0 = cs[0];
            int rows = cs[1];
            int p0 = cs[2];
            int depth = cs[3];
            int panelsA = (rows + mr - 1) / mr;
            float[] want = new float[panelsA * mr * depth];
            float[] got = new float[want.length + 5];
            Packing.packA(false, x, 4, 90, row0, rows, p0, depth, mr, want);
            GemmPanels.packRows(x, 4, 90, row0, rows, p0, depth, got);
            assertArrayEquals(want, java.util.Arrays.copyOf(got, want.length), "rows " + java.util.Arrays.toString(cs));
            int panelsB = (rows + nr - 1) / nr;
            want = new float[panelsB * nr * depth];
            got = new float[want.length];
            Packing.packB(true, x, 4, 90, p0, depth, row0, rows, nr, want, 0);
            GemmPanels.packColumns(x, 4, 90, row0, rows, p0, depth, got);
            assertArrayEquals(want, got, "columns " + java.util.Arrays.toString(cs));
        }
    }

    @Test
    void multiplyIsOneFmaChainPerEntry() {
        int mr = GemmPanels.panelRows();
        int nr = GemmPanels.panelCols();
        int depth = 77;
        float[] a = random(mr * depth + 3, 1);
        float[] b = random(nr * depth + 2, 2);
        int ldc = nr + 5;
        float[] c = random(mr * ldc + 1, 4);
        float[] start = c.clone();
        GemmPanels.multiply(depth, a, 3, b, 2, c, 1, ldc, true);
        float[] fresh = new float[mr * ldc + 1];
        GemmPanels.multiply(depth, a, 3, b, 2, fresh, 1, ldc, false);
        for (int r = 0; r < mr; r++) {
            for (int col = 0; col < nr; col++) {
                float acc = start[1 + r * ldc + col];
                float zero = 0f;
                for (int p = 0; p < depth; p++) {
                    acc = Math.fma(a[3 + p * mr + r], b[2 + p * nr + col], acc);
                    zero = Math.fma(a[3 + p * mr + r], b[2 + p * nr + col], zero);
                }
                assertEquals(acc, c[1 + r * ldc + col], "accumulate " + r + "," + col);
                assertEquals(zero, fresh[1 + r * ldc + col], "overwrite " + r + "," + col);
            }
        }
        assertEquals(start[0], c[0], "outside the tile untouched");
    }

    @Test
    void rejectsBlocksOutsideTheArrays() {
        float[] x = new float[10 * 20];
        float[] dst = new float[1000];
        assertThrows(IllegalArgumentException.class, () -> GemmPanels.packRows(x, 0, 20, 5, 6, 0, 20, dst));
        assertThrows(IllegalArgumentException.class, () -> GemmPanels.packRows(x, 0, 20, 0, 2, 5, 16, dst));
        assertThrows(IllegalArgumentException.class, () -> GemmPanels.packColumns(x, 0, 20, 0, 10, 0, 20, new float[10]));
        assertThrows(IllegalArgumentException.class, () -> GemmPanels.packColumns(null, 0, 20, 0, 1, 0, 1, dst));
    }

    private static float[] random(int length, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }
}
