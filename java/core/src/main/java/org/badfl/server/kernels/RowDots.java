package org.badfl.server.kernels;

import java.util.List;
import java.util.Objects;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;

/**
 * O(n·d) companions of {@link Gram} for defenses that need less than the n×n matrix, in one pass over the
 * rows: dot products of every row with one vector (FLTrust's ⟨Δ_i, g_0⟩), squared norms (‖Δ_i‖² for
 * clipping), and squared norms per layout entry (‖Δ_i,l‖², BADFL's layer-wise weight elimination, layer-wise
 * norm clipping).
 * <p>Accumulation as in {@link Gram}: chunks of {@value Gram#CHUNK} coordinates cut within each range (each
 * layout entry for the per-layer norms), float FMA in SIMD lanes within a chunk, lanes and chunks added in
 * double in a fixed order (chunk partials outside float's normal range recomputed in double), fixed tasks
 * summed in task order: bit-identical on any thread count, and within (m + 1)·2⁻²⁴·Σ|x_c·y_c| of the exact
 * sum (m = {@value Gram#CHUNK}/L). The scalar path sums every product in double.
 */
public final class RowDots {

    private RowDots() {
    }

    /**
     * @param rows   n rows (not modified)
     * @param v      vector of the rows' length (not modified); null for the rows themselves (squared norms)
     * @param ranges coordinate ranges {@code [s0, e0, ...]}
     * @return ⟨rows[i], v⟩ over the ranges for each row
     */
    public static double[] dots(float[][] rows, float[] v, int[] ranges, Compute compute) {
        KernelArgs.rows("row dots", rows, 0, 0);
        int length = KernelArgs.minLength(rows);
        if (v != null) {
            length = Math.min(length, v.length);
        }
        KernelArgs.ranges("row dots", ranges, length);
        return dots(rows, v, ranges, compute, VectorSupport.enabled());
    }

    /** ‖rows[i]‖² over the ranges for each row. */
    public static double[] squaredNorms(float[][] rows, int[] ranges, Compute compute) {
        return dots(rows, null, ranges, compute);
    }

    /**
     * {@link #dots} with {@code v} and {@link #squaredNorms} in one pass over the rows (FLTrust's ⟨Δ_i, g_0⟩ and
     * ‖Δ_i‖²): each chunk of a row is read from memory once and used for both sums while it is in cache. Each
     * result is bit-identical to the separate call (same chunk sums, same order).
     *
     * @return {@code [0]}: ⟨rows[i], v⟩; {@code [1]}: ‖rows[i]‖², over the ranges
     */
    public static double[][] dotsAndSquaredNorms(float[][] rows, float[] v, int[] ranges, Compute compute) {
        Objects.requireNonNull(v, "row dots: v");
        KernelArgs.rows("row dots", rows, 0, 0);
        KernelArgs.ranges("row dots", ranges, Math.min(KernelArgs.minLength(rows), v.length));
        return dotsAndSquaredNorms(rows, v, ranges, compute, VectorSupport.enabled());
    }

    static double[][] dotsAndSquaredNorms(float[][] rows, float[] v, int[] ranges, Compute compute, boolean vector) {
        int n = rows.length;
        int[] chunks = Gram.chunks(ranges);
        int chunkCount = chunks.length / 2;
        int perTask = Gram.CHUNKS_PER_TASK;
        int tasks = (chunkCount + perTask - 1) / perTask;
        double[][][] partials = new double[tasks][][];
        compute.parallelFor(tasks, t -> {
            double[][] p = new double[2][n];
            for (int k = t * perTask; k < Math.min(chunkCount, (t + 1) * perTask); k++) {
                int s = chunks[2 * k];
                int e = chunks[2 * k + 1];
                for (int i = 0; i < n; i++) {
                    float[] x = rows[i];
                    p[0][i] += vector ? RowDotsVector.dot(x, v, s, e) : doubleDot(x, v, s, e);
                    p[1][i] += vector ? RowDotsVector.dot(x, x, s, e) : doubleDot(x, x, s, e);
                }
            }
            partials[t] = p;
        });
        double[][] out = new double[2][n];
        for (double[][] p : partials) {
            for (int i = 0; i < n; i++) {
                out[0][i] += p[0][i];
                out[1][i] += p[1][i];
            }
        }
        return out;
    }

    /**
     * ‖rows[i] restricted to entry l‖² for every row i and layout entry l (BatchNorm statistics included;
     * callers skip them by {@link org.badfl.engine.ParamKind#trainable()}).
     *
     * @return [n][entries]
     */
    public static double[][] layerSquaredNorms(float[][] rows, ParamLayout layout, Compute compute) {
        Objects.requireNonNull(layout, "layout");
        KernelArgs.rows("layer norms", rows, 0, layout.size());
        return layerSquaredNorms(rows, layout, compute, VectorSupport.enabled());
    }

    static double[] dots(float[][] rows, float[] v, int[] ranges, Compute compute, boolean vector) {
        int n = rows.length;
        int[] chunks = Gram.chunks(ranges);
        int[] slot = new int[chunks.length / 2]; // every chunk adds to slot 0
        double[][] perSlot = run(rows, v, chunks, slot, 1, compute, vector);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = perSlot[i][0];
        }
        return out;
    }

    static double[][] layerSquaredNorms(float[][] rows, ParamLayout layout, Compute compute, boolean vector) {
        List<ParamLayout.Entry> entries = layout.entries();
        int[] ranges = new int[2 * entries.size()];
        for (int l = 0; l < entries.size(); l++) {
            ranges[2 * l] = entries.get(l).offset();
            ranges[2 * l + 1] = entries.get(l).end();
        }
        return rangeSquaredNorms(rows, ranges, compute, vector);
    }

    /** ‖rows[i] restricted to range r‖² as [n][ranges]. */
    static double[][] rangeSquaredNorms(float[][] rows, int[] ranges, Compute compute, boolean vector) {
        return run(rows, null, Gram.chunks(ranges), Gram.chunkRanges(ranges), ranges.length / 2, compute, vector);
    }

    /** Sums chunk k's dot products into out[i][slot[k]]; tasks are fixed runs of chunks summed in order. */
    private static double[][] run(float[][] rows, float[] v, int[] chunks, int[] slot, int slots, Compute compute,
                                  boolean vector) {
        int n = rows.length;
        int chunkCount = chunks.length / 2;
        int perTask = Gram.CHUNKS_PER_TASK;
        int tasks = (chunkCount + perTask - 1) / perTask;
        double[][][] partials = new double[tasks][][];
        compute.parallelFor(tasks, t -> {
            double[][] p = new double[n][slots];
            for (int k = t * perTask; k < Math.min(chunkCount, (t + 1) * perTask); k++) {
                int s = chunks[2 * k];
                int e = chunks[2 * k + 1];
                for (int i = 0; i < n; i++) {
                    float[] y = v == null ? rows[i] : v;
                    p[i][slot[k]] += vector ? RowDotsVector.dot(rows[i], y, s, e) : doubleDot(rows[i], y, s, e);
                }
            }
            partials[t] = p;
        });
        double[][] out = new double[n][slots];
        for (double[][] p : partials) {
            for (int i = 0; i < n; i++) {
                for (int l = 0; l < slots; l++) {
                    out[i][l] += p[i][l];
                }
            }
        }
        return out;
    }

    /** Σ x[c]·y[c] over [s, e) in double. */
    static double doubleDot(float[] x, float[] y, int s, int e) {
        double sum = 0;
        for (int c = s; c < e; c++) {
            sum += (double) x[c] * y[c];
        }
        return sum;
    }
}
