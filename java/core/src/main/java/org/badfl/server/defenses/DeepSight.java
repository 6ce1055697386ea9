package org.badfl.server.defenses;

import static org.badfl.server.defenses.DefenseSupport.fmt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.badfl.engine.Network;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.DefenseOptions;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.detect.GramMatrix;
import org.badfl.server.detect.Hdbscan;
import org.badfl.util.Seeds;

/**
 * DeepSight (Rieger, Nguyen, Miettinen, Sadeghi, "DeepSight: mitigating backdoor attacks in federated learning
 * through deep model inspection", NDSS 2022, Algorithm 1). Per client model W_i = G + Δ_i, over the output layer
 * (the last layout entry of kind WEIGHT, P×k, and the BIAS entry of length P right after it; P = classes):
 * <ol>
 *   <li>NEUPs: energy ε_j = |Δb_j| + Σ_k |ΔW_jk| of output neuron j; NEUP_j = ε_j² / Σ_l ε_l² (an all-zero
 *       output-layer update has NEUP 0).</li>
 *   <li>Threshold exceedings TE_i = #{j : NEUP_j &gt; max(thresholdFactor, 1/P)·max_l NEUP_l}; a model is
 *       suspicious when TE_i ≤ median(TE)/2 (backdoored models concentrate their energy on few labels).</li>
 *   <li>DDifs: for each of {@code seeds} sets of {@code samples} random inputs (uniform in [0, 1) in the model's
 *       input space, drawn from the round seed), DDif_{i,k} = (1/N) Σ_m p_i(x_m)_k / (p_G(x_m)_k + 10⁻⁶), p the
 *       softmax output.</li>
 *   <li>Cosine distances 1 − cos(Δb_i, Δb_j) of the output-layer bias updates.</li>
 *   <li>Ensemble clustering: HDBSCAN ({@link Hdbscan}: min_samples 3, min_cluster_size 5, as the hdbscan
 *       package's default) of the cosine distances, of the NEUPs (Euclidean) and of each seed's DDifs (Euclidean);
 *       each clustering gives a distance 0 (same cluster) or 1; the DDif distances are averaged over the seeds,
 *       then the three averaged; a final HDBSCAN (allow_single_cluster) of that matrix.</li>
 *   <li>A cluster is accepted when fewer than τ of its members are suspicious; HDBSCAN noise points are in no
 *       cluster and are rejected.</li>
 *   <li>G ← G + mean over the accepted of Δ_i·min(1, S/‖Δ_i‖), S = median norm of all updates.</li>
 * </ol>
 * Norms over the trainable parameters; BatchNorm running statistics of the accepted are averaged unclipped. The
 * model forward passes come from {@link org.badfl.server.ServerContext#model} (one network for G, one reused for
 * every client). A client whose model gives a non-finite output on the random inputs is rejected and flagged,
 * and the others are clustered without it.
 * <p>FLPoison ({@code aggregators/deepsight.py}) divides the raw network outputs instead of softmax probabilities
 * and draws its random inputs once (torch seeds 0, 1, 2); this class follows the paper (probabilities) and draws
 * the inputs from each round's seed. Both reject HDBSCAN noise points and clip to the median norm of all updates.
 * <p>Verdicts: rejected and flagged outside an accepted cluster (the reason gives the cluster and TE); accepted
 * and clipped: clipped, not flagged; else accepted.
 */
public final class DeepSight implements Defense {

    public static final int DEFAULT_SEEDS = 3;
    public static final int DEFAULT_SAMPLES = 20000;
    public static final double DEFAULT_THRESHOLD_FACTOR = 0.01;
    public static final double DEFAULT_TAU = 1.0 / 3;

    /** Keeps the probability ratio finite where G's softmax underflows. */
    static final double RATIO_EPSILON = 1e-6;
    private static final int MIN_SAMPLES = 3;
    private static final int MIN_CLUSTER_SIZE = 5;
    private static final int BATCH = 256;

    private final int seeds;
    private final int samples;
    private final double thresholdFactor;
    private final double tau;

