package org.badfl.engine.gemm;

/** The plain triple loop that defines what {@link Gemm} computes; tests compare the fast paths with it. */
public final class GemmReference {

    private GemmReference() {
    }

    /** Same contract as {@link Gemm#sgemm}; accumulates each dot product in double. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += (double) av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? (float) (c[ci] + sum) : (float) sum;
            }
        }
    }
}
