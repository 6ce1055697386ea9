package org.badfl.server.badfl;

import static org.badfl.server.badfl.Lmca.fmt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.ModelInspector;
import org.badfl.server.NoiseStreams;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.TestTimeSmoothing;
import org.badfl.server.badfl.BadflConfig.Detection;
import org.badfl.server.badfl.BadflConfig.MniaScope;
import org.badfl.server.detect.GramMatrix;
import org.badfl.server.detect.Hdbscan;
import org.badfl.server.detect.KMeans;
import org.badfl.server.AggregationKernels;
import org.badfl.util.Seeds;

/**
 * BADFL (Zhang, Li, Xu, Liu, Wu, Weng, Deng, "BADFL: Backdoor Attack Defense in Federated Learning From Local
 * Model Perspective", IEEE TKDE 2024), one aggregation round = Algorithm 3 lines 7-13, with the gaps filled by
 * docs/BADFL.md, "Interpretation choices":
 * <ol>
 *   <li>Malicious model detection (Section V-A): {@link Lmca} (Algorithm 1) picks candidates from one Gram matrix
 *       of the updates over the trainable parameters; {@link NeuronInspection} (Algorithm 2) inspects them with
 *       guided-backprop saliency of the model G + Δ_i on the server's clean inspection set
 *       ({@link org.badfl.server.ServerContext#inspector()}). Without an inspector (no inspection data) MNIA is
 *       skipped: LMCA's outliers are flagged (or nobody, option) and the note says so. Ablations: FLAME's HDBSCAN,
 *       plain K-means, or no detection ({@link Detection}).
 *       By default (an addition measured in docs/BADFL.md, {@link BadflConfig#patch()}) every model of the round is
 *       inspected once: {@link PatchDeviation} compares its per-class, per-patch saliency with the round's models
 *       and keeps a per-client memory across rounds (saved with a checkpoint: {@link #saveState}); MNIA's own verdict
 *       then counts for LMCA's outliers only ({@link MniaScope#OUTLIERS}). A model is flagged by either.</li>
 *   <li>Norm guard (an addition, {@link BadflConfig#normGuard()}): an update whose norm exceeds normGuard × the
 *       median norm is scaled down to that bound whatever its verdict, so that one extreme update (norm 1e30)
 *       cannot dominate G even if detection misses it.</li>
 *   <li>Malicious local weight elimination (Section V-B, eq. 9-10): {@link WeightElimination} clips the flagged
 *       updates against the benign ones or, by default, removes them, and aggregates G + Σ p_i Δ'_i.</li>
 *   <li>Noise (Algorithm 3 lines 10-13): G ← G + N(0, σ_t²) on the trainable parameters for t &lt; T
 *       ({@link NoiseStreams#BADFL}, round seed); none in the last round, so that the smoothing classifier
 *       (Section V-C, {@code org.badfl.evaluation.SmoothingClassifier}) starts from the noiseless G_T.</li>
 * </ol>
 * Verdicts: one per update; flagged updates are rejected (default remove) or clipped, with the detection reason
 * (e.g. "LOF 2.71 > 1.5; MNIA: class 0 f=4.1, malicious cluster (separation 5.3 > guard 2)") and what the clipping
 * did. One instance serves one training run (it carries the patch memory from round to round).
 */
public final class BadflDefense implements Defense {

    private final BadflConfig config;
    private final String name;
    /** Patch deviation's per-client memory, carried across rounds (and across a resume: {@link #saveState}). */
    private PatchDeviation.Memory memory = new PatchDeviation.Memory();

    public BadflDefense(BadflConfig config) {
        this(config, "badfl");
    }

    /** @param name the registry name it reports ("badfl", or "badfl-paper" for the paper preset's entry) */
    public BadflDefense(BadflConfig config, String name) {
        if (config == null) {
            throw new IllegalArgumentException("badfl: config must be given");
        }
        this.config = config;
        this.name = name;
    }

    /** The measured defaults ({@link BadflConfig#defaults()}). */
    public BadflDefense() {
        this(BadflConfig.defaults());
    }

    public BadflConfig config() {
        return config;
    }

    @Override
    public String name() {
        return name;
    }

    /** Patch deviation's per-client memory as text (null when patch deviation is off). */
    @Override
    public String saveState() {
        return config.patch() ? memory.save() : null;
    }

