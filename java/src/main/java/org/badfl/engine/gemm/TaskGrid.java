package org.badfl.engine.gemm;

/**
 * How one GEMM's m x n output is cut into independent tasks: a grid of row bands x column bands.
 * <p>The grid depends only on (m, n, k) and the implementation's fixed costs (micro-tile size, packing cost,
 * minimum work per task), never on the thread count, and every task computes its outputs over the whole k
 * range. With a fixed per-element accumulation order this makes results bit-identical on any number of threads.
 * <p>Cost model: every task packs its own rows of op(A) and columns of op(B), so a grid of R x C bands does
 * {@code W(R, C) = 2mnk + k (C m costA + R n costB)} flop-equivalents of work ({@code cost*}: flops the kernel
 * could have done in the time one value is packed). Splitting more helps only while the repeated packing stays
 * small. The task count is the largest power of two T (a power of two divides evenly among 1, 2, 4, ...
 * threads) with {@code T <= maxTasks}, {@code 2mnk / T >= minTaskFlops} and
 * {@code min W(R, C) over R C >= T <= (1 + maxOverhead) W(1, 1)}; the grid is that minimiser. Bands are whole
 * micro-tiles spread evenly (sizes differ by at most one micro-tile).
 */
final class TaskGrid {

    /**
     * The fixed part of the split rules, one per GEMM implementation.
     * @param rowAlign     band heights are multiples of this (the micro-kernel's rows), except the last
     * @param colAlign     band widths are multiples of this (the micro-kernel's columns), except the last
     * @param minTaskFlops no task gets less than this much work
     * @param maxTasks     most tasks one GEMM is cut into
     * @param maxOverhead  most extra work (repeated packing) a split may add, relative to one task
     */
    record Costs(int rowAlign, int colAlign, long minTaskFlops, int maxTasks, double maxOverhead) {
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
     * @param costA  packing cost of one value of op(A), in flops (depends on the layout: copy or transpose)
     * @param costB  the same for op(B)
     */
    static TaskGrid of(int m, int n, int k, Costs c, double costA, double costB) {
        int rowUnits = ceilDiv(m, c.rowAlign());
        int colUnits = ceilDiv(n, c.colAlign());
        double flops = 2.0 * m * n * Math.max(k, 1);
        double byWork = flops / Math.max(1, c.minTaskFlops());
        double limit = Math.min(Math.min(c.maxTasks(), byWork), (double) rowUnits * colUnits);
        double single = flops + (double) k * (m * costA + n * costB);
        int bestRows = 1;
        int bestCols = 1;
        for (int target = 2; target <= limit; target *= 2) {
            int rows = 0;
            int cols = 0;
            double best = Double.MAX_VALUE;
            for (int r = 1; r <= Math.min(rowUnits, target); r++) {
                int cl = ceilDiv(target, r);
                if (cl > colUnits) {
                    continue;
                }
                double work = flops + (double) k * ((double) cl * m * costA + (double) r * n * costB);
                if (work < best) {
                    best = work;
                    rows = r;
                    cols = cl;
                }
            }
            if (rows == 0 || best > (1 + c.maxOverhead()) * single) {
                break;
            }
            bestRows = rows;
            bestCols = cols;
        }
        return new TaskGrid(m, n, c.rowAlign(), c.colAlign(), bestRows, bestCols);
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
