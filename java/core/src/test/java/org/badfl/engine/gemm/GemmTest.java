package org.badfl.engine.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.badfl.engine.Compute;
import org.junit.jupiter.api.Test;

/**
 * Compares every GEMM implementation with {@link GemmReference} on random inputs.
 * <p>Tolerance, per element: {@code |c - ref| <= 1.01 (k+1) u S + u |ref|}, u = 2^-24, S = sum_p |a_ip b_pj| +
 * |c0| (c0 = C's old value when accumulating). Why: both paths compute each element as one sequential chain
 * over p of k (+1 with c0) float additions (FMA: products exact; scalar: one more rounding per product), so
 * the forward error bound of recursive summation / dot products (Higham, "Accuracy and Stability of Numerical
 * Algorithms", 2nd ed., eq. 3.5) gives {@code gamma_(k+1) S} with gamma_n = n u / (1 - n u) <= 1.01 n u here;
 * the reference sums in double and rounds once ({@code <= u |ref|}). A wrong or missing term errs by about one
 * product (~0.1), orders of magnitude above this bound for the sizes used.
 */
class GemmTest {

    private static final double U = Math.ulp(1.0f) / 2; // 2^-24, float unit roundoff

    /** m, n, k: tiny, odd, not multiples of the vector width (8/16) or tile (8 x 48), and block-crossing. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 37, 19}, {23, 1, 31}, {5, 7, 1}, {7, 13, 5}, {8, 48, 16}, {9, 49, 17},
        {17, 97, 33}, {33, 50, 300}, {3, 130, 64},
    };

    /** Implementations under test: the two defaults plus configurations that force every blocking loop. */
    static List<Named> implementations() {
        List<Named> list = new ArrayList<>();
        list.add(new Named("scalar default", Gemm.impl(Gemm.Path.SCALAR)));
        list.add(new Named("scalar tiny blocks", new ScalarGemm(5, 7, 1, 8)));
        if (Gemm.vectorAvailable()) {
            list.add(new Named("vector default", Gemm.impl(Gemm.Path.VECTOR)));
            list.add(new Named("vector 8x3 tiny blocks, packed only",
                    new VectorGemm(VectorGemm.KernelShape.ROWS8_VECTORS3, 7, 1, 1, 1, 8, 0)));
            list.add(new Named("vector 4x3 small blocks",
                    new VectorGemm(VectorGemm.KernelShape.ROWS4_VECTORS3, 19, 2, 2, 1, 8, 2 * VectorKernels.VL)));
            list.add(new Named("vector NT always dot path", dotForNt(new VectorDotGemm(2 * VectorKernels.VL, 1, 8))));
        }
        return list;
    }

    record Named(String name, GemmImpl impl) {
    }

