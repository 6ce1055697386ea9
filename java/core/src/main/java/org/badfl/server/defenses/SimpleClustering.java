package org.badfl.server.defenses;

import org.badfl.server.DefenseOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.detect.Dbscan;
import org.badfl.server.detect.GramMatrix;

/**
 * Simple majority clustering, FLPoison's baseline ({@code aggregators/simpleclustering.py}; no paper): DBSCAN
 * ({@link Dbscan}, eps = 0.05, min_samples = 3 by default, as FLPoison) on the Euclidean distances between the
 * updates (trainable parameters, from one Gram matrix); the largest cluster (lowest label on ties) is benign and
 * G ← G + plain mean of its updates (every coordinate).
 * <p>Where DBSCAN labels every update noise, everybody is admitted and the note says so (FLPoison fails there:
 * it takes the argmax of an empty list). FLPoison clusters its {@code updates} array, which under FedAvg holds the
 * client models (the gradient updates are used only for the mean); here the updates Δ_i are clustered, which gives
 * the same distances (W_i − W_j = Δ_i − Δ_j). FLPoison's mean-shift alternative is not offered. The absolute eps
 * depends on the update scale: 0.05 suits small models and learning rates.
 * <p>Verdicts: outside the largest cluster rejected and flagged.
 */
public final class SimpleClustering implements Defense {

    public static final double DEFAULT_EPS = 0.05;
    public static final int DEFAULT_MIN_SAMPLES = 3;

    private final double eps;
    private final int minSamples;

    /**
     * @param eps        DBSCAN radius &gt; 0 (Euclidean, in update units)
     * @param minSamples DBSCAN core threshold ≥ 1 (self included)
     */
    public SimpleClustering(double eps, int minSamples) {
        DefenseSupport.require(eps > 0 && Double.isFinite(eps), "simple-clustering", "eps", "finite and > 0", eps);
        DefenseSupport.require(minSamples >= 1, "simple-clustering", "min-samples", ">= 1", minSamples);
        this.eps = eps;
        this.minSamples = minSamples;
    }

    /** eps = 0.05, min_samples = 3. */
    public SimpleClustering() {
        this(DEFAULT_EPS, DEFAULT_MIN_SAMPLES);
    }

    /** Options {@code eps} (0.05) and {@code min-samples} (3); unknown keys rejected. */
    public static SimpleClustering fromOptions(Map<String, String> options) {
        DefenseOptions o = new DefenseOptions("simple-clustering", options);
        SimpleClustering s = new SimpleClustering(o.getDouble("eps", DEFAULT_EPS),
            o.getInt("min-samples", DEFAULT_MIN_SAMPLES));
        o.rejectUnknown();
        return s;
    }

    @Override
    public String name() {
        return "simple-clustering";
    }

    @Override
    public boolean flagsClients() {
        return true;
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        if (n == 0) {
            return DefenseSupport.emptyRound(input);
        }
        GramMatrix gram = GramMatrix.of(updates.rows(), input.layout().trainableRanges(), input.context().kernels());
        int[] labels = new Dbscan(eps, minSamples).labels(gram.euclideanDistances());
        int clusters = 0;
        for (int l : labels) {
            clusters = Math.max(clusters, l + 1);
        }
        int[] sizes = new int[clusters];
        for (int l : labels) {
            if (l >= 0) {
                sizes[l]++;
            }
        }
        int largest = -1;
        for (int c = 0; c < clusters; c++) {
            if (largest < 0 || sizes[c] > sizes[largest]) {
                largest = c;
            }
        }
        double[] weights = new double[n];
        List<ClientVerdict> verdicts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = updates.clientId(i);
            if (largest < 0 || labels[i] == largest) {
                weights[i] = 1.0 / (largest < 0 ? n : sizes[largest]);
                verdicts.add(ClientVerdict.accepted(id));
            } else {
                verdicts.add(ClientVerdict.rejected(id, true, labels[i] < 0 ? "DBSCAN noise"
                    : "DBSCAN cluster " + labels[i] + " (" + sizes[labels[i]] + " updates), not the largest ("
                        + sizes[largest] + ")"));
            }
        }
        float[] next = input.global().clone();
        input.context().kernels().accumulate(updates.rows(), weights, next);
        return new RoundResult(next, verdicts, largest < 0 ? "DBSCAN labelled every update noise: all admitted" : "");
    }
}
