package org.badfl.server.kernels;

import java.util.List;
import java.util.Objects;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;

/**
 * Weighted sums of update rows with clip factors fused in: the aggregation step of every defense
 * (FedAvg's p_i, FLAME's and NormClipping's per-client clip factors, FLTrust's TS_i·‖g_0‖/‖Δ_i‖,
 * per-layer factors of layer-wise clipping), one pass over the rows.
 * <p>Each chunk of {@value #CHUNK} coordinates accumulates Σ_i coef_i·x_i in a double buffer (L1-resident)
 * while the rows stream through it once, rows in order, each term {@code coef·x} rounded to double then
 * added (no FMA), with {@code coef = weights[i]·layerScale[i][l]}: exactly the sums of
 * {@link WeightedSumReference}, on both paths and on any thread count.
 */
public final class WeightedSum {

    static final int CHUNK = 2048;

    private WeightedSum() {
    }

    /** {@code out[c] += Σ_i weights[i]·rows[i][c]} for c &lt; out.length (summed in double per coordinate). */
    public static void accumulate(float[][] rows, double[] weights, float[] out, Compute compute) {
        accumulate(rows, weights, 0, out.length, out, compute);
    }

    /** As {@link #accumulate(float[][], double[], float[], Compute)} for coordinates {@code [from, to)} only. */
    public static void accumulate(float[][] rows, double[] weights, int from, int to, float[] out, Compute compute) {
        accumulate(rows, weights, from, to, out, compute, VectorSupport.enabled());
    }

    /** {@link #accumulate(float[][], double[], int, int, float[], Compute)} on the chosen path (tests). */
    static void accumulate(float[][] rows, double[] weights, int from, int to, float[] out, Compute compute,
                           boolean vector) {
        KernelArgs.range("weighted sum", from, to, out.length);
        KernelArgs.rows("weighted sum", rows, 0, to);
        checkWeights(rows, weights);
        double[] w = weights.clone();
        compute.parallelRange(to - from, CHUNK, (s, e) -> {
            int cs = from + s;
            int len = e - s;
            double[] acc = new double[len];
            for (int i = 0; i < rows.length; i++) {
                addScaled(vector, rows[i], cs, len, w[i], acc, 0);
            }
            finish(vector, acc, out, cs, len);
        });
    }

    /**
     * {@code out[c] += Σ_i weights[i]·layerScale[i][l(c)]·rows[i][c]}, where l(c) is the layout entry holding
     * coordinate c. {@code layerScale[i]} may be null for "scale 1 everywhere"; otherwise it has one factor
     * per layout entry. {@code out} has the layout's length.
     */
    public static void accumulateLayerScaled(float[][] rows, double[] weights, double[][] layerScale,
                                             ParamLayout layout, float[] out, Compute compute) {
        accumulateLayerScaled(rows, weights, layerScale, layout, out, compute, VectorSupport.enabled());
    }

    /** {@link #accumulateLayerScaled(float[][], double[], double[][], ParamLayout, float[], Compute)} on the chosen path. */
    static void accumulateLayerScaled(float[][] rows, double[] weights, double[][] layerScale,
                                      ParamLayout layout, float[] out, Compute compute, boolean vector) {
        Objects.requireNonNull(layout, "layout");
        layout.checkLength("weighted sum output", out);
        KernelArgs.rows("weighted sum", rows, 0, layout.size());
        checkWeights(rows, weights);
        List<ParamLayout.Entry> entries = layout.entries();
        Objects.requireNonNull(layerScale, "layerScale");
        if (layerScale.length != rows.length) {
            throw new IllegalArgumentException("weighted sum: expected layer scales for " + rows.length
                + " rows, found " + layerScale.length);
        }
        for (int i = 0; i < layerScale.length; i++) {
            if (layerScale[i] != null && layerScale[i].length != entries.size()) {
                throw new IllegalArgumentException("weighted sum: layer scales of row " + i + ": expected "
                    + entries.size() + " (one per layout entry), found " + layerScale[i].length);
            }
        }
        int[] starts = new int[entries.size()];
        int[] ends = new int[entries.size()];
        for (int k = 0; k < starts.length; k++) {
            starts[k] = entries.get(k).offset();
            ends[k] = entries.get(k).end();
        }
        // coef[i][l] = weights[i]·f, the reference's (weights[i]·f)·x association.
        double[][] coef = new double[rows.length][entries.size()];
        for (int i = 0; i < rows.length; i++) {
            for (int l = 0; l < entries.size(); l++) {
                coef[i][l] = weights[i] * (layerScale[i] == null ? 1.0 : layerScale[i][l]);
            }
        }
        compute.parallelRange(layout.size(), CHUNK, (s, e) -> {
            int len = e - s;
            double[] acc = new double[len];
            int first = entryAt(starts, s);
            for (int i = 0; i < rows.length; i++) {
                for (int l = first; l < starts.length && starts[l] < e; l++) {
                    int a = Math.max(s, starts[l]);
                    int b = Math.min(e, ends[l]);
                    if (a < b) {
                        addScaled(vector, rows[i], a, b - a, coef[i][l], acc, a - s);
                    }
                }
            }
            finish(vector, acc, out, s, len);
        });
    }

    /** Index of the last entry starting at or before c. */
    private static int entryAt(int[] starts, int c) {
        int lo = 0;
        int hi = starts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= c) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static void checkWeights(float[][] rows, double[] weights) {
        Objects.requireNonNull(weights, "weighted sum: weights");
        if (weights.length != rows.length) {
            throw new IllegalArgumentException("weighted sum: expected " + rows.length + " weights (one per row), found "
                + weights.length);
        }
    }

    /** {@code acc[at + j] += coef · row[c + j]} for j &lt; len. */
    static void addScaled(boolean vector, float[] row, int c, int len, double coef, double[] acc, int at) {
        if (vector) {
            WeightedSumVector.addScaled(row, c, len, coef, acc, at);
        } else {
            for (int j = 0; j < len; j++) {
                acc[at + j] += coef * row[c + j];
            }
        }
    }

    /** {@code out[c + j] = (float) (out[c + j] + acc[j])}. */
    static void finish(boolean vector, double[] acc, float[] out, int c, int len) {
        if (vector) {
            WeightedSumVector.finish(acc, out, c, len);
        } else {
            for (int j = 0; j < len; j++) {
                out[c + j] = (float) (out[c + j] + acc[j]);
            }
        }
    }
}
