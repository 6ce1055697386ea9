package org.badfl.engine.gemm;

/**
 * Register-tiled, cache-blocked SGEMM on the Vector API (GotoBLAS/BLIS loop structure: K. Goto,
 * R. van de Geijn, ACM TOMS 34(3), 2008; F. Van Zee, R. van de Geijn, ACM TOMS 41(3), 2015).
 * <pre>
 * task = one band of C (TaskGrid)
 *   for jc over the tile's columns, step NC        B block kc x NC stays in L2
 *     for each k block pc (one block up to 1.25 KC, else nearly equal blocks <= KC)
 *       pack op(B)[pc, jc] into NR-wide panels
 *       for ic over the tile's rows, step MC
 *         pack op(A)[ic, pc] into MR-high panels    one A panel (MR x kc) stays in L1
 *                                                 (or read them from a PackedA, packed once for all rows)
 *         for each A panel: for each B panel: micro-kernel (VectorKernels) on an MR x NR tile of C
 * </pre>
 * With B not transposed and k at most {@link #DIRECT_B_MAX_K}, full B panels are not packed: the kernel
 * reads their rows in place ({@link VectorKernels#kernel8x3Direct}, AVX-512 shape only);
 * only a partial last panel is packed (zero-padded). Same FMA chains, same bits.
 * The first k block overwrites C (unless {@code accumulate}), later blocks add to it, so every output is one
 * FMA chain over p = 0..k-1 in order, whatever the tiling (k blocks depend on k only; tasks never split k).
 * Hence results are bit-identical for any task grid and any thread count. Partial tiles at the right/bottom
 * edge run the same kernel on a zero-padded copy of the tile.
 * <p>Narrow NT products go to {@link VectorDotGemm} instead ({@link #prefersDot}).
 * <p>Loaded only when the {@code jdk.incubator.vector} module is present (see {@link Gemm}).
 */
final class VectorGemm implements GemmImpl {

    /** Micro-kernel shapes: rows of A broadcast x vectors of B per step. */
    enum KernelShape {
        /** 24 accumulators: for 32 vector registers (AVX-512). */
        ROWS8_VECTORS3(8, 3),
        /** 12 accumulators: for 16 vector registers (AVX2). */
        ROWS4_VECTORS3(4, 3);

        final int rows;
        final int vectors;

        KernelShape(int rows, int vectors) {
            this.rows = rows;
            this.vectors = vectors;
        }

        /** The shape whose accumulators fit this machine's vector registers (AVX-512 has 32, AVX2 16). */
        static KernelShape forPreferredSpecies() {
            return VectorKernels.VL >= 16 ? ROWS8_VECTORS3 : ROWS4_VECTORS3;
        }
    }

    /**
     * Packing cost per value in kernel flops, measured on a 2.5 GHz AVX-512 Xeon with operands larger than the
     * caches: about 0.9 ns per value for copies and transposes alike (memory-bound) against a kernel doing
     * 75-100 GFLOP/s; transposes cost more when the operand is cache-resident (0.4-0.6 ns vs 0.25 ns).
     */
    private static final double COPY_COST = 50;
    private static final double TRANSPOSE_A_COST = 70;
    private static final double TRANSPOSE_B_COST = 90;

    /** Per-thread packing buffers, grown on demand and reused by every GEMM the thread runs. */
    private static final class Workspace {
        float[] packedA = new float[0];
        float[] packedB = new float[0];
        float[] tile = new float[0];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private final KernelShape shape;
    private final int mr;
    private final int nr;
    private final int kcMax;
    private final int mcMax;
    private final int ncMax;
    private final TaskGrid.Costs costs;
    /** The unpacked dot-product path for NT products with a small side (see {@link #prefersDot}). */
    private final VectorDotGemm dot;
    /**
     * Direct B only for products this shallow: measured on a quiet 2.5 GHz AVX-512 Xeon (1 thread, GFLOP/s
     * packed vs direct), 32x576x9 (first convolution of the paper CNN) 37 vs 43, but 64x576x288 82 vs 65-70,
     * 288x576x64 (A transposed) 85-90 vs 76-81, 256^3 82-86 vs 69-72, 1024^3 84-90 vs 36-39: reading B in place
     * only pays when each panel is too short for its packing to be amortised.
     */
    static final int DIRECT_B_MAX_K = 32;
    /**
     * Whether full B panels of B-not-transposed products are read in place (no packing copy); system property
     * {@code badfl.gemm.directB=false} turns it off (for measurements; the bits are the same either way).
     */
    private final boolean directB;

