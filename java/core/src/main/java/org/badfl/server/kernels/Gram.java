package org.badfl.server.kernels;

import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;

/**
 * Gram matrix X·Xᵀ of a round's update rows over selected coordinates, in one pass over the rows. Norms,
 * cosine and Euclidean distances, and thus the inputs of LOF, K-means, HDBSCAN, Krum, FLTrust and FLAME, all
 * derive from it ({@code org.badfl.server.detect.GramMatrix}), so no defense makes its own pass over the
 * updates for them.
 * <p>Accumulation: the coordinates are cut into chunks of {@value #CHUNK} (within each range; the cut
 * depends only on the ranges); each chunk's n(n+1)/2 dot products are formed together (every row is read
 * from memory once, then reused from cache), and chunk partials are added in double in chunk order. The
 * Vector API path ({@link GramVector}) forms a chunk's partial with float FMAs in SIMD lanes (one lane sums
 * every L-th coordinate of the chunk: m = {@value #CHUNK}/L terms) in 4×4 register tiles, then adds the L
 * lanes in double; its error against the exact sum is at most (m + 1)·2⁻²⁴·Σ_c|x_ic·x_jc| per chunk
 * (float FMA summation, Higham 2002 §3.1), about 3·10⁻⁵ relative for L = 16 in the worst case and ~10⁻⁶
 * typically. Where a chunk's float sum leaves float's normal range (products overflowing for |x| ≳ 10¹⁹,
 * or subnormal for |x| ≲ 10⁻¹⁹: only adversarial updates), that pair's chunk is recomputed in double. The
 * scalar path sums every product in double. Both thus differ from {@link GramReference} only by rounding,
 * far below what the distances derived from it need ({@code org.badfl.server.detect.GramMatrix}).
 * <p>Tasks are fixed runs of chunks whose partials are added in task order: bit-identical results on any
 * thread count.
 * <p>From {@value GramGemm#MIN_ROWS} rows on (and values in float's safe range), {@link #compute} runs on the
 * engine's GEMM micro-kernel and packing instead ({@link GramGemm}: lower-triangle tiles only, slices of
 * {@value GramGemm#SLICE} coordinates in float added in double, same rounding order of magnitude): there the
 * GEMM's cache blocking beats the direct tiles, which re-read every row once per tile row.
 */
public final class Gram {

    /** Coordinates per chunk: the unit of float accumulation (≤ CHUNK/L terms per SIMD lane). */
    static final int CHUNK = 8192;
    /** Chunks per parallel task (more when n is large, so that task partials stay under ~32 MiB). */
    static final int CHUNKS_PER_TASK = 8;

    private Gram() {
    }

    /**
     * @param rows   n rows of length ≥ every range end (not modified)
     * @param ranges coordinate ranges {@code [s0, e0, s1, e1, ...]} to include (e.g. trainable ranges)
     * @return n×n row-major, symmetric, entry (i,j) = Σ_{c in ranges} rows[i][c]·rows[j][c] (see the class
     *     comment for rounding)
     */
    public static double[] compute(float[][] rows, int[] ranges, Compute compute) {
        KernelArgs.rows("gram", rows, 0, 0);
        int n = rows.length;
        KernelArgs.ranges("gram", ranges, KernelArgs.minLength(rows));
        if (n == 0) {
            return new double[0];
        }
        if (!VectorSupport.enabled()) {
            return expand(GramScalar.lowerTriangle(rows, ranges, false, compute), n);
        }
        if (n >= GramGemm.MIN_ROWS) {
            double[] g = GramGemm.compute(rows, ranges, compute); // many rows: the GEMM's kernel, SYRK-style
            if (g != null) {
                return g;
            }
            // A value outside float's safe range: the vector path has the double fallback.
        }
        return expand(GramVector.lowerTriangle(rows, ranges, false, compute), n);
    }

    /**
     * The Gram matrix over the layout's trainable entries and every row's squared norm per layout entry
     * ‖Δ_i,l‖², from one pass over the rows (the Gram's diagonal tiles form the squared norms of each chunk,
     * and chunks are cut at entry boundaries), e.g. for BADFL's layer-wise weight elimination next to its
     * clustering. Non-trainable entries (BatchNorm statistics) get their norms from a pass over those
     * entries only.
     *
     * @param gram              n×n, as {@link #compute} with {@link ParamLayout#trainableRanges()} (chunks cut
     *                          differently, so equal within the rounding bound, not bit for bit)
     * @param layerSquaredNorms [n][entries]
     */
    public record WithLayerNorms(double[] gram, double[][] layerSquaredNorms) {
    }

    /** {@link WithLayerNorms} of the rows on this layout (rows at least the layout's length). */
    public static WithLayerNorms computeWithLayerNorms(float[][] rows, ParamLayout layout, Compute compute) {
        return computeWithLayerNorms(rows, layout, compute, VectorSupport.enabled());
    }

