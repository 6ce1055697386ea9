package org.badfl.server.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.badfl.engine.Compute;
import org.badfl.engine.gemm.GemmPanels;

/**
 * {@link Gram} for many rows: X·Xᵀ as a symmetric rank-k update (BLAS SSYRK) on the engine's GEMM micro-kernel
 * and packing ({@link GemmPanels}). The direct kernels ({@link GramVector}) form 4×4 tiles of dot products and
 * re-read every row once per tile row, which is right for a round (n ≤ a few hundred updates of millions of
 * coordinates) but leaves a square problem (thousands of rows) memory-bound; packed panels reuse each row
 * from cache across a whole block, as in the GEMM (K. Goto, R. van de Geijn, ACM TOMS 34(3), 2008).
 * <p>What a black-box GEMM per block pair would waste, this driver avoids: each band of NR rows is packed
 * once per group, in both panel layouts (A: MR-row panels; B: the band as NR columns of Xᵀ), and serves as
 * both operands; only MR × NR tiles that touch the lower triangle are multiplied (the diagonal's waste is
 * below one tile per MR rows); slice results are added in double in an accumulator that holds each task's
 * tiles in the order it forms them (streamed, not scattered), and on the last slice written with their
 * transposes straight into the n × n result, so there is no packed triangle and no expansion pass; and the
 * float-range check runs on each band while it is in cache for packing.
 * <p>Order of work, fixed by the problem only (bit-identical on any thread count):
 * <ol>
 *   <li>The selected coordinates (the ranges, concatenated) are taken in groups of {@link #groupLength}
 *       coordinates (a multiple of {@value #SLICE}, except the last group); each band of a group is copied,
 *       checked and packed.</li>
 *   <li>Each group is cut into slices of {@value #SLICE} coordinates; every tile's slice product is one float
 *       FMA chain of ≤ {@value #SLICE} terms per entry ({@link GemmPanels#multiply}), added in double to its
 *       entries of the result, slice after slice.</li>
 * </ol>
 * Rounding: per slice at most (SLICE + 1)·2⁻²⁴·Σ|x_ic·x_jc| (float FMA summation), the same order as the
 * vector kernel's lanes ({@value Gram#CHUNK}/16 = 512 terms); slices are added in double. Non-finite or
 * out-of-range products are not recomputed in double here, so {@link #compute} gives up (returns null) as soon
 * as a selected value lies outside float's safe range (see {@link #inSafeRange}) and {@link Gram} takes the
 * vector path, which has that fallback (only adversarial updates get there; the work done so far is lost).
 */
final class GramGemm {

    /** Coordinates per float FMA chain (the float accumulation length). */
    static final int SLICE = 512;
    /** Rows from which {@link Gram} takes this path. */
    static final int MIN_ROWS = 192;
    /** B panels (bands) per column block: the block (NR·COLUMN_BANDS columns × one slice) stays in L2. */
    private static final int COLUMN_BANDS = 5;
    /** Bound on |x| below which products cannot overflow or round to subnormal float in a slice. */
    private static final float MAX_SAFE = 1e15f;
    private static final float MIN_SAFE = 1e-15f;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Per-thread copy of one band's group (NR rows × group length), reused across calls. */
    private static final ThreadLocal<float[][]> BAND_COPY = ThreadLocal.withInitial(() -> new float[1][0]);

    private GramGemm() {
    }

    /** Coordinates per packed group: a multiple of {@value #SLICE}, ≤ 16 slices, about 2^20 floats per layout. */
    static int groupLength(int n) {
        int slices = Math.max(1, Math.min(16, (1 << 20) / (Math.max(1, n) * SLICE)));
        return slices * SLICE;
    }

    /**
     * The n × n Gram matrix (row-major, symmetric bit for bit) over the ranges, or null when a selected value
     * is outside float's safe range.
     */
    static double[] compute(float[][] rows, int[] ranges, Compute compute) {
        int n = rows.length;
        long total = 0;
        for (int k = 0; k < ranges.length; k += 2) {
            total += ranges[k + 1] - ranges[k];
        }
        double[] g = new double[n * n];
        if (n == 0 || total == 0) {
            return g;
        }
        int nr = GemmPanels.panelCols();
        int bands = (n + nr - 1) / nr;
        int group = groupLength(n);
        int maxLen = (int) Math.min(group, total);
        float[][] packedA = new float[bands][nr * maxLen]; // NR is a multiple of MR: NR/MR A panels per band
        float[][] packedB = new float[bands][nr * maxLen];
        int[] taskBands = taskBands(bands, compute.threads());
        int tasks = taskBands.length - 1;
        double[][] acc = new double[tasks][];
        boolean manySlices = total > SLICE;
        int[] cursor = {0, ranges[0]}; // range index, next coordinate
        for (long done = 0; done < total; ) {
            int len = (int) Math.min(group, total - done);
            int[] segments = nextSegments(ranges, cursor, len);
            if (!packGroup(rows, segments, len, packedA, packedB, compute)) {
                return null;
            }
            boolean first = done == 0;
            boolean last = done + len == total;
            compute.parallelFor(tasks, t -> {
                if (acc[t] == null && manySlices) {
                    acc[t] = new double[tileCount(taskBands[t], taskBands[t + 1], n)
                        * GemmPanels.panelRows() * nr];
                }
                multiplyBands(taskBands[t], taskBands[t + 1], len, packedA, packedB, acc[t], g, n, first, last);
            });
            done += len;
        }
        return g;
    }