    /** The tuned configuration for this machine's preferred vector species. */
    VectorGemm() {
        this(KernelShape.forPreferredSpecies(), 256, 16, 10, 2_000_000L, 16, 1024);
    }

    /**
     * @param shape        micro-kernel shape (MR = shape.rows, NR = shape.vectors * vector length)
     * @param kcMax        largest k block (depth of the packed panels; A panel MR x kc must stay in L1)
     * @param mcPanels     A block height in MR panels
     * @param ncPanels     B block width in NR panels (B block kcMax x NC must stay in L2)
     * @param minTaskFlops a task gets at least this much work (a parallel loop costs ~10 us to start)
     * @param maxTasks     most tasks one GEMM is cut into
     * @param dotKBlock    k block of the NT dot-product path ({@link VectorDotGemm}); 0 disables that path
     */
    VectorGemm(KernelShape shape, int kcMax, int mcPanels, int ncPanels, long minTaskFlops, int maxTasks,
               int dotKBlock) {
        this(shape, kcMax, mcPanels, ncPanels, minTaskFlops, maxTasks, dotKBlock,
                !"false".equals(System.getProperty("badfl.gemm.directB")));
    }

    /** As above; {@code directB}: read full B panels in place when B is not transposed (see {@link #DIRECT_B_MAX_K}). */
    VectorGemm(KernelShape shape, int kcMax, int mcPanels, int ncPanels, long minTaskFlops, int maxTasks,
               int dotKBlock, boolean directB) {
        if (kcMax < 1 || mcPanels < 1 || ncPanels < 1 || maxTasks < 1) {
            throw new IllegalArgumentException("GEMM blocking must be positive, got kcMax=" + kcMax
                    + " mcPanels=" + mcPanels + " ncPanels=" + ncPanels + " maxTasks=" + maxTasks);
        }
        this.shape = shape;
        this.mr = shape.rows;
        this.nr = shape.vectors * VectorKernels.VL;
        this.kcMax = kcMax;
        this.mcMax = mcPanels * mr;
        this.ncMax = ncPanels * nr;
        this.costs = new TaskGrid.Costs(mr, nr, minTaskFlops, maxTasks);
        this.dot = dotKBlock == 0 ? null : new VectorDotGemm(dotKBlock, minTaskFlops, maxTasks);
        this.directB = directB;
    }

    @Override
    public String describe() {
        return "vector " + VectorKernels.S + " kernel " + mr + "x" + nr + " KC=" + kcMax + " MC=" + mcMax
                + " NC=" + ncMax + (directB && shape == KernelShape.ROWS8_VECTORS3 ? ", direct B (k <= "
                + DIRECT_B_MAX_K + ")" : "") + (dot == null ? "" : ", NT dot path " + dot.describe());
    }

    /** The task split this implementation uses for an m x n x k product on {@code threads} threads. */
    TaskGrid grid(boolean transA, boolean transB, int m, int n, int k, int threads) {
        return TaskGrid.of(m, n, k, threads, costs, transA ? COPY_COST : TRANSPOSE_A_COST,
                transB ? TRANSPOSE_B_COST : COPY_COST);
    }

    /**
     * Whether an NT product runs on {@link VectorDotGemm}: when its estimated cost (measured about 2.6x the
     * packed kernel's time per flop, edge elements 4x) is below the packed path's (padding of partial tiles
     * plus transposing both operands). This depends on the shape only, never on threads: the two paths round
     * differently. In practice the dot path takes products with a narrow side, e.g. 32 x 9 x 43264 (conv1
     * weight gradient: 10x faster than padding 9 columns to a 48-wide panel) and 64 x 10 x 128; the packed path
     * takes 64 x 288 x 36864, 64 x 128 x 9216, 100 x 100 x 100000 and all square products.
     */
    boolean prefersDot(int m, int n, int k) {
        if (dot == null || k < 8 * VectorKernels.VL) {
            return false;
        }
        double flops = 2.0 * m * n * k;
        double padded = flops * ((double) roundUp(m, mr) / m) * ((double) roundUp(n, nr) / n);
        double packed = padded + (double) k * (m * TRANSPOSE_A_COST + n * TRANSPOSE_B_COST);
        double tiled = (double) (m - m % VectorDotGemm.TILE_ROWS) * (n - n % VectorDotGemm.TILE_COLS) / m / n;
        double dotCost = flops * 2.6 * (tiled + 4 * (1 - tiled));
        return dotCost < packed;
    }