    static WithLayerNorms computeWithLayerNorms(float[][] rows, ParamLayout layout, Compute compute, boolean vector) {
        java.util.Objects.requireNonNull(layout, "layout");
        KernelArgs.rows("gram", rows, 0, layout.size());
        int n = rows.length;
        java.util.List<ParamLayout.Entry> entries = layout.entries();
        int trainable = 0;
        for (ParamLayout.Entry e : entries) {
            trainable += e.kind().trainable() ? 1 : 0;
        }
        int[] gramRanges = new int[2 * trainable];
        int[] otherRanges = new int[2 * (entries.size() - trainable)];
        int[] gramEntry = new int[trainable];
        int[] otherEntry = new int[entries.size() - trainable];
        for (int l = 0, g = 0, o = 0; l < entries.size(); l++) {
            ParamLayout.Entry e = entries.get(l);
            if (e.kind().trainable()) {
                gramEntry[g] = l;
                gramRanges[2 * g] = e.offset();
                gramRanges[2 * g++ + 1] = e.end();
            } else {
                otherEntry[o] = l;
                otherRanges[2 * o] = e.offset();
                otherRanges[2 * o++ + 1] = e.end();
            }
        }
        double[][] norms = new double[n][entries.size()];
        if (n == 0) {
            return new WithLayerNorms(new double[0], norms);
        }
        double[] all = vector
            ? GramVector.lowerTriangle(rows, gramRanges, true, compute)
            : GramScalar.lowerTriangle(rows, gramRanges, true, compute);
        int tri = n * (n + 1) / 2;
        for (int i = 0; i < n; i++) {
            for (int g = 0; g < trainable; g++) {
                norms[i][gramEntry[g]] = all[tri + i * trainable + g];
            }
        }
        double[][] other = RowDots.rangeSquaredNorms(rows, otherRanges, compute, vector);
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < otherEntry.length; o++) {
                norms[i][otherEntry[o]] = other[i][o];
            }
        }
        return new WithLayerNorms(expand(java.util.Arrays.copyOf(all, tri), n), norms);
    }

    /** Ranges covering all coordinates of rows of length d. */
    public static int[] all(int d) {
        return new int[] {0, d};
    }

    /** Index of entry (i, j), j ≤ i, in a packed lower triangle. */
    static int tri(int i, int j) {
        return i * (i + 1) / 2 + j;
    }

    /** Chunks {@code [s0, e0, s1, e1, ...]}: each range cut every {@link #CHUNK} coordinates from its start. */
    static int[] chunks(int[] ranges) {
        int count = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            count += (ranges[r + 1] - ranges[r] + CHUNK - 1) / CHUNK;
        }
        int[] out = new int[2 * count];
        int k = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int s = ranges[r]; s < ranges[r + 1]; s += CHUNK) {
                out[k++] = s;
                out[k++] = Math.min(ranges[r + 1], s + CHUNK);
            }
        }
        return out;
    }

    /** For each chunk of {@link #chunks}, the index of the range it lies in. */
    static int[] chunkRanges(int[] ranges) {
        int[] chunks = chunks(ranges);
        int[] out = new int[chunks.length / 2];
        int k = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int s = ranges[r]; s < ranges[r + 1]; s += CHUNK) {
                out[k++] = r / 2;
            }
        }
        return out;
    }

    /**
     * Length of a task partial: the packed lower triangle, then (with per-range norms) n × R diagonal sums,
     * entry n(n+1)/2 + i·R + r = Σ over range r of rows[i]².
     */
    static int partialLength(int n, int[] ranges, boolean perRangeNorms) {
        return n * (n + 1) / 2 + (perRangeNorms ? n * (ranges.length / 2) : 0);
    }

    /** Chunks per task for n rows and this many chunks (depends on the problem only, not on threads). */
    static int chunksPerTask(int n, int chunkCount) {
        long triangle = (long) n * (n + 1) / 2;
        long maxTasks = Math.max(1, (1L << 22) / triangle);
        return (int) Math.max(CHUNKS_PER_TASK, (chunkCount + maxTasks - 1) / maxTasks);
    }

    /** Sums task partials ({@link #partialLength} long) in task order. */
    static double[] sumInOrder(double[][] partials, int length) {
        double[] sum = new double[length];
        for (double[] p : partials) {
            for (int k = 0; k < sum.length; k++) {
                sum[k] += p[k];
            }
        }
        return sum;
    }

    private static double[] expand(double[] lower, int n) {
        double[] g = new double[n * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(lower, tri(i, 0), g, i * n, i + 1);
        }
        // Mirror in 64×64 tiles: the column-wise writes of a plain loop miss the cache once per entry for large n.
        int tile = 64;
        for (int i0 = 0; i0 < n; i0 += tile) {
            int i1 = Math.min(n, i0 + tile);
            for (int j0 = 0; j0 <= i0; j0 += tile) {
                int j1 = Math.min(n, j0 + tile);
                for (int i = i0; i < i1; i++) {
                    for (int j = j0; j < Math.min(j1, i); j++) {
                        g[j * n + i] = g[i * n + j];
                    }
                }
            }
        }
        return g;
    }
}
