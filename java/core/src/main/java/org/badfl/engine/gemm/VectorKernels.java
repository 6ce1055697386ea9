package org.badfl.engine.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-tiled micro-kernels of the Vector API GEMM: {@code C[rows x cols] (+)= Apanel * Bpanel} for one
 * packed A panel (kc x MR, {@code ap[apOff + p*MR + r]}) and one packed B panel (kc x NR,
 * {@code bp[bpOff + p*NR + col]}, NR = NV vectors). The whole C tile lives in vector registers for the k loop; each step
 * loads NV vectors of B, broadcasts MR values of A and issues MR*NV fused multiply-adds (BLIS micro-kernel
 * design: F. Van Zee, R. van de Geijn, "BLIS: A Framework for Rapidly Instantiating BLAS Functionality",
 * ACM TOMS 41(3), 2015).
 * <p>Every output element is one sequential FMA chain over p, starting from C ({@code loadC}) or zero, so its
 * value does not depend on where the tile sits or which task computes it.
 * <p>The unrolled bodies follow one pattern ({@code accRV} = row R, vector V); shapes are picked per vector
 * width in {@link VectorGemm.KernelShape}: 8x3 needs 24 accumulators + 3 B vectors + 1 broadcast = 28 of the
 * 32 AVX-512 registers; 4x3 (12 + 3 + 1 = 16) fits the 16 registers of AVX2.
 */
final class VectorKernels {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector of the preferred species (16 with AVX-512, 8 with AVX2). */
    static final int VL = S.length();

    private VectorKernels() {
    }

    /** 8 rows x 3 vectors: 24 accumulators, 3 B vectors and one broadcast A value live in registers. */
    static void kernel8x3(int kc, float[] ap, int apOff, float[] bp, int bpOff,
                          float[] c, int cOff, int ldc, boolean loadC) {
        kernel8x3Direct(kc, ap, apOff, bp, bpOff, 3 * VL, c, cOff, ldc, loadC);
    }

