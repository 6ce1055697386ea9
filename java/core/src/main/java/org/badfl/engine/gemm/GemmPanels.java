package org.badfl.engine.gemm;

/**
 * The vector GEMM's packing routines and micro-kernel, for callers that reuse packed operands across many
 * small products instead of letting every {@link Gemm#sgemm} call pack its own, e.g. the Gram matrix X·Xᵀ
 * ({@code org.badfl.server.kernels.GramGemm}), which packs each row block once and multiplies it against
 * every other block, and only over the lower triangle (a symmetric rank-k update, BLAS SSYRK).
 * <p>Same layouts and kernel as {@link Gemm}'s vector path: an A panel is {@link #panelRows()} rows of a
 * row-major matrix, stored depth-major ({@code dst[q*MR*depth + p*MR + r]}), a B panel {@link #panelCols()}
 * rows of a row-major matrix read as columns of its transpose ({@code dst[q*NR*depth + p*NR + col]}); partial
 * panels are zero-padded. {@link #multiply} forms one MR × NR tile as one fused-multiply-add chain per output
 * over p in order, so a tile's value does not depend on how the caller tiles the problem.
 * <p>Needs the {@code jdk.incubator.vector} module ({@link Gemm#vectorAvailable()}); every method throws
 * {@link IllegalStateException} without it.
 */
public final class GemmPanels {

    private GemmPanels() {
    }

    /** MR: rows of an A panel and of a tile (8 with AVX-512, 4 with narrower vectors). */
    public static int panelRows() {
        requireVector();
        return Shape.KERNEL.rows;
    }

    /** NR: rows of X in a B panel, columns of a tile (48 with AVX-512, 24 with AVX2). */
    public static int panelCols() {
        requireVector();
        return Shape.KERNEL.vectors * VectorKernels.VL;
    }

    /**
     * Packs rows {@code [row0, row0+rows)} × columns {@code [p0, p0+depth)} of the row-major matrix
     * {@code x} (leading dimension {@code ld}, starting at {@code off}) into ceil(rows/MR) A panels of depth
     * {@code depth} at {@code dst[0..]}.
     */
    public static void packRows(float[] x, int off, int ld, int row0, int rows, int p0, int depth, float[] dst) {
        requireVector();
        checkPack(x, off, ld, row0, rows, p0, depth, dst, roundUp(rows, panelRows()) * depth);
        VectorPacking.packA(false, x, off, ld, row0, rows, p0, depth, panelRows(), dst);
    }

    /**
     * Packs the same block as {@link #packRows}, read as columns of Xᵀ, into ceil(rows/NR) B panels of depth
     * {@code depth} at {@code dst[0..]}.
     */
    public static void packColumns(float[] x, int off, int ld, int row0, int rows, int p0, int depth,
                                   float[] dst) {
        requireVector();
        checkPack(x, off, ld, row0, rows, p0, depth, dst, roundUp(rows, panelCols()) * depth);
        VectorPacking.packB(true, x, off, ld, p0, depth, row0, rows, panelCols(), dst);
    }

    /**
     * One MR × NR tile: {@code c[cOff + r*ldc + col] = (accumulate ? c : 0) + Σ_{p<depth} a[aOff + p*MR + r] ·
     * b[bOff + p*NR + col]}, one FMA chain per output over p in order. No bounds are checked beyond the
     * array accesses themselves (this runs in the innermost loop); the caller keeps the tile inside c.
     */
    public static void multiply(int depth, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc,
                                boolean accumulate) {
        requireVector();
        if (Shape.KERNEL == VectorGemm.KernelShape.ROWS8_VECTORS3) {
            VectorKernels.kernel8x3(depth, a, aOff, b, bOff, c, cOff, ldc, accumulate);
        } else {
            VectorKernels.kernel4x3(depth, a, aOff, b, bOff, c, cOff, ldc, accumulate);
        }
    }

    /** The kernel shape {@link VectorGemm} uses on this machine; loaded only once the vector module is known. */
    private static final class Shape {
        static final VectorGemm.KernelShape KERNEL = VectorGemm.KernelShape.forPreferredSpecies();
    }

    private static void requireVector() {
        if (!Gemm.vectorAvailable()) {
            throw new IllegalStateException("GemmPanels needs module jdk.incubator.vector, which is not in the "
                    + "boot layer: start java with --add-modules jdk.incubator.vector");
        }
    }

    private static void checkPack(float[] x, int off, int ld, int row0, int rows, int p0, int depth, float[] dst,
                                  long dstLength) {
        if (x == null || dst == null) {
            throw new IllegalArgumentException("x and dst must not be null");
        }
        if (off < 0 || row0 < 0 || rows < 0 || p0 < 0 || depth < 0 || ld < p0 + depth) {
            throw new IllegalArgumentException("packing needs off, row0, rows, p0, depth >= 0 and ld >= p0 + depth,"
                    + " got off=" + off + " row0=" + row0 + " rows=" + rows + " p0=" + p0 + " depth=" + depth
                    + " ld=" + ld);
        }
        long end = rows == 0 ? 0 : off + (long) (row0 + rows - 1) * ld + p0 + depth;
        if (end > x.length) {
            throw new IllegalArgumentException("x needs at least " + end + " floats for rows " + row0 + ".."
                    + (row0 + rows - 1) + " with ld=" + ld + " at offset " + off + ", found " + x.length);
        }
        if (dstLength > dst.length) {
            throw new IllegalArgumentException("dst needs at least " + dstLength + " floats for " + rows
                    + " rows of depth " + depth + ", found " + dst.length);
        }
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
