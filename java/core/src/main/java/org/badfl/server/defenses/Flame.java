package org.badfl.server.defenses;

import static org.badfl.server.defenses.DefenseSupport.fmt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.badfl.engine.ParamLayout;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.NoiseStreams;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.detect.GramMatrix;
import org.badfl.server.detect.Hdbscan;

/**
 * FLAME (Nguyen et al., "FLAME: Taming Backdoors in Federated Learning", USENIX Security 2022), as fixed in
 * docs/DEFENSES.md "FLAME" after the public reimplementations (zhmzm/FLAME {@code utils/defense.py}, vio1etus/FLPoison
 * {@code aggregators/flame.py}):
 * <ol>
 *   <li>Cosine distances c_ij = 1 − cos(v_i, v_j) from one Gram matrix; v_i = Δ_i over the trainable parameters
 *       (default: BatchNorm running statistics excluded, zhmzm issue #10) or the whole models W_i = G + Δ_i over
 *       the trainable parameters ({@link Vectors#MODELS}).</li>
 *   <li>HDBSCAN on the precomputed distances ({@link Hdbscan#flame}: min_cluster_size ⌊n/2⌋+1, min_samples 1,
 *       allow_single_cluster). Admitted = the largest cluster; if every point is noise, everybody is admitted.</li>
 *   <li>Clipping bound S = median of e_i = ‖Δ_i‖ (trainable parameters) over all clients (default) or over the
 *       admitted ones ({@link MedianOver#ADMITTED}, zhmzm's code); admitted Δ_i ← Δ_i·min(1, S/e_i).</li>
 *   <li>G ← G + mean of the clipped admitted updates (uniform weights, as in all three reimplementations).
 *       BatchNorm running statistics: mean of the admitted clients' statistics, not clipped.</li>
 *   <li>Noise: G ← G + N(0, (λ·S)²) on every trainable parameter ({@link NoiseStreams#FLAME}, round seed);
 *       none on BatchNorm running statistics (as FLPoison; noise could make a running variance negative).</li>
 * </ol>
 * Verdicts: rejected (flagged) outside the admitted cluster; clipped (not flagged) when e_i &gt; S; else accepted.
 */
public final class Flame implements Defense {

    /** What the cosine distances compare. */
    public enum Vectors { UPDATES, MODELS }

    /** Which clients' norms set the clipping bound S. */
    public enum MedianOver { ALL, ADMITTED }

    /** zhmzm/FLAME's default noise factor for image tasks. */
    public static final double DEFAULT_LAMBDA = 0.001;

    private final double lambda;
    private final Vectors vectors;
    private final MedianOver medianOver;

    /**
     * @param lambda     noise factor λ ≥ 0 (σ = λ·S); default {@link #DEFAULT_LAMBDA}
     * @param vectors    compare updates (default) or whole models
     * @param medianOver clipping bound from all clients' norms (default) or the admitted ones'
     */
    public Flame(double lambda, Vectors vectors, MedianOver medianOver) {
        DefenseSupport.require(lambda >= 0 && Double.isFinite(lambda), "flame", "lambda", "finite and >= 0", lambda);
        DefenseSupport.require(vectors != null, "flame", "vectors", "UPDATES or MODELS", vectors);
        DefenseSupport.require(medianOver != null, "flame", "median-over", "ALL or ADMITTED", medianOver);
        this.lambda = lambda;
        this.vectors = vectors;
        this.medianOver = medianOver;
    }

    /** The defaults: λ = 0.001, updates, median over all clients. */
    public Flame() {
        this(DEFAULT_LAMBDA, Vectors.UPDATES, MedianOver.ALL);
    }

    @Override
    public String name() {
        return "flame";
    }

    @Override
    public boolean flagsClients() {
        return true;
    }

    public double lambda() {
        return lambda;
    }

    /**
     * Steps 1-3 of one round, without touching G.
     *
     * @param clustering  the HDBSCAN result on the cosine distances
     * @param admitted    admitted rows, increasing
     * @param allNoise    true when HDBSCAN labelled every update noise (everybody admitted)
     * @param norms       e_i = ‖Δ_i‖ over trainable parameters
     * @param bound       S
     * @param clipFactors min(1, S/e_i) per row (1 for e_i = 0; meaningful for admitted rows)
     */
    public record Selection(Hdbscan.Result clustering, int[] admitted, boolean allNoise, double[] norms, double bound,
                            double[] clipFactors) {
    }