    /**
     * Copies, checks and packs every band of the group; false when a value is outside the safe range. The
     * copy (NR rows × len, ~200 KB) stays in L2 for the check and both packings.
     */
    private static boolean packGroup(float[][] rows, int[] segments, int len, float[][] packedA,
                                     float[][] packedB, Compute compute) {
        int n = rows.length;
        int nr = GemmPanels.panelCols();
        boolean[] unsafe = new boolean[packedA.length];
        compute.parallelFor(packedA.length, b -> {
            int row0 = b * nr;
            int count = Math.min(nr, n - row0);
            float[][] holder = BAND_COPY.get();
            if (holder[0].length < nr * len) {
                holder[0] = new float[nr * len];
            }
            float[] band = holder[0];
            for (int r = 0; r < count; r++) {
                int col = 0;
                for (int k = 0; k < segments.length; k += 2) {
                    int l = segments[k + 1] - segments[k];
                    System.arraycopy(rows[row0 + r], segments[k], band, r * len + col, l);
                    col += l;
                }
            }
            if (!inSafeRange(band, 0, count * len)) {
                unsafe[b] = true;
                return;
            }
            GemmPanels.packRows(band, 0, len, 0, count, 0, len, packedA[b]);
            GemmPanels.packColumns(band, 0, len, 0, count, 0, len, packedB[b]);
        });
        for (boolean u : unsafe) {
            if (u) {
                return false;
            }
        }
        return true;
    }