    /**
     * {@link #kernel8x3} with any distance between B's rows: row p of the 3-vector-wide B block at
     * {@code bp[bpOff + p*ldb]}; a packed panel is ldb = 3·VL, B read in place (not transposed, all 3 vectors inside
     * B) is its leading dimension. One body for both, so both give the same bits.
     */
    static void kernel8x3Direct(int kc, float[] ap, int apOff, float[] bp, int bpOff, int ldb,
                          float[] c, int cOff, int ldc, boolean loadC) {
        int c0 = cOff;
        int c1 = cOff + ldc;
        int c2 = cOff + 2 * ldc;
        int c3 = cOff + 3 * ldc;
        int c4 = cOff + 4 * ldc;
        int c5 = cOff + 5 * ldc;
        int c6 = cOff + 6 * ldc;
        int c7 = cOff + 7 * ldc;
        FloatVector acc00 = loadC ? FloatVector.fromArray(S, c, c0) : FloatVector.zero(S);
        FloatVector acc01 = loadC ? FloatVector.fromArray(S, c, c0 + VL) : FloatVector.zero(S);
        FloatVector acc02 = loadC ? FloatVector.fromArray(S, c, c0 + 2 * VL) : FloatVector.zero(S);
        FloatVector acc10 = loadC ? FloatVector.fromArray(S, c, c1) : FloatVector.zero(S);
        FloatVector acc11 = loadC ? FloatVector.fromArray(S, c, c1 + VL) : FloatVector.zero(S);
        FloatVector acc12 = loadC ? FloatVector.fromArray(S, c, c1 + 2 * VL) : FloatVector.zero(S);
        FloatVector acc20 = loadC ? FloatVector.fromArray(S, c, c2) : FloatVector.zero(S);
        FloatVector acc21 = loadC ? FloatVector.fromArray(S, c, c2 + VL) : FloatVector.zero(S);
        FloatVector acc22 = loadC ? FloatVector.fromArray(S, c, c2 + 2 * VL) : FloatVector.zero(S);
        FloatVector acc30 = loadC ? FloatVector.fromArray(S, c, c3) : FloatVector.zero(S);
        FloatVector acc31 = loadC ? FloatVector.fromArray(S, c, c3 + VL) : FloatVector.zero(S);
        FloatVector acc32 = loadC ? FloatVector.fromArray(S, c, c3 + 2 * VL) : FloatVector.zero(S);
        FloatVector acc40 = loadC ? FloatVector.fromArray(S, c, c4) : FloatVector.zero(S);
        FloatVector acc41 = loadC ? FloatVector.fromArray(S, c, c4 + VL) : FloatVector.zero(S);
        FloatVector acc42 = loadC ? FloatVector.fromArray(S, c, c4 + 2 * VL) : FloatVector.zero(S);
        FloatVector acc50 = loadC ? FloatVector.fromArray(S, c, c5) : FloatVector.zero(S);
        FloatVector acc51 = loadC ? FloatVector.fromArray(S, c, c5 + VL) : FloatVector.zero(S);
        FloatVector acc52 = loadC ? FloatVector.fromArray(S, c, c5 + 2 * VL) : FloatVector.zero(S);
        FloatVector acc60 = loadC ? FloatVector.fromArray(S, c, c6) : FloatVector.zero(S);
        FloatVector acc61 = loadC ? FloatVector.fromArray(S, c, c6 + VL) : FloatVector.zero(S);
        FloatVector acc62 = loadC ? FloatVector.fromArray(S, c, c6 + 2 * VL) : FloatVector.zero(S);
        FloatVector acc70 = loadC ? FloatVector.fromArray(S, c, c7) : FloatVector.zero(S);
        FloatVector acc71 = loadC ? FloatVector.fromArray(S, c, c7 + VL) : FloatVector.zero(S);
        FloatVector acc72 = loadC ? FloatVector.fromArray(S, c, c7 + 2 * VL) : FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pb = bpOff + p * ldb;
            int pa = apOff + p * 8;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + VL);
            FloatVector b2 = FloatVector.fromArray(S, bp, pb + 2 * VL);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            acc00 = a0.fma(b0, acc00);
            acc01 = a0.fma(b1, acc01);
            acc02 = a0.fma(b2, acc02);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            acc10 = a1.fma(b0, acc10);
            acc11 = a1.fma(b1, acc11);
            acc12 = a1.fma(b2, acc12);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            acc20 = a2.fma(b0, acc20);
            acc21 = a2.fma(b1, acc21);
            acc22 = a2.fma(b2, acc22);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            acc30 = a3.fma(b0, acc30);
            acc31 = a3.fma(b1, acc31);
            acc32 = a3.fma(b2, acc32);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            acc40 = a4.fma(b0, acc40);
            acc41 = a4.fma(b1, acc41);
            acc42 = a4.fma(b2, acc42);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            acc50 = a5.fma(b0, acc50);
            acc51 = a5.fma(b1, acc51);
            acc52 = a5.fma(b2, acc52);
            FloatVector a6 = FloatVector.broadcast(S, ap[pa + 6]);
            acc60 = a6.fma(b0, acc60);
            acc61 = a6.fma(b1, acc61);
            acc62 = a6.fma(b2, acc62);
            FloatVector a7 = FloatVector.broadcast(S, ap[pa + 7]);
            acc70 = a7.fma(b0, acc70);
            acc71 = a7.fma(b1, acc71);
            acc72 = a7.fma(b2, acc72);
        }
        acc00.intoArray(c, c0);
        acc01.intoArray(c, c0 + VL);
        acc02.intoArray(c, c0 + 2 * VL);
        acc10.intoArray(c, c1);
        acc11.intoArray(c, c1 + VL);
        acc12.intoArray(c, c1 + 2 * VL);
        acc20.intoArray(c, c2);
        acc21.intoArray(c, c2 + VL);
        acc22.intoArray(c, c2 + 2 * VL);
        acc30.intoArray(c, c3);
        acc31.intoArray(c, c3 + VL);
        acc32.intoArray(c, c3 + 2 * VL);
        acc40.intoArray(c, c4);
        acc41.intoArray(c, c4 + VL);
        acc42.intoArray(c, c4 + 2 * VL);
        acc50.intoArray(c, c5);
        acc51.intoArray(c, c5 + VL);
        acc52.intoArray(c, c5 + 2 * VL);
        acc60.intoArray(c, c6);
        acc61.intoArray(c, c6 + VL);
        acc62.intoArray(c, c6 + 2 * VL);
        acc70.intoArray(c, c7);
        acc71.intoArray(c, c7 + VL);
        acc72.intoArray(c, c7 + 2 * VL);
    }

    /** 4 rows x 3 vectors: 12 accumulators, 3 B vectors and one broadcast A value live in registers. */
    static void kernel4x3(int kc, float[] ap, int apOff, float[] bp, int bpOff,
                          float[] c, int cOff, int ldc, boolean loadC) {
        int c0 = cOff;
        int c1 = cOff + ldc;
        int c2 = cOff + 2 * ldc;
        int c3 = cOff + 3 * ldc;
        FloatVector acc00 = loadC ? FloatVector.fromArray(S, c, c0) : FloatVector.zero(S);
        FloatVector acc01 = loadC ? FloatVector.fromArray(S, c, c0 + VL) : FloatVector.zero(S);
        FloatVector acc02 = loadC ? FloatVector.fromArray(S, c, c0 + 2 * VL) : FloatVector.zero(S);
        FloatVector acc10 = loadC ? FloatVector.fromArray(S, c, c1) : FloatVector.zero(S);
        FloatVector acc11 = loadC ? FloatVector.fromArray(S, c, c1 + VL) : FloatVector.zero(S);
        FloatVector acc12 = loadC ? FloatVector.fromArray(S, c, c1 + 2 * VL) : FloatVector.zero(S);
        FloatVector acc20 = loadC ? FloatVector.fromArray(S, c, c2) : FloatVector.zero(S);
        FloatVector acc21 = loadC ? FloatVector.fromArray(S, c, c2 + VL) : FloatVector.zero(S);
        FloatVector acc22 = loadC ? FloatVector.fromArray(S, c, c2 + 2 * VL) : FloatVector.zero(S);
        FloatVector acc30 = loadC ? FloatVector.fromArray(S, c, c3) : FloatVector.zero(S);
        FloatVector acc31 = loadC ? FloatVector.fromArray(S, c, c3 + VL) : FloatVector.zero(S);
        FloatVector acc32 = loadC ? FloatVector.fromArray(S, c, c3 + 2 * VL) : FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pb = bpOff + p * (3 * VL);
            int pa = apOff + p * 4;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + VL);
            FloatVector b2 = FloatVector.fromArray(S, bp, pb + 2 * VL);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            acc00 = a0.fma(b0, acc00);
            acc01 = a0.fma(b1, acc01);
            acc02 = a0.fma(b2, acc02);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            acc10 = a1.fma(b0, acc10);
            acc11 = a1.fma(b1, acc11);
            acc12 = a1.fma(b2, acc12);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            acc20 = a2.fma(b0, acc20);
            acc21 = a2.fma(b1, acc21);
            acc22 = a2.fma(b2, acc22);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            acc30 = a3.fma(b0, acc30);
            acc31 = a3.fma(b1, acc31);
            acc32 = a3.fma(b2, acc32);
        }
        acc00.intoArray(c, c0);
        acc01.intoArray(c, c0 + VL);
        acc02.intoArray(c, c0 + 2 * VL);
        acc10.intoArray(c, c1);
        acc11.intoArray(c, c1 + VL);
        acc12.intoArray(c, c1 + 2 * VL);
        acc20.intoArray(c, c2);
        acc21.intoArray(c, c2 + VL);
        acc22.intoArray(c, c2 + 2 * VL);
        acc30.intoArray(c, c3);
        acc31.intoArray(c, c3 + VL);
        acc32.intoArray(c, c3 + 2 * VL);
    }

}