    @Override
    public void sgemm(Parallel compute, boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc, boolean accumulate) {
        if (!transA && transB && prefersDot(m, n, k)) {
            dot.sgemm(compute, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        TaskGrid grid = grid(transA, transB, m, n, k, compute.threads());
        compute.parallelFor(grid.tasks(), t -> computeTile(transA, transB, k, a, aOff, lda, null, 0, b, bOff, ldb,
                c, cOff, ldc, accumulate, grid.rowStart(t), grid.rowEnd(t), grid.colStart(t), grid.colEnd(t)));
    }

    /**
     * Number of k blocks of a product with depth k: one block up to 1.25 KC (a k a little above KC, such as
     * the 288 of a 3x3 convolution over 32 channels, is not cut in two), else ceil(k / KC) nearly equal
     * blocks. Depends on k only; the blocks only decide where C is stored and reloaded between parts of each
     * output's FMA chain, never the chain itself.
     */
    int kBlocks(int k) {
        return k <= kcMax + kcMax / 4 ? 1 : TaskGrid.ceilDiv(k, kcMax);
    }

    /**
     * All A panels of op(A) (m x k): for k block kb (start pc, depth kc), the roundUp(m, MR) / MR panels of
     * depth kc from {@code roundUp(m, MR) * pc}, panel q at {@code + q * MR * kc}: the layout
     * {@link VectorPacking#packA} gives any row block starting at a multiple of MR.
     */
    @Override
    public float[] packA(boolean transA, int m, int k, float[] a, int aOff, int lda, float[] reuse) {
        int mPadded = roundUp(m, mr);
        float[] panels = reuse != null && reuse.length >= mPadded * k ? reuse : new float[mPadded * k];
        int kBlocks = kBlocks(k);
        for (int kb = 0; kb < kBlocks; kb++) {
            int pc = GemmImpl.kBlockStart(k, kBlocks, kb);
            int kc = GemmImpl.kBlockStart(k, kBlocks, kb + 1) - pc;
            float[] block = ensure(WORKSPACE.get().packedA, mPadded * kc);
            WORKSPACE.get().packedA = block;
            VectorPacking.packA(transA, a, aOff, lda, 0, m, pc, kc, mr, block);
            System.arraycopy(block, 0, panels, mPadded * pc, mPadded * kc);
        }
        return panels;
    }

    @Override
    public void sgemmPacked(Parallel compute, PackedA packed, boolean transB, int n, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        int m = packed.m;
        int k = packed.k;
        if (packed.panels == null || (!packed.transA && transB && prefersDot(m, n, k))) {
            sgemm(compute, packed.transA, transB, m, n, k, packed.a, packed.aOff, packed.lda, b, bOff, ldb,
                    c, cOff, ldc, accumulate);
            return;
        }
        // A is packed already: its packing costs nothing any more in the split.
        TaskGrid grid = TaskGrid.of(m, n, k, compute.threads(), costs, 0, transB ? TRANSPOSE_B_COST : COPY_COST);
        float[] panels = packed.panels;
        compute.parallelFor(grid.tasks(), t -> computeTile(packed.transA, transB, k, packed.a, packed.aOff,
                packed.lda, panels, roundUp(m, mr), b, bOff, ldb, c, cOff, ldc, accumulate, grid.rowStart(t),
                grid.rowEnd(t), grid.colStart(t), grid.colEnd(t)));
    }

    /** All of C[i0:i1, j0:j1] over the whole k range. */
    private void computeTile(boolean transA, boolean transB, int k, float[] a, int aOff, int lda,
                             float[] prePacked, int mPadded,
                             float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate,
                             int i0, int i1, int j0, int j1) {
        Workspace ws = WORKSPACE.get();
        int kBlocks = kBlocks(k);
        int kcLargest = TaskGrid.ceilDiv(k, kBlocks);
        float[] packedA = prePacked;
        if (prePacked == null) {
            packedA = ensure(ws.packedA, Math.min(mcMax, roundUp(i1 - i0, mr)) * kcLargest);
            ws.packedA = packedA;
        }
        float[] packedB = ensure(ws.packedB, Math.min(ncMax, roundUp(j1 - j0, nr)) * kcLargest);
        ws.packedB = packedB;
        float[] tile = ensure(ws.tile, mr * nr);
        ws.tile = tile;

        boolean direct = directB && !transB && shape == KernelShape.ROWS8_VECTORS3 && k <= DIRECT_B_MAX_K;
        for (int jc = j0; jc < j1; jc += ncMax) {
            int nc = Math.min(ncMax, j1 - jc);
            // Direct B: full panels are read in place, only a partial last panel is packed (zero-padded).
            int directCols = direct ? nc - nc % nr : 0;
            for (int kb = 0; kb < kBlocks; kb++) {
                int pc = GemmImpl.kBlockStart(k, kBlocks, kb);
                int kc = GemmImpl.kBlockStart(k, kBlocks, kb + 1) - pc;
                boolean loadC = accumulate || kb > 0;
                if (directCols < nc) {
                    VectorPacking.packB(transB, b, bOff, ldb, pc, kc, jc + directCols, nc - directCols, nr, packedB);
                }
                for (int ic = i0; ic < i1; ic += mcMax) {
                    int mc = Math.min(mcMax, i1 - ic);
                    int aBase = 0;
                    if (prePacked == null) {
                        VectorPacking.packA(transA, a, aOff, lda, ic, mc, pc, kc, mr, packedA);
                    } else {
                        aBase = mPadded * pc + ic * kc;
                    }
                    for (int ir = 0; ir < mc; ir += mr) {
                        int rows = Math.min(mr, mc - ir);
                        int aPanel = aBase + ir * kc;
                        for (int jr = 0; jr < nc; jr += nr) {
                            int cols = Math.min(nr, nc - jr);
                            int cIdx = cOff + (ic + ir) * ldc + jc + jr;
                            if (jr < directCols) {
                                int bIdx = bOff + pc * ldb + jc + jr;
                                if (rows == mr) {
                                    VectorKernels.kernel8x3Direct(kc, packedA, aPanel, b, bIdx, ldb, c, cIdx, ldc, loadC);
                                } else {
                                    edgeRowsDirect(kc, packedA, aPanel, b, bIdx, ldb, c, cIdx, ldc, loadC, rows, tile);
                                }
                                continue;
                            }
                            int bPanel = (jr - directCols) * kc;
                            if (rows == mr && cols == nr) {
                                kernel(kc, packedA, aPanel, packedB, bPanel, c, cIdx, ldc, loadC);
                            } else {
                                edgeTile(kc, packedA, aPanel, packedB, bPanel, c, cIdx, ldc, loadC, rows, cols, tile);
                            }
                        }
                    }
                }
            }
        }
    }

    /** A partial tile: run the full kernel on a zero-padded MR x NR copy, then write back the valid part. */
    private void edgeTile(int kc, float[] ap, int aPanel, float[] bp, int bPanel, float[] c, int cIdx, int ldc, boolean loadC, int rows, int cols, float[] tile) {
        java.util.Arrays.fill(tile, 0, mr * nr, 0f);
        if (loadC) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(c, cIdx + r * ldc, tile, r * nr, cols);
            }
        }
        kernel(kc, ap, aPanel, bp, bPanel, tile, 0, nr, loadC);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(tile, r * nr, c, cIdx + r * ldc, cols);
        }
    }