    @Override
    public void restoreState(String state) {
        if (state != null && !config.patch()) {
            throw new IllegalArgumentException("badfl: a saved patch memory was given but patch deviation is off");
        }
        memory = PatchDeviation.Memory.restore(state);
    }

    @Override
    public boolean flagsClients() {
        return config.detection() != Detection.OFF;
    }

    /**
     * With option {@code smoothing} on, the final model G_T is evaluated smoothed (Section V-C, eq. 11):
     * σ_T = {@code smoothing-sigma} or σ, M = {@code smoothing-copies}, α = {@code alpha}.
     */
    @Override
    public Optional<TestTimeSmoothing> testTimeSmoothing() {
        return config.smoothing()
            ? Optional.of(new TestTimeSmoothing(config.effectiveSmoothingSigma(), config.smoothingCopies(),
                config.alpha()))
            : Optional.empty();
    }

    /**
     * Detection outcome of one round (before elimination).
     *
     * @param flagged per row: judged malicious
     * @param reasons per row: why (flagged or not), possibly empty
     * @param lmca    LMCA's result (null for the HDBSCAN / K-means / off ablations)
     * @param mnia    MNIA's result (null when not run)
     * @param patch    patch deviation's result (null when not run)
     * @param profiles patch deviation's per-row profiles (null when not run)
     * @param note     round-level summary of what detection did
     */
    public record Detected(boolean[] flagged, String[] reasons, Lmca.Result lmca, NeuronInspection.Result mnia,
                           PatchDeviation.Result patch, double[][][] profiles, String note) {
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        if (n == 0) {
            return new RoundResult(input.global().clone(), List.of(), "no updates this round: G unchanged");
        }
        Compute compute = input.context().compute();
        ParamLayout layout = input.layout();
        AggregationKernels kernels = input.context().kernels(); // the CPU's, or the GPU's with --device gpu
        GramMatrix gram = GramMatrix.of(updates, layout.trainableRanges(), kernels);

        Detected detected = detect(input, gram);
        input.context().observer().roundDetails(details(input, detected));
        double[] bounded = normGuard(gram);

        List<String> notes = new ArrayList<>();
        if (!detected.note().isEmpty()) {
            notes.add(detected.note());
        }
        float[] next;
        WeightElimination.Outcome outcome = null;
        if (config.eliminate()) {
            outcome = new WeightElimination(config.clipping()).aggregate(input.global(), layout, updates,
                detected.flagged(), bounded, kernels, compute);
            next = outcome.global();
            if (!outcome.note().isEmpty()) {
                notes.add(outcome.note());
            }
        } else {
            next = input.global().clone();
            double[][] scale = new double[n][];
            for (int i = 0; i < n; i++) {
                if (bounded[i] < 1) {
                    scale[i] = new double[layout.entries().size()];
                    Arrays.fill(scale[i], bounded[i]);
                }
            }
            kernels.accumulateLayerScaled(updates, updates.sampleWeights(), scale, layout, next);
            if (countTrue(detected.flagged()) > 0) {
                notes.add("weight elimination off (mwe=off): flagged updates aggregated as sent");
            }
        }
        int guarded = 0;
        for (double b : bounded) {
            if (b < 1) {
                guarded++;
            }
        }
        if (guarded > 0) {
            notes.add(guarded + " update" + (guarded == 1 ? "" : "s") + " above " + fmt(config.normGuard())
                + " x the median norm scaled down to that bound");
        }
        if (!input.isLastRound()) {
            addTrainableNoise(next, config.sigma(), input.seed(), layout, kernels);
        }
        return new RoundResult(next, verdicts(updates, detected, bounded, outcome), String.join("; ", notes));
    }

