package org.badfl.server.badfl;

import static org.badfl.server.badfl.Lmca.fmt;

import java.util.Arrays;
import java.util.List;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;
import org.badfl.server.RoundUpdates;
import org.badfl.server.AggregationKernels;

/**
 * Malicious local weight elimination (BADFL, Zhang et al., TKDE 2024, Section V-B, eq. 9-10, Algorithm 3 lines
 * 8-9), as read in docs/BADFL.md (interpretation): the flagged updates are clipped against the benign ones, then
 * G ← G + Σ p_i Δ'_i with p_i = n_i / Σ n_j. Modes:
 * <ul>
 *   <li>{@link Mode#LAYER} (default; Fig. 10: "clips based on the median of the L2 norm of the layer parameter"):
 *       for each flagged update i and layer l of the layout, ρ_il = median over benign j of ‖Δ_j,l‖ / ‖Δ_i,l‖ and
 *       Δ_i,l ← Δ_i,l · min(1, ρ_il). Every layer is clipped, BatchNorm running statistics included (clipping them
 *       to the benign median keeps a malicious client from shifting them).</li>
 *   <li>{@link Mode#COORDINATE} (eq. 9 literally, read on magnitudes): per coordinate, with m_j the median of the
 *       benign updates, Δ_i[j] ← Δ_i[j]·|m_j|/|Δ_i[j]| when |Δ_i[j]| &gt; |m_j|, else unchanged.</li>
 *   <li>{@link Mode#REMOVE}: flagged updates are dropped; the others' weights are renormalised.</li>
 *   <li>{@link Mode#GM} (CRFL's clipping by the global model's norm, Fig. 10): the flagged model W_i = G + Δ_i is
 *       scaled to norm at most ‖G‖ (trainable parameters): W_i ← W_i·min(1, ‖G‖/‖W_i‖).</li>
 *   <li>{@link Mode#LM} (FLAME's clipping by the median of the local update norms, Fig. 10): flagged
 *       Δ_i ← Δ_i·min(1, S/‖Δ_i‖), S = median of ‖Δ_j‖ over all updates (trainable parameters).</li>
 * </ul>
 * When no update is judged benign (all flagged), there is no reference: G ← G + coordinate-wise median of all
 * updates, and the note says so (every mode).
 */
public final class WeightElimination {

    /** How flagged updates are eliminated. */
    public enum Mode { LAYER, COORDINATE, REMOVE, GM, LM }

    private final Mode mode;

