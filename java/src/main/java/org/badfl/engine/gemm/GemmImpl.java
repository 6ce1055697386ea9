package org.badfl.engine.gemm;

import org.badfl.engine.Compute;

/**
 * One way of computing {@link Gemm#sgemm}. {@link Gemm} validates the arguments and handles empty shapes, so
 * implementations get m, n, k >= 1 and index ranges that fit their arrays.
 */
interface GemmImpl {

    void sgemm(Compute compute, boolean transA, boolean transB, int m, int n, int k,
               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               float[] c, int cOff, int ldc, boolean accumulate);

    /** Short description of the kernel and blocking, for logs and benchmark reports. */
    String describe();

    /**
     * Start of k block {@code block} of {@code blocks} nearly equal blocks (sizes differ by at most one), so a
     * k slightly above the block limit does not leave a tiny last block. Depends on k only.
     */
    static int kBlockStart(int k, int blocks, int block) {
        return (int) ((long) k * block / blocks);
    }
}
