package org.badfl.engine.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.badfl.engine.Compute;
import org.junit.jupiter.api.Test;

/**
 * {@link Gemm#packA} + the packed product give exactly the bits of the unpacked {@link Gemm#sgemm}: every
 * layout (A and B transposed or not), accumulation, shapes that leave partial panels, k in one block, in
 * one block just above KC (up to 1.25 KC) and in several blocks, on 1 and 3 threads, for the default path and
 * for vector configurations with tiny blocks (many row blocks and k blocks per product).
 */
class PackedATest {

    /** m, n, k; with KC = 256: one block, one block above KC (288, 320), two (321, 600) and three blocks. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {7, 13, 5}, {64, 96, 288}, {9, 49, 320}, {33, 50, 321}, {17, 97, 600}, {288, 150, 64}, {5, 3, 700},
    };

    @Test
    void defaultPathPackedEqualsUnpacked() {
        try (Compute three = Compute.create(3)) {
            for (Compute compute : new Compute[] {Compute.serial(), three}) {
                for (int[] s : SHAPES) {
                    for (int layout = 0; layout < 4; layout++) {
                        for (boolean accumulate : new boolean[] {false, true}) {
                            check(s[0], s[1], s[2], (layout & 1) != 0, (layout & 2) != 0, accumulate, compute,
                                s[0] * 131 + s[2] + layout);
                        }
                    }
                }
            }
        }
    }

    private static void check(int m, int n, int k, boolean transA, boolean transB, boolean accumulate,
                              Compute compute, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int aOff = 3;
        int lda = (transA ? m : k) + 2;
        float[] a = random(rnd, aOff + (transA ? k : m) * lda);
        int ldb = (transB ? k : n) + 1;
        float[] b = random(rnd, (transB ? n : k) * ldb);
        int ldc = n + 5;
        float[] c0 = random(rnd, 2 + m * ldc);
        float[] expected = c0.clone();
        Gemm.sgemm(compute, transA, transB, m, n, k, a, aOff, lda, b, 0, ldb, expected, 2, ldc, accumulate);
        PackedA packed = Gemm.packA(transA, m, k, a, aOff, lda, null);
        float[] actual = c0.clone();
        Gemm.sgemm(compute, packed, transB, n, b, 0, ldb, actual, 2, ldc, accumulate);
        String what = m + "x" + n + "x" + k + (transA ? " A^T" : "") + (transB ? " B^T" : "")
            + (accumulate ? " accumulate" : "") + " threads " + compute.threads();
        assertBits(expected, actual, what);
        // Reusing the result for another matrix of the same shape repacks into the same buffer.
        float[] a2 = random(rnd, a.length);
        PackedA again = Gemm.packA(transA, m, k, a2, aOff, lda, packed);
        if (packed.panels != null) {
            assertSame(packed.panels, again.panels, "panel buffer reused, " + what);
        }
        float[] expected2 = c0.clone();
        Gemm.sgemm(compute, transA, transB, m, n, k, a2, aOff, lda, b, 0, ldb, expected2, 2, ldc, accumulate);
        float[] actual2 = c0.clone();
        Gemm.sgemm(compute, again, transB, n, b, 0, ldb, actual2, 2, ldc, accumulate);
        assertBits(expected2, actual2, "repacked " + what);
    }

    @Test
    void tinyBlockVectorConfigurationsPackedEqualsUnpacked() {
        assumeTrue(Gemm.vectorAvailable(), "vector GEMM needs --add-modules jdk.incubator.vector");
        GemmImpl[] impls = {
            new VectorGemm(VectorGemm.KernelShape.ROWS8_VECTORS3, 7, 1, 1, 1, 8, 0),
            new VectorGemm(VectorGemm.KernelShape.ROWS4_VECTORS3, 19, 2, 2, 1, 8, 0),
        };
        try (Compute two = Compute.create(2)) {
            for (GemmImpl impl : impls) {
                for (int[] s : SHAPES) {
                    for (int layout = 0; layout < 4; layout++) {
                        boolean transA = (layout & 1) != 0;
                        boolean transB = (layout & 2) != 0;
                        int m = s[0];
                        int n = s[1];
                        int k = s[2];
                        SplittableRandom rnd = new SplittableRandom(m + 7L * k + layout);
                        int lda = transA ? m : k;
                        int ldb = transB ? k : n;
                        float[] a = random(rnd, (transA ? k : m) * lda);
                        float[] b = random(rnd, (transB ? n : k) * ldb);
                        float[] expected = new float[m * n];
                        impl.sgemm(two, transA, transB, m, n, k, a, 0, lda, b, 0, ldb, expected, 0, n, false);
                        PackedA packed = new PackedA(Gemm.Path.VECTOR, transA, m, k, a, 0, lda,
                            impl.packA(transA, m, k, a, 0, lda, null));
                        float[] actual = new float[m * n];
                        impl.sgemmPacked(two, packed, transB, n, b, 0, ldb, actual, 0, n, false);
                        assertBits(expected, actual, impl.describe() + " " + m + "x" + n + "x" + k + " layout " + layout);
                    }
                }
            }
        }
    }

    /**
     * Reading full B panels in place (B not transposed, short k) gives the bits of packing them: partial row
     * tiles, partial last panels, several column blocks, k blocks and accumulation.
     */
    @Test
    void directBEqualsPackedB() {
        assumeTrue(Gemm.vectorAvailable(), "vector GEMM needs --add-modules jdk.incubator.vector");
        // the direct-B kernel configurations below are written for 16 float lanes (512-bit vectors)
        assumeTrue(VectorKernels.VL == 16, "direct B panels need 16 float lanes (AVX-512); this CPU has "
            + VectorKernels.VL);
        // k <= 32 reads B in place; 33 and 288 take the packed path inside the same configuration.
        int[][] shapes = {{32, 576, 9}, {13, 100, 32}, {8, 48, 1}, {70, 200, 20}, {5, 1100, 9}, {17, 50, 33}, {64, 576, 288}};
        try (Compute two = Compute.create(2)) {
            for (int blocks = 0; blocks < 2; blocks++) {
                VectorGemm direct = blocks == 0
                    ? new VectorGemm(VectorGemm.KernelShape.ROWS8_VECTORS3, 256, 16, 10, 2_000_000L, 16, 1024, true)
                    : new VectorGemm(VectorGemm.KernelShape.ROWS8_VECTORS3, 7, 1, 1, 1, 8, 0, true);
                VectorGemm packed = blocks == 0
                    ? new VectorGemm(VectorGemm.KernelShape.ROWS8_VECTORS3, 256, 16, 10, 2_000_000L, 16, 1024, false)
                    : new VectorGemm(VectorGemm.KernelShape.ROWS8_VECTORS3, 7, 1, 1, 1, 8, 0, false);
                for (int[] s : shapes) {
                    for (boolean transA : new boolean[] {false, true}) {
                        for (boolean accumulate : new boolean[] {false, true}) {
                            int m = s[0];
                            int n = s[1];
                            int k = s[2];
                            SplittableRandom rnd = new SplittableRandom(m * 31L + n + k);
                            int lda = transA ? m : k;
                            int ldb = n + 3;
                            float[] a = random(rnd, (transA ? k : m) * lda);
                            float[] b = random(rnd, 1 + k * ldb);
                            float[] c0 = random(rnd, m * n);
                            float[] expected = c0.clone();
                            packed.sgemm(two, transA, false, m, n, k, a, 0, lda, b, 1, ldb, expected, 0, n, accumulate);
                            float[] actual = c0.clone();
                            direct.sgemm(two, transA, false, m, n, k, a, 0, lda, b, 1, ldb, actual, 0, n, accumulate);
                            assertBits(expected, actual, "direct B " + m + "x" + n + "x" + k + (transA ? " A^T" : "")
                                + (accumulate ? " accumulate" : "") + " blocks " + blocks);
                        }
                    }
                }
            }
        }
    }

    @Test
    void badArgumentsAreRejected() {
        float[] a = new float[12];
        assertThrows(IllegalArgumentException.class, () -> Gemm.packA(false, 4, 4, a, 0, 4, null));
        assertThrows(IllegalArgumentException.class, () -> Gemm.packA(false, -1, 3, a, 0, 3, null));
        PackedA p = Gemm.packA(false, 4, 3, a, 0, 3, null);
        float[] b = new float[3 * 5];
        float[] c = new float[4 * 5];
        assertThrows(IllegalArgumentException.class, () -> Gemm.sgemm(Compute.serial(), p, false, 6, b, 0, 5, c, 0, 5, false));
        assertThrows(IllegalArgumentException.class, () -> Gemm.sgemm(Compute.serial(), null, false, 5, b, 0, 5, c, 0, 5, false));
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    private static void assertBits(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), what + " element " + i);
        }
    }
}