    public WeightElimination(Mode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("badfl: clipping mode must be given (layer, coordinate, remove, gm, lm)");
        }
        this.mode = mode;
    }

    public Mode mode() {
        return mode;
    }

    /**
     * What happened to the updates.
     *
     * @param global      the new G = G + Σ p_i Δ'_i (noise not yet added)
     * @param removed     per row: not used at all (mode REMOVE)
     * @param clipped     per row: changed by the clipping
     * @param description per row: what the clipping did ("4 of 8 layers clipped, smallest factor 0.21"), or null
     * @param note        round-level note (the all-flagged fallback), empty otherwise
     */
    public record Outcome(float[] global, boolean[] removed, boolean[] clipped, String[] description, String note) {
    }

    /**
     * Clips the flagged updates and aggregates.
     *
     * @param global  G (not modified)
     * @param updates the round's updates (not modified), at least one
     * @param flagged per row: judged malicious
     * @param bounded per row: an extra factor in (0, 1] applied to the whole update before everything else (BADFL's
     *                norm guard for extreme updates), or null for none
     */
    public Outcome aggregate(float[] global, ParamLayout layout, RoundUpdates updates, boolean[] flagged,
                             double[] bounded, Compute compute) {
        return aggregate(global, layout, updates, flagged, bounded, AggregationKernels.cpu(compute), compute);
    }

    /**
     * As {@link #aggregate(float[], ParamLayout, RoundUpdates, boolean[], double[], Compute)}, with the medians and
     * the weighted sum on {@code kernels} (the server's, e.g. a GPU's); per-layer norms stay on {@code compute}.
     */
    public Outcome aggregate(float[] global, ParamLayout layout, RoundUpdates updates, boolean[] flagged,
                             double[] bounded, AggregationKernels kernels, Compute compute) {
        int n = updates.size();
        if (n == 0) {
            throw new IllegalArgumentException("weight elimination: no updates");
        }
        boolean[] removed = new boolean[n];
        boolean[] clipped = new boolean[n];
        String[] description = new String[n];
        int benignCount = 0;
        for (boolean f : flagged) {
            if (!f) {
                benignCount++;
            }
        }
        float[] next = global.clone();
        if (benignCount == 0) {
            float[] median = new float[layout.size()];
            kernels.median(boundedRows(updates, bounded), median);
            for (int c = 0; c < next.length; c++) {
                next[c] += median[c];
            }
            Arrays.fill(clipped, true);
            Arrays.fill(description, "replaced by the coordinate-wise median of all updates");
            return new Outcome(next, removed, clipped, description, "every update flagged: no benign reference for "
                + "clipping, G += coordinate-wise median of all " + n + " updates");
        }

        // host copies only for the modes that edit rows; the others aggregate the updates where they are (a device)
        float[][] rows = mode == Mode.COORDINATE || mode == Mode.GM ? updates.rows().clone() : null;
        double[] weights = updates.sampleWeights();
        List<ParamLayout.Entry> entries = layout.entries();
        double[][] layerScale = new double[n][];
        if (bounded != null) {
            for (int i = 0; i < n; i++) {
                if (bounded[i] < 1) {
                    layerScale[i] = filled(entries.size(), bounded[i]);
                }
            }
        }
        switch (mode) {
            case LAYER -> clipLayers(updates, flagged, layout, layerScale, clipped, description, compute);
            case COORDINATE -> clipCoordinates(updates, flagged, layerScale, layout, rows, clipped, description,
                kernels);
            case REMOVE -> {
                double kept = 0;
                for (int i = 0; i < n; i++) {
                    if (flagged[i]) {
                        removed[i] = true;
                        weights[i] = 0;
                        description[i] = "removed";
                    } else {
                        kept += weights[i];
                    }
                }
                for (int i = 0; i < n; i++) {
                    weights[i] = kept > 0 ? weights[i] / kept : 0;
                }
            }
            case GM -> clipToGlobalNorm(global, updates, flagged, layerScale, layout, rows, clipped, description,
                compute);
            case LM -> clipToMedianNorm(updates, flagged, layout, layerScale, clipped, description, compute);
            default -> throw new IllegalStateException("unhandled mode " + mode);
        }
        if (mode == Mode.COORDINATE || mode == Mode.GM) {
            kernels.accumulateLayerScaled(rows, weights, layerScale, layout, next); // rows edited by the clipping
        } else {
            kernels.accumulateLayerScaled(updates, weights, layerScale, layout, next); // rows as sent, in place
        }
        return new Outcome(next, removed, clipped, description, "");
    }

    /** Rows with the norm-guard factor applied (copies only where a factor is below 1). */
    private static float[][] boundedRows(RoundUpdates updates, double[] bounded) {
        float[][] rows = updates.rows().clone();
        if (bounded != null) {
            for (int i = 0; i < rows.length; i++) {
                if (bounded[i] < 1) {
                    float[] r = rows[i].clone();
                    for (int c = 0; c < r.length; c++) {
                        r[c] = (float) (r[c] * bounded[i]);
                    }
                    rows[i] = r;
                }
            }
        }
        return rows;
    }

    /** Layer mode: ρ_il = median_benign ‖Δ_j,l‖ / ‖Δ_i,l‖. */
    private static void clipLayers(RoundUpdates updates, boolean[] flagged, ParamLayout layout, double[][] layerScale,
                                   boolean[] clipped, String[] description, Compute compute) {
        int n = updates.size();
        List<ParamLayout.Entry> entries = layout.entries();
        double[][] norms = layerNorms(updates.rows(), layout, layerScale, compute);
        double[] reference = new double[entries.size()];
        for (int l = 0; l < entries.size(); l++) {
            double[] benign = new double[n];
            int b = 0;
            for (int i = 0; i < n; i++) {
                if (!flagged[i]) {
                    benign[b++] = norms[i][l];
                }
            }
            reference[l] = Lmca.median(Arrays.copyOf(benign, b));
        }
        for (int i = 0; i < n; i++) {
            if (!flagged[i]) {
                continue;
            }
            double[] scale = layerScale[i] == null ? filled(entries.size(), 1.0) : layerScale[i];
            int count = 0;
            double smallest = 1;
            for (int l = 0; l < entries.size(); l++) {
                if (norms[i][l] > reference[l]) {
                    double rho = reference[l] / norms[i][l];
                    scale[l] *= rho;
                    count++;
                    smallest = Math.min(smallest, rho);
                }
            }
            layerScale[i] = scale;
            clipped[i] = count > 0;
            description[i] = count == 0 ? "no layer above the benign median norm"
                : count + " of " + entries.size() + " layers clipped to the benign median norm (smallest factor "
                + fmt(smallest) + ")";
        }
    }

    /** Coordinate mode: eq. (9) on magnitudes against the benign coordinate-wise median. */
    private static void clipCoordinates(RoundUpdates updates, boolean[] flagged, double[][] layerScale,
                                        ParamLayout layout, float[][] rows, boolean[] clipped, String[] description,
                                        AggregationKernels kernels) {
        int n = updates.size();
        float[][] scaledRows = new float[n][];
        int benignCount = 0;
        for (int i = 0; i < n; i++) {
            scaledRows[i] = applyScale(updates.row(i), layerScale[i], layout);
            if (!flagged[i]) {
                benignCount++;
            }
        }
        float[][] benign = new float[benignCount][];
        int b = 0;
        for (int i = 0; i < n; i++) {
            if (!flagged[i]) {
                benign[b++] = scaledRows[i];
            }
        }
        float[] median = new float[layout.size()];
        kernels.median(benign, median);
        for (int i = 0; i < n; i++) {
            rows[i] = scaledRows[i];
            layerScale[i] = null; // already applied
            if (!flagged[i]) {
                continue;
            }
            float[] r = scaledRows[i] == updates.row(i) ? scaledRows[i].clone() : scaledRows[i];
            int count = 0;
            for (int c = 0; c < r.length; c++) {
                float limit = Math.abs(median[c]);
                if (Math.abs(r[c]) > limit) {
                    r[c] = Math.copySign(limit, r[c]);
                    count++;
                }
            }
            rows[i] = r;
            clipped[i] = count > 0;
            description[i] = count + " of " + r.length + " coordinates clipped to the benign median magnitude";
        }
    }

    /** GM: W_i ← W_i·min(1, ‖G‖/‖W_i‖) on the trainable parameters, i.e. Δ'_i = f·(G + Δ_i) − G. */
    private static void clipToGlobalNorm(float[] global, RoundUpdates updates, boolean[] flagged,
                                         double[][] layerScale, ParamLayout layout, float[][] rows,
                                         boolean[] clipped, String[] description, Compute compute) {
        int[] ranges = layout.trainableRanges();
        double globalNorm = Math.sqrt(squaredNorm(global, ranges));
        for (int i = 0; i < updates.size(); i++) {
            if (!flagged[i]) {
                continue;
            }
            float[] delta = applyScale(updates.row(i), layerScale[i], layout);
            layerScale[i] = null;
            double modelNorm = 0;
            for (int r = 0; r < ranges.length; r += 2) {
                for (int c = ranges[r]; c < ranges[r + 1]; c++) {
                    double w = (double) global[c] + delta[c];
                    modelNorm += w * w;
                }
            }
            modelNorm = Math.sqrt(modelNorm);
            if (modelNorm > globalNorm) {
                double f = globalNorm / modelNorm;
                float[] out = delta == updates.row(i) ? delta.clone() : delta;
                for (int r = 0; r < ranges.length; r += 2) {
                    for (int c = ranges[r]; c < ranges[r + 1]; c++) {
                        out[c] = (float) (f * ((double) global[c] + delta[c]) - global[c]);
                    }
                }
                rows[i] = out;
                clipped[i] = true;
                description[i] = "model norm " + fmt(modelNorm) + " clipped to the global model's " + fmt(globalNorm);
            } else {
                rows[i] = delta;
                description[i] = "model norm " + fmt(modelNorm) + " within the global model's " + fmt(globalNorm);
            }
        }
    }

    /** LM: Δ_i ← Δ_i·min(1, S/‖Δ_i‖), S = median of all update norms (trainable parameters). */
    private static void clipToMedianNorm(RoundUpdates updates, boolean[] flagged, ParamLayout layout,
                                         double[][] layerScale, boolean[] clipped, String[] description,
                                         Compute compute) {
        int n = updates.size();
        int[] ranges = layout.trainableRanges();
        List<ParamLayout.Entry> entries = layout.entries();
        double[] norms = new double[n];
        compute.parallelFor(n, i -> norms[i] = Math.sqrt(squaredNorm(updates.row(i), ranges))
            * (layerScale[i] == null ? 1.0 : layerScale[i][0]));
        double bound = Lmca.median(norms);
        for (int i = 0; i < n; i++) {
            if (!flagged[i]) {
                continue;
            }
            if (norms[i] > bound) {
                double f = bound / norms[i];
                double[] scale = layerScale[i] == null ? filled(entries.size(), 1.0) : layerScale[i];
                for (int l = 0; l < entries.size(); l++) {
                    if (entries.get(l).kind().trainable()) {
                        scale[l] *= f;
                    }
                }
                layerScale[i] = scale;
                clipped[i] = true;
                description[i] = "norm " + fmt(norms[i]) + " clipped to the median update norm " + fmt(bound);
            } else {
                description[i] = "norm " + fmt(norms[i]) + " within the median update norm " + fmt(bound);
            }
        }
    }

    /** ‖Δ_i,l‖ per row and layout entry (with a row's scale applied), one task per row. */
    static double[][] layerNorms(float[][] rows, ParamLayout layout, double[][] layerScale, Compute compute) {
        List<ParamLayout.Entry> entries = layout.entries();
        double[][] norms = new double[rows.length][entries.size()];
        compute.parallelFor(rows.length, i -> {
            for (int l = 0; l < entries.size(); l++) {
                ParamLayout.Entry e = entries.get(l);
                double s = 0;
                for (int c = e.offset(); c < e.end(); c++) {
                    s += (double) rows[i][c] * rows[i][c];
                }
                norms[i][l] = Math.sqrt(s) * (layerScale == null || layerScale[i] == null ? 1.0 : layerScale[i][l]);
            }
        });
        return norms;
    }

    /** The row scaled per entry (the row itself when scale is null). */
    private static float[] applyScale(float[] row, double[] scale, ParamLayout layout) {
        if (scale == null) {
            return row;
        }
        float[] out = row.clone();
        List<ParamLayout.Entry> entries = layout.entries();
        for (int l = 0; l < entries.size(); l++) {
            ParamLayout.Entry e = entries.get(l);
            for (int c = e.offset(); c < e.end(); c++) {
                out[c] = (float) (out[c] * scale[l]);
            }
        }
        return out;
    }

    private static double squaredNorm(float[] v, int[] ranges) {
        double s = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int c = ranges[r]; c < ranges[r + 1]; c++) {
                s += (double) v[c] * v[c];
            }
        }
        return s;
    }

    private static double[] filled(int size, double value) {
        double[] a = new double[size];
        Arrays.fill(a, value);
        return a;
    }
}