    /** Steps 1-3 (cosine distances, HDBSCAN, clipping bound) for a round with at least one update. */
    public Selection select(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        int[] ranges = input.layout().trainableRanges();
        GramMatrix updateGram;
        GramMatrix compared;
        if (vectors == Vectors.UPDATES) {
            updateGram = GramMatrix.of(updates, ranges, input.context().kernels());
            compared = updateGram;
        } else {
            // One pass over [Δ_1 .. Δ_n, G] gives both the updates' and the models' Gram matrices.
            float[][] withGlobal = Arrays.copyOf(updates.rows(), n + 1);
            withGlobal[n] = input.global();
            GramMatrix all = GramMatrix.of(withGlobal, ranges, input.context().kernels());
            updateGram = all.select(firstN(n));
            compared = modelGram(all, n);
        }

        Hdbscan.Result clustering = Hdbscan.flame(n).cluster(compared.cosineDistances());
        int largest = clustering.largestCluster();
        boolean allNoise = largest < 0;
        int[] admitted = allNoise ? firstN(n) : clustering.members(largest);

        double[] norms = updateGram.norms();
        double bound = DefenseSupport.median(medianOver == MedianOver.ALL ? norms : pick(norms, admitted));
        double[] clip = new double[n];
        for (int i = 0; i < n; i++) {
            clip[i] = norms[i] > bound ? bound / norms[i] : 1.0;
        }
        return new Selection(clustering, admitted, allNoise, norms, bound, clip);
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        if (updates.size() == 0) {
            return DefenseSupport.emptyRound(input);
        }
        Selection s = select(input);
        float[] next = input.global().clone();
        addClippedMean(input, s, next);
        DefenseSupport.addTrainableNoise(next, lambda * s.bound(), input.seed(), NoiseStreams.FLAME, input.layout(),
            input.context().kernels());
        String note = s.allNoise() ? "HDBSCAN labelled every update noise: all admitted" : "";
        return new RoundResult(next, verdicts(updates, s), note);
    }

    /** ⟨G+Δ_i, G+Δ_j⟩ = g_ij + g_iG + g_jG + g_GG. */
    private static GramMatrix modelGram(GramMatrix withGlobal, int n) {
        double[] m = new double[n * n];
        double gg = withGlobal.dot(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i * n + j] = withGlobal.dot(i, j) + withGlobal.dot(i, n) + withGlobal.dot(j, n) + gg;
            }
        }
        return GramMatrix.wrap(m, n);
    }

    /** Step 4: G += (1/|A|) Σ_{i∈A} min(1, S/e_i)·Δ_i on trainable parameters, unclipped on BN statistics. */
    private static void addClippedMean(RoundInput input, Selection s, float[] next) {
        RoundUpdates admitted = input.updates().select(s.admitted());
        int m = admitted.size();
        double[] weights = new double[m];
        double[][] layerScale = new double[m][];
        ParamLayout layout = input.layout();
        for (int a = 0; a < m; a++) {
            weights[a] = 1.0 / m;
            layerScale[a] = DefenseSupport.trainableScale(layout, s.clipFactors()[s.admitted()[a]]);
        }
        input.context().kernels().accumulateLayerScaled(admitted, weights, layerScale, layout, next);
    }

    private static List<ClientVerdict> verdicts(RoundUpdates updates, Selection s) {
        boolean[] isAdmitted = new boolean[updates.size()];
        for (int i : s.admitted()) {
            isAdmitted[i] = true;
        }
        List<ClientVerdict> out = new ArrayList<>(updates.size());
        for (int i = 0; i < updates.size(); i++) {
            int id = updates.clientId(i);
            int label = s.clustering().labels()[i];
            if (!isAdmitted[i]) {
                out.add(ClientVerdict.rejected(id, true, label < 0 ? "HDBSCAN noise"
                    : "HDBSCAN cluster " + label + ", not the largest"));
            } else if (s.clipFactors()[i] < 1) {
                out.add(ClientVerdict.clipped(id, false, "norm " + fmt(s.norms()[i]) + " clipped to median "
                    + fmt(s.bound())));
            } else {
                out.add(ClientVerdict.accepted(id));
            }
        }
        return out;
    }

    private static int[] firstN(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    private static double[] pick(double[] values, int[] indices) {
        double[] out = new double[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = values[indices[i]];
        }
        return out;
    }
}