    /**
     * @param seeds           number of random input sets (DDif vectors per client), ≥ 1
     * @param samples         random inputs per set, ≥ 1
     * @param thresholdFactor NEUP threshold factor in [0, 1] (the threshold is max(factor, 1/P)·max NEUP)
     * @param tau             share of suspicious members from which a cluster is rejected, in (0, 1]
     */
    public DeepSight(int seeds, int samples, double thresholdFactor, double tau) {
        DefenseSupport.require(seeds >= 1, "deepsight", "seeds", ">= 1", seeds);
        DefenseSupport.require(samples >= 1, "deepsight", "samples", ">= 1", samples);
        DefenseSupport.require(thresholdFactor >= 0 && thresholdFactor <= 1, "deepsight", "threshold-factor",
            "in [0, 1]", thresholdFactor);
        DefenseSupport.require(tau > 0 && tau <= 1, "deepsight", "tau", "in (0, 1]", tau);
        this.seeds = seeds;
        this.samples = samples;
        this.thresholdFactor = thresholdFactor;
        this.tau = tau;
    }

    /** 3 seeds of 20,000 random inputs, threshold factor 0.01, τ = 1/3. */
    public DeepSight() {
        this(DEFAULT_SEEDS, DEFAULT_SAMPLES, DEFAULT_THRESHOLD_FACTOR, DEFAULT_TAU);
    }

    /** Options {@code seeds} (3), {@code samples} (20000), {@code threshold-factor} (0.01), {@code tau} (1/3). */
    public static DeepSight fromOptions(Map<String, String> options) {
        DefenseOptions o = new DefenseOptions("deepsight", options);
        DeepSight d = new DeepSight(o.getInt("seeds", DEFAULT_SEEDS), o.getInt("samples", DEFAULT_SAMPLES),
            o.getDouble("threshold-factor", DEFAULT_THRESHOLD_FACTOR), o.getDouble("tau", DEFAULT_TAU));
        o.rejectUnknown();
        return d;
    }

    @Override
    public String name() {
        return "deepsight";
    }

    @Override
    public boolean flagsClients() {
        return true;
    }

    /** The output layer's weight and bias entries of a layout. */
    record OutputLayer(ParamLayout.Entry weight, ParamLayout.Entry bias) {

        int classes() {
            return bias.length();
        }

        static OutputLayer of(ParamLayout layout) {
            List<ParamLayout.Entry> entries = layout.entries();
            for (int e = entries.size() - 1; e >= 0; e--) {
                if (entries.get(e).kind() == ParamKind.WEIGHT && entries.get(e).length() > 0) {
                    ParamLayout.Entry w = entries.get(e);
                    ParamLayout.Entry b = e + 1 < entries.size() ? entries.get(e + 1) : null;
                    if (b == null || b.kind() != ParamKind.BIAS || b.length() == 0 || w.length() % b.length() != 0) {
                        throw new IllegalArgumentException("deepsight: the output layer " + w.name() + " needs a bias "
                            + "entry right after it whose length divides the weight's (" + w.length() + ")");
                    }
                    return new OutputLayer(w, b);
                }
            }
            throw new IllegalArgumentException("deepsight: the layout has no entry of kind WEIGHT (output layer)");
        }
    }

    /** NEUPs of one update's output layer (length P). */
    static double[] neups(float[] row, OutputLayer out) {
        int p = out.classes();
        int k = out.weight().length() / p;
        double[] energy = new double[p];
        double total = 0;
        for (int j = 0; j < p; j++) {
            double e = Math.abs(row[out.bias().offset() + j]);
            int base = out.weight().offset() + j * k;
            for (int c = 0; c < k; c++) {
                e += Math.abs(row[base + c]);
            }
            energy[j] = e * e;
            total += energy[j];
        }
        for (int j = 0; j < p; j++) {
            energy[j] = total > 0 ? energy[j] / total : 0;
        }
        return energy;
    }

    /** Threshold exceedings of a NEUP vector: #{j : NEUP_j &gt; max(factor, 1/P)·max NEUP}. */
    static int thresholdExceedings(double[] neup, double thresholdFactor) {
        double max = 0;
        for (double v : neup) {
            max = Math.max(max, v);
        }
        double threshold = Math.max(thresholdFactor, 1.0 / neup.length) * max;
        int count = 0;
        for (double v : neup) {
            if (v > threshold) {
                count++;
            }
        }
        return count;
    }

