package org.badfl.engine.gemm;

/**
 * Plain-Java SGEMM used when the Vector API module is absent (or {@code -Dbadfl.gemm=scalar}). For each k
 * block it copies op(B)[pc, j0:j1] into a contiguous row-major block (which also undoes a transposed B),
 * then updates each C row with {@code c[j] += a(i,p) * b(p,j)} over p in order: the inner loop is a unit-stride
 * axpy that HotSpot's superword pass vectorises without the Vector API.
 * <p>Each output element is one sequential chain of separately rounded multiply and add over p = 0..k-1, so
 * results are bit-identical for any task grid and thread count. They differ from
 * the vector path's fused multiply-adds in the last bits.
 */
final class ScalarGemm implements GemmImpl {

    private static final ThreadLocal<float[][]> WORKSPACE = ThreadLocal.withInitial(() -> new float[2][0]);

    private final int kcMax;
    private final int ncMax;
    private final TaskGrid.Costs costs;

    ScalarGemm() {
        this(128, 512, 2_000_000L, 16);
    }

    /**
     * @param kcMax        depth of one packed B block
     * @param ncMax        width of one packed B block (kcMax x ncMax floats should stay in L2)
     * @param minTaskFlops a task gets at least this much work
     * @param maxTasks     most tasks one GEMM is cut into
     */
    ScalarGemm(int kcMax, int ncMax, long minTaskFlops, int maxTasks) {
        if (kcMax < 1 || ncMax < 1 || maxTasks < 1) {
            throw new IllegalArgumentException("GEMM blocking must be positive, got kcMax=" + kcMax
                    + " ncMax=" + ncMax + " maxTasks=" + maxTasks);
        }
        this.kcMax = kcMax;
        this.ncMax = ncMax;
        // Copies are cheap next to this path's ~2-10 GFLOP/s inner loop: about 2 flops per value.
        this.costs = new TaskGrid.Costs(4, 64, minTaskFlops, maxTasks);
    }

    @Override
    public String describe() {
        return "scalar KC=" + kcMax + " NC=" + ncMax;
    }

    TaskGrid grid(int m, int n, int k, int threads) {
        return TaskGrid.of(m, n, k, threads, costs, 2, 2);
    }

    @Override
    public void sgemm(Parallel compute, boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc, boolean accumulate) {
        TaskGrid grid = grid(m, n, k, compute.threads());
        compute.parallelFor(grid.tasks(), t -> computeTile(transA, transB, k, a, aOff, lda, b, bOff, ldb,
                c, cOff, ldc, accumulate, grid.rowStart(t), grid.rowEnd(t), grid.colStart(t), grid.colEnd(t)));
    }

    private void computeTile(boolean transA, boolean transB, int k, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate,
                             int i0, int i1, int j0, int j1) {
        float[][] ws = WORKSPACE.get();
        int kBlocks = TaskGrid.ceilDiv(k, kcMax);
        int kcLargest = TaskGrid.ceilDiv(k, kBlocks);
        if (ws[0].length < kcLargest * Math.min(ncMax, j1 - j0)) {
            ws[0] = new float[kcLargest * Math.min(ncMax, j1 - j0)];
        }
        if (ws[1].length < kcLargest) {
            ws[1] = new float[kcLargest];
        }
        float[] block = ws[0];
        float[] aRow = ws[1];
        for (int jc = j0; jc < j1; jc += ncMax) {
            int nc = Math.min(ncMax, j1 - jc);
            for (int kb = 0; kb < kBlocks; kb++) {
                int pc = GemmImpl.kBlockStart(k, kBlocks, kb);
                int kc = GemmImpl.kBlockStart(k, kBlocks, kb + 1) - pc;
                boolean loadC = accumulate || kb > 0;
                copyB(transB, b, bOff, ldb, pc, kc, jc, nc, block);
                for (int i = i0; i < i1; i++) {
                    copyARow(transA, a, aOff, lda, i, pc, kc, aRow);
                    int row = cOff + i * ldc + jc;
                    if (!loadC) {
                        java.util.Arrays.fill(c, row, row + nc, 0f);
                    }
                    for (int p = 0; p < kc; p++) {
                        float av = aRow[p];
                        int bRow = p * nc;
                        for (int j = 0; j < nc; j++) {
                            c[row + j] += av * block[bRow + j];
                        }
                    }
                }
            }
        }
    }

    /** op(B)[pc:pc+kc, jc:jc+nc] into {@code dst} as a kc x nc row-major block. */
    private static void copyB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc,
                              float[] dst) {
        if (!transB) {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, bOff + (pc + p) * ldb + jc, dst, p * nc, nc);
            }
            return;
        }
        for (int j = 0; j < nc; j++) {
            int src = bOff + (jc + j) * ldb + pc;
            for (int p = 0; p < kc; p++) {
                dst[p * nc + j] = b[src + p];
            }
        }
    }

    /** Row i of op(A), columns pc..pc+kc-1. */
    private static void copyARow(boolean transA, float[] a, int aOff, int lda, int i, int pc, int kc,
                                 float[] dst) {
        if (!transA) {
            System.arraycopy(a, aOff + i * lda + pc, dst, 0, kc);
            return;
        }
        for (int p = 0; p < kc; p++) {
            dst[p] = a[aOff + (pc + p) * lda + i];
        }
    }
}