    /** Runs every NT product on {@code dot} (the default chooses it for narrow products only). */
    static GemmImpl dotForNt(VectorDotGemm dot) {
        GemmImpl packed = new VectorGemm(VectorGemm.KernelShape.ROWS8_VECTORS3, 7, 1, 1, 1, 8, 0);
        return new GemmImpl() {
            @Override
            public void sgemm(Parallel compute, boolean transA, boolean transB, int m, int n, int k, float[] a,
                              int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                              boolean accumulate) {
                if (!transA && transB) {
                    dot.sgemm(compute, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
                } else {
                    packed.sgemm(compute, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
                            accumulate);
                }
            }

            @Override
            public String describe() {
                return "dot for NT";
            }
        };
    }

    @Test
    void vectorModuleIsPresentInTests() {
        // surefire runs with --add-modules jdk.incubator.vector; without it the vector cases would silently vanish
        assertTrue(Gemm.vectorAvailable(), "tests must run with --add-modules jdk.incubator.vector");
        assertEquals(Gemm.Path.VECTOR, Gemm.defaultPath());
    }

    @Test
    void allImplementationsMatchReferenceOnAllTransposesAndLayouts() {
        SplittableRandom rnd = new SplittableRandom(20240611);
        for (Named named : implementations()) {
            for (int[] s : SHAPES) {
                for (int variant = 0; variant < 8; variant++) {
                    boolean transA = (variant & 1) != 0;
                    boolean transB = (variant & 2) != 0;
                    boolean accumulate = (variant & 4) != 0;
                    // odd variants get padded leading dimensions and offsets
                    int pad = variant % 3 == 0 ? 0 : 3;
                    int offset = variant % 3 == 2 ? 5 : 0;
                    Case c = Case.random(rnd, s[0], s[1], s[2], transA, transB, pad, offset);
                    c.check(named, Compute.serial(), accumulate);
                }
            }
        }
    }

    @Test
    void conv2ShapesMatchReferenceOnDefaultPaths() {
        // Paper CNN conv2 (64 x 288 weights, 24*24 = 576 output pixels) as im2col GEMMs: forward NN,
        // weight gradient NT, input gradient TN.
        SplittableRandom rnd = new SplittableRandom(7);
        try (Compute two = Compute.create(2)) {
            for (Gemm.Path path : Gemm.Path.values()) {
                Named named = new Named(path.name(), Gemm.impl(path));
                Case.random(rnd, 64, 576, 288, false, false, 0, 0).check(named, two, false);
                Case.random(rnd, 64, 288, 576, false, true, 0, 0).check(named, two, true);
                Case.random(rnd, 288, 576, 64, true, false, 0, 0).check(named, two, false);
            }
        }
    }

    @Test
    void resultsAreBitIdenticalForOneTwoAndThreeThreads() {
        SplittableRandom rnd = new SplittableRandom(99);
        List<Named> impls = new ArrayList<>(implementations());
        int[][] shapes = {{37, 101, 45}, {70, 29, 130}, {96, 300, 200}};
        try (Compute two = Compute.create(2); Compute three = Compute.create(3)) {
            for (Named named : impls) {
                for (int[] s : shapes) {
                    for (int t = 0; t < 4; t++) {
                        boolean transA = (t & 1) != 0;
                        boolean transB = (t & 2) != 0;
                        Case c = Case.random(rnd, s[0], s[1], s[2], transA, transB, 2, 1);
                        float[] one = c.run(named.impl(), Compute.serial(), true);
                        assertArrayEquals(one, c.run(named.impl(), two, true), named.name() + " 2 threads");
                        assertArrayEquals(one, c.run(named.impl(), three, true), named.name() + " 3 threads");
                    }
                }
            }
        }
        // The thread counts must actually give different task grids, else the test above proves little.
        VectorGemm tiny = new VectorGemm(VectorGemm.KernelShape.ROWS8_VECTORS3, 7, 1, 1, 1, 8, 0);
        assertEquals(1, tiny.grid(false, false, 37, 101, 45, 1).tasks());
        assertTrue(tiny.grid(false, false, 37, 101, 45, 3).tasks() >= 3);
        VectorGemm vector = (VectorGemm) Gemm.impl(Gemm.Path.VECTOR);
        assertEquals(1, vector.grid(false, false, 96, 300, 200, 1).tasks());
        assertEquals(2, vector.grid(false, false, 96, 300, 200, 2).tasks());
        assertTrue(((ScalarGemm) Gemm.impl(Gemm.Path.SCALAR)).grid(96, 300, 200, 3).tasks() >= 3);
        VectorDotGemm dot = new VectorDotGemm(2 * VectorKernels.VL, 1, 8);
        assertEquals(1, dot.grid(37, 101, 45, 1).tasks());
        assertTrue(dot.grid(37, 101, 45, 3).tasks() >= 3);
    }

    @Test
    void narrowNtProductsTakeTheDotPath() {
        VectorGemm vector = (VectorGemm) Gemm.impl(Gemm.Path.VECTOR);
        assertTrue(vector.prefersDot(32, 9, 43264), "conv1 weight gradient");
        assertFalse(vector.prefersDot(64, 288, 36864), "conv2 weight gradient");
        assertFalse(vector.prefersDot(1024, 1024, 1024));
        // the shape used below runs on the dot path and must match the reference
        assertTrue(vector.prefersDot(32, 9, 1500));
        Case.random(new SplittableRandom(11), 32, 9, 1500, false, true, 1, 3)
                .check(new Named("vector default, dot", vector), Compute.serial(), true);
        // more than one block of 64 x 255 outputs, partial tiles at both edges, k % VL != 0
        Case.random(new SplittableRandom(12), 70, 262, 45, false, true, 2, 1)
                .check(new Named("dot path, several blocks", dotForNt(new VectorDotGemm(VectorKernels.VL, 1, 8))),
                        Compute.serial(), false);
    }

    @Test
    void publicEntryPointsUseTheirPaths() {
        SplittableRandom rnd = new SplittableRandom(3);
        Case c = Case.random(rnd, 19, 53, 27, false, true, 1, 2);
        float[] viaDefault = c.freshC();
        Gemm.sgemm(false, true, c.m, c.n, c.k, c.a, c.aOff, c.lda, c.b, c.bOff, c.ldb, viaDefault, c.cOff, c.ldc,
                true);
        assertArrayEquals(c.run(Gemm.impl(Gemm.defaultPath()), Compute.serial(), true), viaDefault);
        for (Gemm.Path path : Gemm.Path.values()) {
            float[] out = c.freshC();
            Gemm.sgemm(path, Compute.serial(), false, true, c.m, c.n, c.k, c.a, c.aOff, c.lda, c.b, c.bOff, c.ldb,
                    out, c.cOff, c.ldc, true);
            assertArrayEquals(c.run(Gemm.impl(path), Compute.serial(), true), out, path.name());
            assertTrue(Gemm.describe(path).startsWith(path.name().toLowerCase()), Gemm.describe(path));
        }
    }

    @Test
    void emptyDimensions() {
        float[] c = {1, 2, 3, 4, 5, 6};
        // k = 0: the product is zero, so C is zeroed, or kept when accumulating
        Gemm.sgemm(false, false, 2, 3, 0, new float[0], 0, 1, new float[0], 0, 3, c, 0, 3, true);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c);
        Gemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, c, 0, 3, false);
        assertArrayEquals(new float[] {0, 0, 3, 0, 0, 6}, c);
        // m = 0 or n = 0: nothing is touched
        float[] d = {7, 8};
        Gemm.sgemm(false, false, 0, 2, 3, new float[0], 0, 3, new float[6], 0, 2, d, 0, 2, false);
        Gemm.sgemm(false, false, 2, 0, 3, new float[6], 0, 3, new float[0], 0, 1, d, 0, 1, false);
        assertArrayEquals(new float[] {7, 8}, d);
    }

    @Test
    void exactSmallProduct() {
        // [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50], all exactly representable
        for (Gemm.Path path : Gemm.Path.values()) {
            float[] c = new float[4];
            Gemm.sgemm(path, Compute.serial(), false, false, 2, 2, 2, new float[] {1, 2, 3, 4}, 0, 2,
                    new float[] {5, 6, 7, 8}, 0, 2, c, 0, 2, false);
            assertArrayEquals(new float[] {19, 22, 43, 50}, c, path.name());
            // transposed storage of both operands gives A^T B^T = (BA)^T = [23 31; 34 46]
            Gemm.sgemm(path, Compute.serial(), true, true, 2, 2, 2, new float[] {1, 2, 3, 4}, 0, 2,
                    new float[] {5, 6, 7, 8}, 0, 2, c, 0, 2, false);
            assertArrayEquals(new float[] {23, 31, 34, 46}, c, path.name());
        }
    }

    /** One random problem: operands with padding around them, so out-of-range reads or writes show up. */
    static final class Case {
        final int m;
        final int n;
        final int k;
        final boolean transA;
        final boolean transB;
        final float[] a;
        final float[] b;
        final float[] c0;
        final int aOff;
        final int bOff;
        final int cOff;
        final int lda;
        final int ldb;
        final int ldc;

        private Case(int m, int n, int k, boolean transA, boolean transB, float[] a, float[] b, float[] c0,
                     int aOff, int bOff, int cOff, int lda, int ldb, int ldc) {
            this.m = m;
            this.n = n;
            this.k = k;
            this.transA = transA;
            this.transB = transB;
            this.a = a;
            this.b = b;
            this.c0 = c0;
            this.aOff = aOff;
            this.bOff = bOff;
            this.cOff = cOff;
            this.lda = lda;
            this.ldb = ldb;
            this.ldc = ldc;
        }

        static Case random(SplittableRandom rnd, int m, int n, int k, boolean transA, boolean transB, int pad,
                           int offset) {
            int aRows = transA ? k : m;
            int aCols = transA ? m : k;
            int bRows = transB ? n : k;
            int bCols = transB ? k : n;
            int lda = aCols + pad;
            int ldb = bCols + pad;
            int ldc = n + pad;
            float[] a = randomArray(rnd, offset + aRows * lda + 7);
            float[] b = randomArray(rnd, offset + bRows * ldb + 7);
            float[] c0 = randomArray(rnd, offset + m * ldc + 7);
            return new Case(m, n, k, transA, transB, a, b, c0, offset, offset, offset, lda, ldb, ldc);
        }

        float[] freshC() {
            return c0.clone();
        }

        float[] run(GemmImpl impl, Compute compute, boolean accumulate) {
            float[] c = freshC();
            impl.sgemm(compute, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return c;
        }

        void check(Named named, Compute compute, boolean accumulate) {
            float[] aCopy = a.clone();
            float[] bCopy = b.clone();
            float[] got = run(named.impl(), compute, accumulate);
            String what = named.name() + " m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB="
                    + transB + " lda=" + lda + " off=" + aOff + " accumulate=" + accumulate;
            assertArrayEquals(aCopy, a, what + ": A modified");
            assertArrayEquals(bCopy, b, what + ": B modified");

            float[] ref = freshC();
            GemmReference.sgemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, ref, cOff, ldc, accumulate);
            float[] magnitude = new float[c0.length];
            for (int i = 0; i < c0.length; i++) {
                magnitude[i] = Math.abs(c0[i]);
            }
            GemmReference.sgemm(transA, transB, m, n, k, abs(a), aOff, lda, abs(b), bOff, ldb, magnitude, cOff,
                    ldc, accumulate);
            for (int idx = 0; idx < got.length; idx++) {
                int row = (idx - cOff) / ldc;
                int col = (idx - cOff) % ldc;
                boolean inside = idx >= cOff && row < m && col < n;
                if (!inside) {
                    if (Float.floatToRawIntBits(got[idx]) != Float.floatToRawIntBits(c0[idx])) {
                        fail(what + ": wrote outside C at index " + idx);
                    }
                    continue;
                }
                double tol = 1.01 * (k + 1) * U * magnitude[idx] + U * Math.abs(ref[idx]);
                double err = Math.abs((double) got[idx] - ref[idx]);
                if (!(err <= tol)) {
                    fail(what + ": C[" + row + "][" + col + "] = " + got[idx] + ", reference " + ref[idx]
                            + ", error " + err + " > tolerance " + tol);
                }
            }
        }

        private static float[] abs(float[] x) {
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = Math.abs(x[i]);
            }
            return y;
        }

        private static float[] randomArray(SplittableRandom rnd, int size) {
            float[] x = new float[size];
            for (int i = 0; i < size; i++) {
                x[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            return x;
        }
    }
}