    /**
     * Cluster co-membership distances: 0 for the same label, 1 otherwise (the noise label −1 counts as one label,
     * as numpy's {@code labels[:, None] == labels} in FLPoison).
     */
    static double[][] clusterDistances(int[] labels) {
        int n = labels.length;
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                d[i][j] = labels[i] == labels[j] ? 0 : 1;
            }
        }
        return d;
    }

    static double[][] euclidean(double[][] points) {
        int n = points.length;
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = 0;
                for (int c = 0; c < points[i].length; c++) {
                    double x = points[i][c] - points[j][c];
                    s += x * x;
                }
                d[i][j] = d[j][i] = Math.sqrt(s);
            }
        }
        return d;
    }

    /**
     * The final cluster labels from the three kinds of features (rows of {@code ddifs[s]} per client), as step 5.
     */
    static int[] ensembleLabels(double[][] cosineDistances, double[][] neups, double[][][] ddifs) {
        int n = neups.length;
        Hdbscan features = new Hdbscan(MIN_CLUSTER_SIZE, MIN_SAMPLES, false);
        double[][] cos = clusterDistances(features.cluster(cosineDistances).labels());
        double[][] neup = clusterDistances(features.cluster(euclidean(neups)).labels());
        double[][] ddif = new double[n][n];
        for (double[][] seedDdifs : ddifs) {
            double[][] d = clusterDistances(features.cluster(euclidean(seedDdifs)).labels());
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    ddif[i][j] += d[i][j] / ddifs.length;
                }
            }
        }
        double[][] merged = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                merged[i][j] = (ddif[i][j] + neup[i][j] + cos[i][j]) / 3;
            }
        }
        return new Hdbscan(MIN_CLUSTER_SIZE, MIN_SAMPLES, true).cluster(merged).labels();
    }

    /** Softmax of one logit row in double. */
    private static void softmax(float[] logits, int offset, int p, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < p; j++) {
            max = Math.max(max, logits[offset + j]);
        }
        double sum = 0;
        for (int j = 0; j < p; j++) {
            out[j] = Math.exp(logits[offset + j] - max);
            sum += out[j];
        }
        for (int j = 0; j < p; j++) {
            out[j] /= sum;
        }
    }

    /**
     * DDifs {@code [seed][client][class]} of every client model G + Δ_i (NaN entries for a model whose output is
     * not finite).
     */
    double[][][] ddifs(RoundInput input, int p) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        float[] g = input.global();
        Network global;
        Network client;
        try {
            global = input.context().model(g).setCompute(input.context().compute());
            client = input.context().model(g).setCompute(input.context().compute());
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException("deepsight: its DDifs need forward passes of the client models, and "
                + "this server context builds no models (implement ServerContext.model)", e);
        }
        if (global.classes() != p) {
            throw new IllegalArgumentException("deepsight: the model has " + global.classes() + " classes, the output "
                + "layer's bias has " + p + " entries");
        }
        int size = global.inputSize();
        float[] params = new float[g.length];
        double[][][] out = new double[seeds][n][p];
        double[] pg = new double[p];
        double[] pi = new double[p];
        for (int s = 0; s < seeds; s++) {
            SplittableRandom rng = new SplittableRandom(Seeds.derive(input.seed(), "deepsight-random-inputs", s));
            float[] x = new float[BATCH * size];
            double[][] globalProbabilities = new double[BATCH][p];
            for (int done = 0; done < samples; done += BATCH) {
                int batch = Math.min(BATCH, samples - done);
                for (int v = 0; v < batch * size; v++) {
                    x[v] = (float) rng.nextDouble();
                }
                float[] logits = global.forward(x, batch, false);
                for (int m = 0; m < batch; m++) {
                    softmax(logits, m * p, p, globalProbabilities[m]);
                }
                for (int i = 0; i < n; i++) {
                    float[] row = updates.row(i);
                    for (int c = 0; c < params.length; c++) {
                        params[c] = g[c] + row[c];
                    }
                    client.setParams(params);
                    float[] clientLogits = client.forward(x, batch, false);
                    for (int m = 0; m < batch; m++) {
                        softmax(clientLogits, m * p, p, pi);
                        for (int k = 0; k < p; k++) {
                            out[s][i][k] += pi[k] / (globalProbabilities[m][k] + RATIO_EPSILON);
                        }
                    }
                }
            }
            for (double[] ddif : out[s]) {
                for (int k = 0; k < p; k++) {
                    ddif[k] /= samples;
                }
            }
        }
        return out;
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        if (n == 0) {
            return DefenseSupport.emptyRound(input);
        }
        OutputLayer out = OutputLayer.of(input.layout());
        int p = out.classes();
        float[][] rows = updates.rows();

        double[][] neups = new double[n][];
        int[] te = new int[n];
        double[] teValues = new double[n];
        for (int i = 0; i < n; i++) {
            neups[i] = neups(rows[i], out);
            te[i] = thresholdExceedings(neups[i], thresholdFactor);
            teValues[i] = te[i];
        }
        double teBoundary = DefenseSupport.median(teValues) / 2;
        double[][][] ddifs = ddifs(input, p);

        // Clients whose model output is not finite are rejected before clustering.
        List<Integer> finite = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean ok = true;
            for (double[][] seed : ddifs) {
                for (double v : seed[i]) {
                    ok &= Double.isFinite(v);
                }
            }
            if (ok) {
                finite.add(i);
            }
        }
        int m = finite.size();
        int[] labels = new int[n];
        java.util.Arrays.fill(labels, Integer.MIN_VALUE);
        if (m > 0) {
            int[] idx = finite.stream().mapToInt(Integer::intValue).toArray();
            float[][] biases = new float[m][];
            double[][] subNeups = new double[m][];
            double[][][] subDdifs = new double[seeds][m][];
            for (int a = 0; a < m; a++) {
                biases[a] = java.util.Arrays.copyOfRange(rows[idx[a]], out.bias().offset(), out.bias().end());
                subNeups[a] = neups[idx[a]];
                for (int s = 0; s < seeds; s++) {
                    subDdifs[s][a] = ddifs[s][idx[a]];
                }
            }
            double[][] cosine = GramMatrix.of(biases, new int[] {0, p}, input.context().kernels()).cosineDistances();
            int[] sub = ensembleLabels(cosine, subNeups, subDdifs);
            for (int a = 0; a < m; a++) {
                labels[idx[a]] = sub[a];
            }
        }
        // Accepted clusters: fewer than τ of the members suspicious.
        java.util.Map<Integer, int[]> counts = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            if (labels[i] >= 0) {
                int[] c = counts.computeIfAbsent(labels[i], k -> new int[2]);
                c[0]++;
                if (te[i] <= teBoundary) {
                    c[1]++;
                }
            }
        }

        int[] ranges = input.layout().trainableRanges();
        double[] norms = input.context().kernels().dots(updates, null, ranges);
        for (int i = 0; i < n; i++) {
            norms[i] = Math.sqrt(norms[i]);
        }
        double bound = DefenseSupport.median(norms);
        boolean[] accepted = new boolean[n];
        int admitted = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] >= 0) {
                int[] c = counts.get(labels[i]);
                accepted[i] = c[1] < tau * c[0];
                admitted += accepted[i] ? 1 : 0;
            }
        }
        double[] weights = new double[n];
        double[][] layerScale = new double[n][];
        List<ClientVerdict> verdicts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = updates.clientId(i);
            String exceedings = "TE " + te[i] + (te[i] <= teBoundary ? " (suspicious, <= " : " (> ") + fmt(teBoundary) + ")";
            if (labels[i] == Integer.MIN_VALUE) {
                verdicts.add(ClientVerdict.rejected(id, true, "model output not finite on the random inputs"));
                continue;
            }
            if (!accepted[i]) {
                String why = labels[i] < 0 ? "HDBSCAN noise point, " + exceedings
                    : "cluster " + labels[i] + " has " + counts.get(labels[i])[1] + " of " + counts.get(labels[i])[0]
                        + " suspicious (>= tau " + fmt(tau) + "), " + exceedings;
                verdicts.add(ClientVerdict.rejected(id, true, why));
                continue;
            }
            weights[i] = 1.0 / admitted;
            String norm = "norm " + fmt(norms[i]) + " (median " + fmt(bound) + "), " + exceedings;
            if (norms[i] > bound) {
                layerScale[i] = DefenseSupport.trainableScale(input.layout(), bound / norms[i]);
                verdicts.add(ClientVerdict.clipped(id, false, norm + ", clipped to the median"));
            } else {
                verdicts.add(ClientVerdict.accepted(id, norm));
            }
        }
        float[] next = input.global().clone();
        if (admitted == 0) {
            return new RoundResult(next, verdicts, "no update is in an accepted cluster: G unchanged");
        }
        input.context().kernels().accumulateLayerScaled(updates, weights, layerScale, input.layout(), next);
        return new RoundResult(next, verdicts, "");
    }
}
