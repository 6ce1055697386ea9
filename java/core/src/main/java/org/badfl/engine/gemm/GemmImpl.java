package org.badfl.engine.gemm;

/**
 * One way of computing {@link Gemm#sgemm}. {@link Gemm} validates the arguments and handles empty shapes, so
 * implementations get m, n, k >= 1 and index ranges that fit their arrays.
 */
interface GemmImpl {

    void sgemm(Parallel compute, boolean transA, boolean transB, int m, int n, int k,
               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               float[] c, int cOff, int ldc, boolean accumulate);

    /**
     * Panels of the whole op(A) for {@link #sgemmPacked}, or null when this implementation reads A in place.
     * Arguments as {@link #sgemm}, already validated, m and k >= 1.
     */
    default float[] packA(boolean transA, int m, int k, float[] a, int aOff, int lda, float[] reuse) {
        return null;
    }

    /** {@link #sgemm} with op(A) from {@code packed} (made by this implementation); same bits. */
    default void sgemmPacked(Parallel compute, PackedA packed, boolean transB, int n, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        sgemm(compute, packed.transA, transB, packed.m, n, packed.k, packed.a, packed.aOff, packed.lda,
                b, bOff, ldb, c, cOff, ldc, accumulate);
    }

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
