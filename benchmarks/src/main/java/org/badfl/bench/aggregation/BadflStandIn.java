package org.badfl.bench.aggregation;

import java.util.Arrays;
import java.util.List;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;
import org.badfl.server.RoundUpdates;
import org.badfl.server.detect.GramMatrix;
import org.badfl.server.detect.LocalOutlierFactor;
import org.badfl.server.kernels.Gram;
import org.badfl.server.kernels.WeightedSum;
import org.badfl.server.noise.GaussianNoise;

/**
 * The non-inspection part of a BADFL round (/work/shared/spec/BADFL-INTERPRETATION.md §1 and §3), assembled
 * from the kernels for benchmarking until {@code server/badfl} exists. It is a stand-in, not BADFL: it does
 * the same passes over the updates with the same kernels, and stubs the choices that cost nothing at this
 * scale (K-means on n points and neuron inspection are left out; the LOF outliers play the flagged models).
 * <ol>
 *   <li>Gram matrix over trainable parameters and per-layer norms ‖Δ_i,l‖ in one pass, O(n²d)
 *   ({@link Gram#computeWithLayerNorms}) → cosine distances → LOF, k = max(2, ⌈n/2⌉).</li>
 *   <li>Layer-wise elimination: flagged i, layer l: ρ_il = median_benign ‖Δ_j,l‖ / ‖Δ_i,l‖, factor min(1, ρ_il).</li>
 *   <li>G + Σ p_i·f_il·Δ_i with the factors fused (one pass, O(nd)).</li>
 *   <li>Gaussian noise σ = 0.001 on the trainable parameters (O(d)).</li>
 * </ol>
 */
final class BadflStandIn {

    private BadflStandIn() {
    }

    static float[] round(float[] global, RoundUpdates updates, long seed, Compute compute) {
        ParamLayout layout = updates.layout();
        float[][] rows = updates.rows();
        int n = rows.length;
        int[] trainable = layout.trainableRanges();
        Gram.WithLayerNorms pass = Gram.computeWithLayerNorms(rows, layout, compute);
        GramMatrix gram = GramMatrix.wrap(pass.gram(), n);
        int[] flagged = new LocalOutlierFactor(Math.max(2, (n + 1) / 2)).score(gram.cosineDistances()).outliers(1.5);
        double[][] layerNorms = pass.layerSquaredNorms();
        double[][] scale = eliminationFactors(layout, layerNorms, flagged);
        float[] next = global.clone();
        WeightedSum.accumulateLayerScaled(rows, updates.sampleWeights(), scale, layout, next, compute);
        for (int r = 0; r < trainable.length; r += 2) {
            GaussianNoise.add(next, trainable[r], trainable[r + 1], 1e-3, seed, 0, compute);
        }
        return next;
    }

    private static double[][] eliminationFactors(ParamLayout layout, double[][] squaredNorms, int[] flagged) {
        int n = squaredNorms.length;
        List<ParamLayout.Entry> entries = layout.entries();
        boolean[] isFlagged = new boolean[n];
        for (int i : flagged) {
            isFlagged[i] = true;
        }
        double[][] scale = new double[n][];
        if (flagged.length == n) {
            return scale; // nobody benign: BADFL falls back to the median; not modelled here
        }
        double[] benign = new double[n - flagged.length];
        for (int i : flagged) {
            scale[i] = new double[entries.size()];
            for (int l = 0; l < entries.size(); l++) {
                int b = 0;
                for (int j = 0; j < n; j++) {
                    if (!isFlagged[j]) {
                        benign[b++] = Math.sqrt(squaredNorms[j][l]);
                    }
                }
                Arrays.sort(benign);
                double median = (benign[(b - 1) / 2] + benign[b / 2]) / 2;
                double norm = Math.sqrt(squaredNorms[i][l]);
                scale[i][l] = entries.get(l).kind().trainable() && norm > median ? median / norm : 1.0;
            }
        }
        return scale;
    }
}