    /**
     * Rows of bands [b0, b1) against every column band up to their own, over one packed group, slice after
     * slice: for each column block (≤ {@value #COLUMN_BANDS} B panels, kept in L2), every A panel of the rows
     * (kept in L1) times the block's B panels. Slice results are added in double to {@code acc}, the task's
     * tiles one after another in this loop order (the same every slice, so the accumulator is streamed, not
     * scattered over the n × n result); the final slice writes result entries of these rows (and their
     * transposes) only, so tasks never share an entry.
     *
     * @param acc   the task's accumulator (tiles × MR·NR doubles), null when there is only one slice in all
     * @param first whether this group holds the first slice (which sets the accumulator instead of adding)
     * @param last  whether this group holds the last slice (which writes g)
     */
    private static void multiplyBands(int b0, int b1, int len, float[][] packedA, float[][] packedB, double[] acc,
                                      double[] g, int n, boolean first, boolean last) {
        int mr = GemmPanels.panelRows();
        int nr = GemmPanels.panelCols();
        float[] tile = new float[mr * nr];
        for (int s = 0; s < len; s += SLICE) {
            int depth = Math.min(SLICE, len - s);
            boolean firstSlice = first && s == 0;
            boolean lastSlice = last && s + SLICE >= len;
            int k = 0; // the tile's offset in acc
            for (int jb0 = 0; jb0 < b1; jb0 += COLUMN_BANDS) {
                int jb1 = Math.min(b1, jb0 + COLUMN_BANDS);
                for (int ib = Math.max(b0, jb0); ib < b1; ib++) {
                    int bandRows = Math.min(nr, n - ib * nr);
                    float[] a = packedA[ib];
                    for (int q = 0; q * mr < bandRows; q++) {
                        int row0 = ib * nr + q * mr;
                        int tileRows = Math.min(mr, n - row0);
                        int aOff = q * mr * len + s * mr;
                        for (int jb = jb0; jb < Math.min(jb1, ib + 1); jb++, k += mr * nr) {
                            GemmPanels.multiply(depth, a, aOff, packedB[jb], s * nr, tile, 0, nr, false);
                            if (lastSlice) {
                                int col0 = jb * nr;
                                writeTile(tile, firstSlice ? null : acc, k, nr, g, n, row0, tileRows, col0,
                                    Math.min(nr, n - col0), jb == ib);
                            } else if (firstSlice) {
                                for (int e = 0; e < mr * nr; e++) {
                                    acc[k + e] = tile[e];
                                }
                            } else {
                                for (int e = 0; e < mr * nr; e++) {
                                    acc[k + e] += tile[e];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Tiles (MR × NR) task {@code b0..b1} forms per slice: its accumulator's length is this times MR·NR. */
    private static int tileCount(int b0, int b1, int n) {
        int mr = GemmPanels.panelRows();
        int nr = GemmPanels.panelCols();
        int tiles = 0;
        for (int ib = b0; ib < b1; ib++) {
            int panels = (Math.min(nr, n - ib * nr) + mr - 1) / mr;
            tiles += panels * (ib + 1);
        }
        return tiles;
    }

    /**
     * Final slice: g = accumulator (if any) + tile, in double, for the tile's entries on or below the diagonal,
     * then copies those below it to their transposed places.
     */
    private static void writeTile(float[] tile, double[] acc, int k, int nr, double[] g, int n, int row0, int rows,
                                  int col0, int cols, boolean diagonal) {
        for (int r = 0; r < rows; r++) {
            int i = row0 + r;
            int width = diagonal ? Math.min(cols, i - col0 + 1) : cols;
            int base = i * n + col0;
            int t = r * nr;
            if (acc == null) {
                for (int c = 0; c < width; c++) {
                    g[base + c] = tile[t + c];
                }
            } else {
                for (int c = 0; c < width; c++) {
                    g[base + c] = acc[k + t + c] + tile[t + c];
                }
            }
        }
        // Column by column: each of the tile's columns is a run of `rows` doubles in the upper triangle.
        for (int c = 0; c < cols; c++) {
            int j = col0 + c;
            int firstRow = diagonal ? Math.max(0, j + 1 - row0) : 0;
            int base = j * n + row0;
            for (int r = firstRow; r < rows; r++) {
                g[base + r] = g[(row0 + r) * n + j];
            }
        }
    }

    /**
     * Band boundaries of the parallel tasks: one task per thread count of 1, else 3 per thread, cut so that
     * the tasks' triangle areas (∝ band index) are about equal. The results do not depend on it.
     */
    static int[] taskBands(int bands, int threads) {
        int tasks = Math.min(bands, threads <= 1 ? 1 : 3 * threads);
        int[] cut = new int[tasks + 1];
        for (int t = 1; t <= tasks; t++) {
            int b = (int) Math.round(bands * Math.sqrt((double) t / tasks));
            // At least one band per task: after the previous cut, and leaving one for each later task.
            cut[t] = Math.max(cut[t - 1] + 1, Math.min(bands - (tasks - t), b));
        }
        return cut;
    }

    /**
     * True when every value of x[from, to) is 0 or has a magnitude in [1e-15, 1e15] (NaN is not): then no
     * product or slice sum leaves float's normal range and the float chains are within their rounding bound.
     */
    static boolean inSafeRange(float[] x, int from, int to) {
        FloatVector max = FloatVector.broadcast(S, MAX_SAFE);
        FloatVector min = FloatVector.broadcast(S, MIN_SAFE);
        VectorMask<Float> bad = S.maskAll(false);
        int c = from;
        for (; c + S.length() <= to; c += S.length()) {
            FloatVector a = FloatVector.fromArray(S, x, c).abs();
            bad = bad.or(a.compare(VectorOperators.LE, max).not())
                .or(a.compare(VectorOperators.LT, min).and(a.compare(VectorOperators.GT, 0f)));
        }
        if (bad.anyTrue()) {
            return false;
        }
        for (; c < to; c++) {
            float a = Math.abs(x[c]);
            if (!(a <= MAX_SAFE) || (a < MIN_SAFE && a != 0f)) {
                return false;
            }
        }
        return true;
    }

    /** The next {@code len} selected coordinates as segments [s0, e0, s1, e1, ...]; advances the cursor. */
    private static int[] nextSegments(int[] ranges, int[] cursor, int len) {
        int[] out = new int[0];
        int left = len;
        while (left > 0) {
            int r = cursor[0];
            int start = cursor[1];
            int end = Math.min(ranges[2 * r + 1], start + left);
            if (end > start) {
                out = java.util.Arrays.copyOf(out, out.length + 2);
                out[out.length - 2] = start;
                out[out.length - 1] = end;
                left -= end - start;
            }
            if (end == ranges[2 * r + 1] && r + 1 < ranges.length / 2) {
                cursor[0] = r + 1;
                cursor[1] = ranges[2 * r + 2];
            } else {
                cursor[1] = end;
            }
        }
        return out;
    }
}
