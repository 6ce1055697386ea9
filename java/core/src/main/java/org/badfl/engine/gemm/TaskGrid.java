package org.badfl.engine.gemm;

/**
 * How one GEMM's m x n output is cut into independent tasks: a grid of row bands x column bands, every task
 * computing its outputs over the whole k range.
 * <p>Determinism does not rest on this split: both implementations compute every output element as the same
 * chain of float operations over p = 0..k-1 (k blocks depend on k only; packing copies values exactly; edge
 * tiles run the same kernel), whichever task or tile position it falls in. So the grid may use the thread
 * count: one thread gets one task (no repeated packing), P threads get about P or 2P tasks. Tests check that
 * 1, 2 and 3 threads (different grids) give bit-identical results.
 * <p>Cost model: every task packs its own rows of op(A) and columns of op(B), and bands are whole micro-tiles,
 * so a grid of R x C bands does {@code W(R, C) = 2mnk * imb(R) * imb(C) + k (C m costA + R n costB)}
 * flop-equivalents of work. {@code cost*} are the flops the kernel could have done in the time one value is
 * packed; {@code imb(B) = ceil(U / B) * B / U} is the load imbalance of B bands over U micro-tiles (bands of
 * 1 and 2 tiles make the slowest task twice the average). Candidates: T = 1 and T = P, 2P, 4P, ... up to
 * {@code maxTasks}, while {@code 2mnk / T >= minTaskFlops}; each T takes its cheapest grid with R C >= T, and
 * the T with the smallest estimated time {@code W / min(P, T)} wins (ties: fewer tasks). Bands are spread
 * evenly (sizes differ by at most one micro-tile).
 */
final class TaskGrid {

    /**
     * The fixed part of the split rules, one per GEMM implementation.
     * @param rowAlign     band heights are multiples of this (the micro-kernel's rows), except the last
     * @param colAlign     band widths are multiples of this (the micro-kernel's columns), except the last
     * @param minTaskFlops no split gives a task less work than this (starting a parallel loop costs ~10 us)
     * @param maxTasks     most tasks one GEMM is cut into
     */
    record Costs(int rowAlign, int colAlign, long minTaskFlops, int maxTasks) {
    }

    private final int m;
    private final int n;
    private final int rowAlign;
    private final int colAlign;
    private final int rowUnits;
    private final int colUnits;
    final int rowBands;
    final int colBands;

    private TaskGrid(int m, int n, int rowAlign, int colAlign, int rowBands, int colBands) {
        this.m = m;
        this.n = n;
        this.rowAlign = rowAlign;
        this.colAlign = colAlign;
        this.rowUnits = ceilDiv(m, rowAlign);
        this.colUnits = ceilDiv(n, colAlign);
        this.rowBands = rowBands;
        this.colBands = colBands;
    }

    /**
     * @param threads threads that will run the tasks
     * @param costA   packing cost of one value of op(A), in kernel flops (depends on the layout)
     * @param costB   the same for op(B)
     */
    static TaskGrid of(int m, int n, int k, int threads, Costs c, double costA, double costB) {
        int rowUnits = ceilDiv(m, c.rowAlign());
        int colUnits = ceilDiv(n, c.colAlign());
        double flops = 2.0 * m * n * Math.max(k, 1);
        double byWork = flops / Math.max(1, c.minTaskFlops());
        double limit = Math.min(Math.min(c.maxTasks(), byWork), (double) rowUnits * colUnits);
        int bestRows = 1;
        int bestCols = 1;
        double bestTime = flops + (double) k * (m * costA + n * costB);
        for (long target = Math.max(2, threads); target <= limit && threads > 1; target *= 2) {
            for (int r = 1; r <= Math.min(rowUnits, target); r++) {
                long cl = (target + r - 1) / r;
                if (cl > colUnits) {
                    continue;
                }
                double work = flops * imbalance(r, rowUnits) * imbalance((int) cl, colUnits)
                        + (double) k * ((double) cl * m * costA + (double) r * n * costB);
                double time = work / Math.min(threads, r * cl);
                if (time < bestTime) {
                    bestTime = time;
                    bestRows = r;
                    bestCols = (int) cl;
                }
            }
        }
        return new TaskGrid(m, n, c.rowAlign(), c.colAlign(), bestRows, bestCols);
    }

    /** Largest band over the average band when `units` micro-tiles are cut into `bands` bands. */
    private static double imbalance(int bands, int units) {
        return (double) ceilDiv(units, bands) * bands / units;
    }

    int tasks() {
        return rowBands * colBands;
    }

    int rowStart(int task) {
        return bandStart(task / colBands, rowBands, rowUnits, rowAlign, m);
    }

    int rowEnd(int task) {
        return bandStart(task / colBands + 1, rowBands, rowUnits, rowAlign, m);
    }

    int colStart(int task) {
        return bandStart(task % colBands, colBands, colUnits, colAlign, n);
    }

    int colEnd(int task) {
        return bandStart(task % colBands + 1, colBands, colUnits, colAlign, n);
    }

    /** Band b of `bands` over `units` micro-tiles of `align` elements, clipped to `size`. */
    private static int bandStart(int band, int bands, int units, int align, int size) {
        long unit = (long) units * band / bands;
        return (int) Math.min(size, unit * align);
    }

    static int ceilDiv(int a, int b) {
        return (int) ((a + (long) b - 1) / b);
    }

    @Override
    public String toString() {
        return rowBands + "x" + colBands + " bands of " + rowUnits + "x" + colUnits + " micro-tiles";
    }
}