    /** Copies of this round's per-client values for the context's observer (reading them changes nothing). */
    private BadflRoundDetails details(RoundInput input, Detected d) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        int[] clients = new int[n];
        for (int i = 0; i < n; i++) {
            clients[i] = updates.clientId(i);
        }
        boolean[] mniaFlagged = null;
        if (d.mnia() != null) {
            mniaFlagged = new boolean[n];
            for (NeuronInspection.Judgement j : d.mnia().judgements().values()) {
                mniaFlagged[j.row()] = j.flagged() && j.point() != null; // MNIA's own index (not non-finite maps)
            }
        }
        PatchDeviation.Result patch = null;
        double[][][] profiles = null;
        double[] patchMemory = null;
        double[] lofMemory = null;
        if (d.patch() != null) {
            PatchDeviation.Result p = d.patch();
            patch = new PatchDeviation.Result(p.scores().clone(), p.entered().clone(), p.accumulated().clone(),
                p.rounds().clone(), p.corroborated().clone(), p.byMnia().clone(), p.held().clone(),
                p.flagged().clone());
            profiles = new double[n][][];
            patchMemory = new double[n];
            lofMemory = new double[n];
            for (int i = 0; i < n; i++) {
                double[][] q = d.profiles()[i];
                if (q != null) {
                    profiles[i] = new double[q.length][];
                    for (int c = 0; c < q.length; c++) {
                        profiles[i][c] = q[c].clone();
                    }
                }
                patchMemory[i] = memory.value(clients[i]);
                lofMemory[i] = memory.lofValue(clients[i]);
            }
        }
        return new BadflRoundDetails(input.round(), clients, d.flagged().clone(), d.reasons().clone(),
            d.lmca() == null ? null : d.lmca().lof().clone(), mniaFlagged, patch, profiles, patchMemory, lofMemory);
    }

    /** Malicious model detection by the configured method. */
    public Detected detect(RoundInput input, GramMatrix gram) {
        int n = input.updates().size();
        return switch (config.detection()) {
            case BADFL -> detectBadfl(input, gram);
            case HDBSCAN -> detectHdbscan(gram);
            case KMEANS -> detectKMeans(gram, input.seed());
            case OFF -> new Detected(new boolean[n], new String[n], null, null, null, null, "");
        };
    }

    private Detected detectBadfl(RoundInput input, GramMatrix gram) {
        int n = gram.size();
        Lmca.Result lmca = config.lmca().run(gram, input.seed());
        boolean[] flagged = new boolean[n];
        String[] reasons = new String[n];
        for (int i = 0; i < n; i++) {
            reasons[i] = lmca.outlierReasons()[i] != null ? lmca.outlierReasons()[i]
                : "LOF " + fmt(lmca.lof()[i]) + ", LMCA cluster " + lmca.clusterOf()[i]
                + (lmca.isRepresentative(i) ? " (sampled)" : " (not sampled)");
        }
        String lmcaSummary = "LMCA: " + lmca.outliers().length + " outlier" + (lmca.outliers().length == 1 ? "" : "s")
            + ", " + lmca.clusterCount() + " cluster" + (lmca.clusterCount() == 1 ? "" : "s") + ", "
            + lmca.candidates().length + " candidates";

        Optional<ModelInspector> inspector = ContextInspector.of(input.context(), input.global());
        if (inspector.isEmpty() || inspector.get().images() == 0) {
            String why = inspector.isEmpty() ? "no model inspector" : "no clean inspection images";
            if (config.lmcaOnlyWithoutInspector()) {
                for (int i : lmca.outliers()) {
                    flagged[i] = true;
                    reasons[i] += " (LMCA only: MNIA skipped)";
                }
                return new Detected(flagged, reasons, lmca, null, null, null, why + ": MNIA skipped, "
                    + lmca.outliers().length
                    + " LMCA outlier" + (lmca.outliers().length == 1 ? "" : "s") + " flagged (" + lmcaSummary + ")");
            }
            return new Detected(flagged, reasons, lmca, null, null, null, why + ": MNIA skipped, nobody flagged ("
                + lmcaSummary + ")");
        }
        ModelInspector in = inspector.get();
        float[] global = input.global();
        RoundUpdates updates = input.updates();
        if (config.patch()) {
            return detectWithPatches(input, lmca, in, flagged, reasons, lmcaSummary);
        }
        NeuronInspection.Result mnia = config.neuronInspection().run(lmca,
            row -> SaliencyFeatures.inspect(in, modelOf(global, updates.row(row))), input.seed());
        for (NeuronInspection.Judgement j : mnia.judgements().values()) {
            flagged[j.row()] = j.flagged();
            reasons[j.row()] = reasons[j.row()] + "; " + j.reason();
        }
        String summary = lmcaSummary + "; MNIA: " + mnia.inspections() + " inspected"
            + (Double.isNaN(mnia.separation()) ? "" : ", separation " + fmt(mnia.separation())) + ", "
            + countTrue(flagged) + " flagged";
        return new Detected(flagged, reasons, lmca, mnia, null, null, mnia.note().isEmpty() ? summary : summary + " ("
            + mnia.note() + ")");
    }

    /**
     * Detection with patch deviation ({@link PatchDeviation}): every model of the round is inspected once; MNIA
     * judges LMCA's candidates from those maps (its verdict counts for the models of {@link MniaScope}), and patch
     * deviation judges every model against the round with the clients' memory.
     */
    private Detected detectWithPatches(RoundInput input, Lmca.Result lmca, ModelInspector in, boolean[] flagged,
                                       String[] reasons, String lmcaSummary) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        PatchDeviation patches = config.patchDeviation();
        SaliencyFeatures.ModelFeatures[] features = new SaliencyFeatures.ModelFeatures[n];
        double[][][] profiles = new double[n][][];
        int[] clients = new int[n];
        for (int i = 0; i < n; i++) {
            clients[i] = updates.clientId(i);
            float[][] g = SaliencyFeatures.gradients(in, modelOf(input.global(), updates.row(i)));
            features[i] = SaliencyFeatures.of(g, in.images(), in.channels(), in.height(), in.width());
            profiles[i] = patches.profile(g, in.images(), in.channels(), in.height(), in.width());
        }
        NeuronInspection.Result mnia = config.neuronInspection().run(lmca, row -> features[row], input.seed());
        boolean[] mniaFlags = new boolean[n];
        for (NeuronInspection.Judgement j : mnia.judgements().values()) {
            mniaFlags[j.row()] = j.flagged() && j.point() != null; // MNIA's own index (not non-finite maps)
        }
        PatchDeviation.Result patch = patches.judge(clients, profiles, lmca.lof(), mniaFlags, memory);
        int byMnia = 0;
        int byPatch = 0;
        for (NeuronInspection.Judgement j : mnia.judgements().values()) {
            int row = j.row();
            boolean counts = config.mniaScope() == MniaScope.ALL || lmca.clusterOf()[row] < 0 || j.point() == null;
            if (j.flagged() && counts) {
                flagged[row] = true;
                byMnia++;
            }
            reasons[row] = reasons[row] + "; " + j.reason() + (j.flagged() && !counts
                ? " (not an LMCA outlier: MNIA verdict not used, mnia-scope=outliers)" : "");
        }
        for (int i = 0; i < n; i++) {
            if (profiles[i] == null) {
                flagged[i] = true;
                reasons[i] = reasons[i] + "; patch: saliency not finite";
                continue;
            }
            if (patch.flagged()[i]) {
                flagged[i] = true;
                byPatch++;
            }
            reasons[i] = reasons[i] + "; " + patch.describe(i, patches);
        }
        String summary = lmcaSummary + "; MNIA: " + mnia.judgements().size() + " judged"
            + (Double.isNaN(mnia.separation()) ? "" : ", separation " + fmt(mnia.separation())) + ", " + byMnia
            + " flagged (mnia-scope=" + config.mniaScope().name().toLowerCase(java.util.Locale.ROOT) + ")"
            + "; patch deviation: " + n + " inspected, " + byPatch + " flagged (guard " + fmt(patches.guard())
            + ", " + fmt(patches.lowGuard()) + " with LOF > " + fmt(patches.lofEvidence()) + "); " + countTrue(flagged)
            + " flagged in all";
        return new Detected(flagged, reasons, lmca, mnia, patch, profiles, mnia.note().isEmpty() ? summary
            : summary + " (" + mnia.note() + ")");
    }

    /** G + Δ (a fresh array). */
    private static float[] modelOf(float[] global, float[] delta) {
        float[] model = global.clone();
        for (int c = 0; c < model.length; c++) {
            model[c] += delta[c];
        }
        return model;
    }

    /** Fig. 9 ablation: FLAME's HDBSCAN (min cluster size ⌊n/2⌋+1, min samples 1); outside the largest = flagged. */
    private Detected detectHdbscan(GramMatrix gram) {
        int n = gram.size();
        boolean[] flagged = new boolean[n];
        String[] reasons = new String[n];
        Hdbscan.Result r = Hdbscan.flame(n).cluster(gram.cosineDistances());
        int largest = r.largestCluster();
        for (int i = 0; i < n; i++) {
            int label = r.labels()[i];
            flagged[i] = largest >= 0 && label != largest;
            reasons[i] = label < 0 ? "HDBSCAN noise" : "HDBSCAN cluster " + label
                + (label == largest ? " (largest)" : ", not the largest");
        }
        return new Detected(flagged, reasons, null, null, null, null, largest < 0
            ? "HDBSCAN labelled every update noise: nobody flagged" : "HDBSCAN: " + countTrue(flagged) + " flagged");
    }

    /** Fig. 9 ablation: K-means (k = 2) on the unit-normalised updates; the smaller cluster is flagged. */
    private Detected detectKMeans(GramMatrix gram, long seed) {
        int n = gram.size();
        boolean[] flagged = new boolean[n];
        String[] reasons = new String[n];
        if (n < 2) {
            Arrays.fill(reasons, "K-means needs 2 updates");
            return new Detected(flagged, reasons, null, null, null, null, "K-means detection needs at least 2 updates: "
                + "nobody "
                + "flagged");
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        KMeans.Result km = new KMeans(2).fit(GramEmbedding.unitNormalised(gram, all),
            Seeds.derive(seed, "badfl:kmeans-detection"));
        int[] sizes = km.clusterSizes();
        if (sizes.length < 2 || sizes[0] == sizes[1]) {
            for (int i = 0; i < n; i++) {
                reasons[i] = "K-means cluster " + km.assignments()[i] + " (clusters of equal size)";
            }
            return new Detected(flagged, reasons, null, null, null, null,
                "K-means clusters of equal size: nobody flagged");
        }
        int smaller = sizes[0] < sizes[1] ? 0 : 1;
        for (int i = 0; i < n; i++) {
            flagged[i] = km.assignments()[i] == smaller;
            reasons[i] = "K-means cluster " + km.assignments()[i] + (flagged[i] ? " (smaller)" : " (larger)");
        }
        return new Detected(flagged, reasons, null, null, null, null, "K-means: " + countTrue(flagged) + " flagged");
    }

    /** Per row: factor that brings a norm above normGuard × median down to that bound (1 otherwise). */
    private double[] normGuard(GramMatrix gram) {
        int n = gram.size();
        double[] factors = new double[n];
        Arrays.fill(factors, 1.0);
        if (config.normGuard() == 0) {
            return factors;
        }
        double[] norms = gram.norms();
        double bound = config.normGuard() * Lmca.median(norms);
        for (int i = 0; i < n; i++) {
            if (norms[i] > bound) {
                factors[i] = bound / norms[i];
            }
        }
        return factors;
    }

    private List<ClientVerdict> verdicts(RoundUpdates updates, Detected d, double[] bounded,
                                         WeightElimination.Outcome outcome) {
        List<ClientVerdict> out = new ArrayList<>(updates.size());
        for (int i = 0; i < updates.size(); i++) {
            int id = updates.clientId(i);
            List<String> why = new ArrayList<>();
            if (d.reasons()[i] != null && !d.reasons()[i].isEmpty()) {
                why.add(d.reasons()[i]);
            }
            if (bounded[i] < 1) {
                why.add("norm guard: scaled by " + fmt(bounded[i]));
            }
            boolean removed = outcome != null && outcome.removed()[i];
            boolean clipped = outcome != null && outcome.clipped()[i];
            if (outcome != null && outcome.description()[i] != null) {
                why.add(outcome.description()[i]);
            }
            String reason = String.join("; ", why);
            if (removed) {
                out.add(ClientVerdict.rejected(id, d.flagged()[i], reason));
            } else if (clipped || bounded[i] < 1) {
                out.add(ClientVerdict.clipped(id, d.flagged()[i], reason));
            } else {
                out.add(new ClientVerdict(id, ClientVerdict.Status.ACCEPTED, d.flagged()[i], reason));
            }
        }
        return out;
    }

    /**
     * G += σ·z on the trainable coordinates (none on BatchNorm running statistics): the Philox range overload per
     * trainable range, so coordinate c receives element c of stream (round seed, {@link NoiseStreams#BADFL})
     * exactly as noise on the whole vector would give it, without a full-length noise buffer.
     */
    private static void addTrainableNoise(float[] target, double sigma, long seed, ParamLayout layout,
                                          AggregationKernels kernels) {
        if (sigma == 0) {
            return;
        }
        int[] ranges = layout.trainableRanges();
        for (int r = 0; r < ranges.length; r += 2) {
            kernels.addNoise(target, ranges[r], ranges[r + 1], sigma, seed, NoiseStreams.BADFL);
        }
    }

    private static int countTrue(boolean[] values) {
        int c = 0;
        for (boolean v : values) {
            if (v) {
                c++;
            }
        }
        return c;
    }
}