    /** A tile with fewer than MR rows and all NR columns, B read in place: as {@link #edgeTile}. */
    private void edgeRowsDirect(int kc, float[] ap, int aPanel, float[] b, int bIdx, int ldb, float[] c, int cIdx,
                                int ldc, boolean loadC, int rows, float[] tile) {
        java.util.Arrays.fill(tile, 0, mr * nr, 0f);
        if (loadC) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(c, cIdx + r * ldc, tile, r * nr, nr);
            }
        }
        VectorKernels.kernel8x3Direct(kc, ap, aPanel, b, bIdx, ldb, tile, 0, nr, loadC);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(tile, r * nr, c, cIdx + r * ldc, nr);
        }
    }

    private void kernel(int kc, float[] ap, int aPanel, float[] bp, int bPanel, float[] c, int cIdx, int ldc,
                        boolean loadC) {
        if (shape == KernelShape.ROWS8_VECTORS3) {
            VectorKernels.kernel8x3(kc, ap, aPanel, bp, bPanel, c, cIdx, ldc, loadC);
        } else {
            VectorKernels.kernel4x3(kc, ap, aPanel, bp, bPanel, c, cIdx, ldc, loadC);
        }
    }

    private static float[] ensure(float[] buffer, int size) {
        return buffer.length >= size ? buffer : new float[size];
    }

    private static int roundUp(int x, int multiple) {
        return TaskGrid.ceilDiv(x, multiple) * multiple;
    }
}
