package org.badfl.engine.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C = A * B^T (+ C)} with A stored m x k and B stored n x k (the "NT" case), as dot products along k,
 * without packing: both operands are read in place, row by row. {@link VectorGemm} uses it instead of its
 * packed outer-product kernel when one side of C is narrow and k long (e.g. a convolution weight gradient
 * with 9 columns): there the packed path would pad the narrow side to a whole 48-wide panel and transpose the
 * operands, while this path streams each operand row front to back. Per flop it runs about 2.6x slower than
 * the packed kernel on wide products (each step loads 7 vectors for 12 FMAs).
 * <p>Register tile: 4 rows of A x 3 rows of B, 12 vector accumulators. Element (i, j) accumulates
 * {@code lane l += A[i][p] * B[j][p]} for {@code p = l, l + VL, ...} with one FMA chain per lane; the chains
 * are kept across k blocks in a per-thread buffer and reduced once at the end: lanes summed in order 0..VL-1,
 * then the k % VL leftover products added in order (FMA), then added to C when accumulating. Edge elements
 * (rows past a multiple of 4, columns past a multiple of 3) run {@link #dotOne}, which does the same
 * operations, so every element's value is independent of the tiling and of the thread count.
 */
final class VectorDotGemm {

    static final int TILE_ROWS = 4;
    static final int TILE_COLS = 3;
    /**
     * Outputs handled per pass over k (multiples of the tile): their lane accumulators, at most
     * 64 * 255 * VL floats (1 MB with AVX-512), and the 64 A rows x kBlock stay cache-sized.
     */
    private static final int CHUNK_ROWS = 16 * TILE_ROWS;
    private static final int CHUNK_COLS = 85 * TILE_COLS;
    private static final VectorSpecies<Float> S = VectorKernels.S;
    private static final int VL = VectorKernels.VL;

    /** Per-thread lane accumulators of one block, {@code (i - i0) * blockCols + (j - j0)} -> VL floats. */
    private static final ThreadLocal<float[][]> WORKSPACE = ThreadLocal.withInitial(() -> new float[1][0]);

    private final int kBlock;
    private final TaskGrid.Costs costs;

    /**
     * @param kBlock       depth streamed per pass over a band (A band rows x kBlock should stay in L2)
     * @param minTaskFlops a task gets at least this much work
     * @param maxTasks     most tasks one GEMM is cut into
     */
    VectorDotGemm(int kBlock, long minTaskFlops, int maxTasks) {
        if (kBlock < VL || kBlock % VL != 0) {
            throw new IllegalArgumentException("kBlock must be a positive multiple of " + VL + ", got " + kBlock);
        }
        this.kBlock = kBlock;
        this.costs = new TaskGrid.Costs(TILE_ROWS, TILE_COLS, minTaskFlops, maxTasks);
    }

    String describe() {
        return VectorDotGemm.TILE_ROWS + "x" + VectorDotGemm.TILE_COLS + " KB=" + kBlock;
    }

    TaskGrid grid(int m, int n, int k, int threads) {
        // Nothing is packed, but every task re-reads its band of B for each row band and vice versa from
        // memory; count that like a cheap copy.
        return TaskGrid.of(m, n, k, threads, costs, 10, 10);
    }

    void sgemm(Parallel compute, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               float[] c, int cOff, int ldc, boolean accumulate) {
        TaskGrid grid = grid(m, n, k, compute.threads());
        compute.parallelFor(grid.tasks(), t -> computeBand(k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate,
                grid.rowStart(t), grid.rowEnd(t), grid.colStart(t), grid.colEnd(t)));
    }

    /** A band, in blocks of at most CHUNK_ROWS x CHUNK_COLS outputs so the lane buffer stays bounded. */
    private void computeBand(int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate, int i0, int i1, int j0, int j1) {
        for (int j = j0; j < j1; j += CHUNK_COLS) {
            for (int i = i0; i < i1; i += CHUNK_ROWS) {
                computeBlock(k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate,
                        i, Math.min(i1, i + CHUNK_ROWS), j, Math.min(j1, j + CHUNK_COLS));
            }
        }
    }

    private void computeBlock(int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float[] c, int cOff, int ldc, boolean accumulate, int i0, int i1, int j0, int j1) {
        int rows = i1 - i0;
        int cols = j1 - j0;
        float[][] ws = WORKSPACE.get();
        if (ws[0].length < rows * cols * VL) {
            ws[0] = new float[rows * cols * VL];
        }
        float[] lanes = ws[0];
        int kVector = k - k % VL;
        int fullRows = i0 + (rows - rows % TILE_ROWS);
        int fullCols = j0 + (cols - cols % TILE_COLS);
        for (int p0 = 0; p0 < kVector; p0 += kBlock) {
            int kc = Math.min(kBlock, kVector - p0);
            boolean first = p0 == 0;
            // B tile rows (3 x kc) stay in L1 while the band's A rows stream past from L2.
            for (int j = j0; j < j1; j += TILE_COLS) {
                for (int i = i0; i < i1; i += TILE_ROWS) {
                    int slot = ((i - i0) * cols + (j - j0)) * VL;
                    if (i < fullRows && j < fullCols) {
                        tile4x3(kc, a, aOff + i * lda + p0, lda, b, bOff + j * ldb + p0, ldb, lanes, slot,
                                cols * VL, first);
                    } else {
                        for (int r = i; r < Math.min(i + TILE_ROWS, i1); r++) {
                            for (int q = j; q < Math.min(j + TILE_COLS, j1); q++) {
                                dotOne(kc, a, aOff + r * lda + p0, b, bOff + q * ldb + p0, lanes,
                                        ((r - i0) * cols + (q - j0)) * VL, first);
                            }
                        }
                    }
                }
            }
        }
        for (int i = i0; i < i1; i++) {
            for (int j = j0; j < j1; j++) {
                float sum = 0f;
                if (kVector > 0) {
                    int slot = ((i - i0) * cols + (j - j0)) * VL;
                    sum = lanes[slot];
                    for (int l = 1; l < VL; l++) {
                        sum += lanes[slot + l];
                    }
                }
                int aRow = aOff + i * lda;
                int bRow = bOff + j * ldb;
                for (int p = kVector; p < k; p++) {
                    sum = Math.fma(a[aRow + p], b[bRow + p], sum);
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + sum : sum;
            }
        }
    }

    /**
     * Lane chains of the 4 x 3 elements (A rows at {@code a[ap + r*lda]}, B rows at {@code b[bp + q*ldb]}) over
     * kc depths; element (r, q)'s VL lanes live at {@code lanes[slot + r*rowStride + q*VL]}.
     */
    private static void tile4x3(int kc, float[] a, int ap, int lda, float[] b, int bp, int ldb, float[] lanes,
                                int slot, int rowStride, boolean first) {
        int a0 = ap;
        int a1 = ap + lda;
        int a2 = ap + 2 * lda;
        int a3 = ap + 3 * lda;
        int b0 = bp;
        int b1 = bp + ldb;
        int b2 = bp + 2 * ldb;
        int s0 = slot;
        int s1 = slot + rowStride;
        int s2 = slot + 2 * rowStride;
        int s3 = slot + 3 * rowStride;
        FloatVector c00 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, lanes, s0);
        FloatVector c01 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, lanes, s0 + VL);
        FloatVector c02 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, lanes, s0 + 2 * VL);
        FloatVector c10 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, lanes, s1);
        FloatVector c11 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, lanes, s1 + VL);
        FloatVector c12 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, lanes, s1 + 2 * VL);
        FloatVector c20 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, lanes, s2);
        FloatVector c21 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, lanes, s2 + VL);
        FloatVector c22 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, lanes, s2 + 2 * VL);
        FloatVector c30 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, lanes, s3);
        FloatVector c31 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, lanes, s3 + VL);
        FloatVector c32 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, lanes, s3 + 2 * VL);
        for (int p = 0; p < kc; p += VL) {
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + p);
            FloatVector x3 = FloatVector.fromArray(S, a, a3 + p);
            FloatVector y = FloatVector.fromArray(S, b, b0 + p);
            c00 = x0.fma(y, c00);
            c10 = x1.fma(y, c10);
            c20 = x2.fma(y, c20);
            c30 = x3.fma(y, c30);
            y = FloatVector.fromArray(S, b, b1 + p);
            c01 = x0.fma(y, c01);
            c11 = x1.fma(y, c11);
            c21 = x2.fma(y, c21);
            c31 = x3.fma(y, c31);
            y = FloatVector.fromArray(S, b, b2 + p);
            c02 = x0.fma(y, c02);
            c12 = x1.fma(y, c12);
            c22 = x2.fma(y, c22);
            c32 = x3.fma(y, c32);
        }
        c00.intoArray(lanes, s0);
        c01.intoArray(lanes, s0 + VL);
        c02.intoArray(lanes, s0 + 2 * VL);
        c10.intoArray(lanes, s1);
        c11.intoArray(lanes, s1 + VL);
        c12.intoArray(lanes, s1 + 2 * VL);
        c20.intoArray(lanes, s2);
        c21.intoArray(lanes, s2 + VL);
        c22.intoArray(lanes, s2 + 2 * VL);
        c30.intoArray(lanes, s3);
        c31.intoArray(lanes, s3 + VL);
        c32.intoArray(lanes, s3 + 2 * VL);
    }

    /** One element's lane chain over kc depths: the same operations as one accumulator of {@link #tile4x3}. */
    private static void dotOne(int kc, float[] a, int ap, float[] b, int bp, float[] lanes, int slot,
                               boolean first) {
        FloatVector acc = first ? FloatVector.zero(S) : FloatVector.fromArray(S, lanes, slot);
        for (int p = 0; p < kc; p += VL) {
            FloatVector x = FloatVector.fromArray(S, a, ap + p);
            acc = x.fma(FloatVector.fromArray(S, b, bp + p), acc);
        }
        acc.intoArray(lanes, slot);
    }
}
