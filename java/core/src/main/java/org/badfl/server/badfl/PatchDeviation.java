package org.badfl.server.badfl;

import static org.badfl.server.badfl.Lmca.fmt;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Patch deviation: a per-patch comparison of every model's class saliency against all models of the round, with
 * a per-client memory over rounds. An addition to BADFL's neuron inspection (Zhang et al., TKDE 2024, Section
 * V-A2), measured in docs/BADFL.md ("Readings changed by measurement"): MNIA's features (eq. 6-8) reduce a saliency
 * map to two numbers per class, and a DBA attacker, whose trigger is a quarter of the global one, changes them
 * little; where the map changes, it changes at the trigger's pixels, so this class compares maps where they are.
 * <ol>
 *   <li><b>Profile.</b> For every inspected model and class c: the mean over the clean inspection images of the
 *       normalised guided-backprop saliency map ({@link SaliencyMap}: max over channels of |g|, min-max to [0, 1]),
 *       average-pooled into {@code patch} × {@code patch}-pixel patches (edge patches average the pixels they
 *       have). A model whose maps are not finite has no profile.</li>
 *   <li><b>Robust z-score per class and patch</b> against all models of the round that have a profile:
 *       z = (x − median) / s with s = max(1.4826·MAD, {@code spreadFloor} × the median of the class's spreads over
 *       its patches), so that a patch on which the models happen to agree (e.g. a corner where every map is ~0)
 *       cannot turn a small difference into a huge z. A class whose spreads are all 0 contributes z = 0.</li>
 *   <li><b>Round score</b> of a model ({@link Statistic}): by default the class contrast, the largest per-class RMS
 *       of its z-scores after each patch's median z over the classes is subtracted (a backdoor changes its target
 *       class's map at the trigger; a benign model that differs somewhere differs there in every class); or the RMS
 *       of all its z-scores (about 1 for a typical model).</li>
 *   <li><b>Memory</b> ({@link Memory}): per client, the sum over the rounds it was scored in of what each round
 *       entered, divided by √(rounds): a Stouffer-style combination under which a client that deviates a little in
 *       every round (a DBA attacker) accumulates evidence and one bad round of a benign client fades. By default
 *       ({@code centred}) a round enters the robust z-score of the model's round score among the round's scores,
 *       (score − median) / (1.4826·MAD), so that benign memories stay near 0 whatever the round's typical score
 *       (summing raw scores lets them grow like √rounds × the typical score); at most {@code cap} per round, so
 *       one extreme round cannot keep a benign client above the guard for long.</li>
 *   <li><b>LOF memory</b> (default weight {@code lofWeight} 0.75): per client also the sum over its rounds of the
 *       robust z-score of LMCA's LOF of its update among the round's updates (at most {@code lofCap} = 8 per round);
 *       the accumulated value is then (patch sum + w · LOF sum) / (√rounds · √(1 + w²)). Added after a held-out
 *       check (docs/BADFL.md, "Held-out seeds"): the LOF relative to the round separates DBA attackers from round 3
 *       on, where an absolute LOF level does not; weight 0 gives the patch memory alone.</li>
 *   <li><b>Verdict</b>: flagged when the accumulated value exceeds {@code guard} (default 7.5), or {@code lowGuard} when the update's LOF
 *       (LMCA, Algorithm 1) exceeds {@code lofEvidence} (an update already unusual in direction needs less
 *       saliency evidence), or {@code mniaGuard} when MNIA's own anomaly index (Algorithm 2) flags the model this
 *       round. A client flagged here in a round in which MNIA's index flagged it too is <i>confirmed</i>: it stays
 *       flagged in later rounds while its memory exceeds {@code hold} (a DBA attacker whose trigger shows in one
 *       round and hardly in the next). The corroborations and the hold are off by default (they were fitted to
 *       seeds 1-3; {@link #seedsOneToThree()} keeps that rule). Needs at least {@link #MIN_MODELS} models with a profile in the round
 *       (otherwise nobody is scored or flagged and the memory is unchanged).</li>
 *   <li><b>Forgiveness</b>: a client flagged in {@code sentence} consecutive rounds in which it was scored (default
 *       {@link #DEFAULT_SENTENCE}) has served its sentence: the next time it is scored its memory is cleared first, so
 *       that it is judged on fresh evidence only. A benign client whose data make it look a little unusual in every
 *       round (Dirichlet shards) is therefore never excluded for good: it is admitted again as long as one round's
 *       evidence stays under the guard (one round reaches the guard 7.5 only with both signals at their caps, an
 *       attacker's signature), until its memory has grown again. An attacker whose rounds are extreme is flagged again
 *       at once.</li>
 * </ol>
 * Deterministic; no randomness.
 */
public final class PatchDeviation {

    /** Default patch side in pixels. */
    public static final int DEFAULT_PATCH = 4;
    /** Default floor of a patch's spread, as a fraction of the median spread over the class's patches. */
    public static final double DEFAULT_SPREAD_FLOOR = 0.5;
    /** Default guard on the accumulated score. */
    public static final double DEFAULT_GUARD = 7.5;
    /** Fewest models with a profile the round needs for a comparison. */
    public static final int MIN_MODELS = 3;

    /** How a model's z-scores become its round score. */
    public enum Statistic {
        /** Root mean square over all classes and patches. */
        RMS,
        /**
         * Class contrast: from each (class, patch) z-score the median over the classes of that patch's z-scores is
         * subtracted (a deviation a model shows in every class is a model-wide difference, not a class-specific
         * backdoor); the score is the largest per-class RMS of what remains.
         */
        CLASS_CONTRAST
    }

    /** Default cap on what one round adds to the memory. */
    public static final double DEFAULT_CAP = 3.5;
    /** Default guard for a client whose update LMCA's LOF also finds unusual. */
    public static final double DEFAULT_LOW_GUARD = DEFAULT_GUARD;
    /** Default LOF above which an update counts as unusual in direction (below LMCA's outlier threshold 1.5). */
    public static final double DEFAULT_LOF_EVIDENCE = Double.POSITIVE_INFINITY;
    /** Default guard for a client whose model MNIA's own anomaly index flags this round. */
    public static final double DEFAULT_MNIA_GUARD = DEFAULT_GUARD;
    /** Default accumulated value above which a confirmed client stays flagged. */
    public static final double DEFAULT_HOLD = Double.POSITIVE_INFINITY;
    /** Default weight of the LOF memory in the accumulated value. */
    public static final double DEFAULT_LOF_WEIGHT = 0.75;
    /** Default cap on what one round adds to the LOF memory. */
    public static final double DEFAULT_LOF_CAP = 8;
    /** Default consecutive flagged rounds after which a client's memory is cleared (docs/BADFL.md, "The memory forgives"). */
    public static final int DEFAULT_SENTENCE = 2;
    /** A sentence that never ends: the memory never forgives (the rules measured before forgiveness existed). */
    public static final int NEVER_FORGIVE = Integer.MAX_VALUE;

    private final int patch;
    private final double spreadFloor;
    private final double guard;
    private final boolean centred;
    private final Statistic statistic;
    private final double cap;
    private final double lowGuard;
    private final double lofEvidence;
    private final double mniaGuard;
    private final double hold;
    private final double lofWeight;
    private final double lofCap;
    private final int sentence;

    /**
     * @param patch       patch side in pixels, ≥ 1 (default {@link #DEFAULT_PATCH})
     * @param spreadFloor floor of a patch's spread as a fraction of the class's median spread, in [0, 1] (default
     *                    {@link #DEFAULT_SPREAD_FLOOR})
     * @param statistic   how z-scores become the round score (default {@link Statistic#CLASS_CONTRAST})
     * @param centred     the memory accumulates the round score's robust z-score among the round's models
     *                    (default) instead of the score itself
     * @param cap         most one round adds to a client's memory, &gt; 0 (default {@link #DEFAULT_CAP};
     *                    infinity = no cap)
     * @param guard       accumulated value above which a client is flagged, finite and &gt; 0 (default
     *                    {@link #DEFAULT_GUARD})
     * @param lowGuard    accumulated value above which a client is flagged when its LOF exceeds
     *                    {@code lofEvidence}, in (0, guard] (default {@link #DEFAULT_LOW_GUARD}; guard = no
     *                    corroboration)
     * @param lofEvidence LOF of the update above which it counts as corroborating evidence, &gt; 0 (default
     *                    {@link #DEFAULT_LOF_EVIDENCE}; infinity = never)
     * @param mniaGuard   accumulated value above which a client is flagged when MNIA's own index flags its model
     *                    this round, in (0, guard] (default {@link #DEFAULT_MNIA_GUARD}; guard = no corroboration)
     * @param hold        a confirmed client (flagged here and by MNIA's own index in the same round) stays flagged in
     *                    later rounds while its accumulated value exceeds this (default {@link #DEFAULT_HOLD});
     *                    infinity = no hold
     * @param sentence    consecutive flagged rounds after which a client's memory is cleared, &gt;= 1
     *                    ({@link #DEFAULT_SENTENCE}; {@link #NEVER_FORGIVE} = never)
     */
    public PatchDeviation(int patch, double spreadFloor, Statistic statistic, boolean centred, double cap,
                          double guard, double lowGuard, double lofEvidence, double mniaGuard, double hold,
                          double lofWeight, double lofCap, int sentence) {
        if (sentence < 1) {
            throw new IllegalArgumentException("badfl: patch memory sentence must be >= 1 round, got " + sentence);
        }
        if (patch < 1) {
            throw new IllegalArgumentException("badfl: patch size must be >= 1 pixel, got " + patch);
        }
        if (!(spreadFloor >= 0 && spreadFloor <= 1)) {
            throw new IllegalArgumentException("badfl: patch spread floor must be in [0, 1], got " + spreadFloor);
        }
        if (!(guard > 0) || Double.isInfinite(guard)) {
            throw new IllegalArgumentException("badfl: patch-guard must be finite and > 0, got " + guard);
        }
        if (!(cap > 0)) {
            throw new IllegalArgumentException("badfl: patch-cap must be > 0, got " + cap);
        }
        if (!(lowGuard > 0 && lowGuard <= guard)) {
            throw new IllegalArgumentException("badfl: patch-low-guard must be in (0, patch-guard = " + guard
                + "], got " + lowGuard);
        }
        if (!(lofEvidence > 0)) {
            throw new IllegalArgumentException("badfl: patch-lof must be > 0, got " + lofEvidence);
        }
        if (!(mniaGuard > 0 && mniaGuard <= guard)) {
            throw new IllegalArgumentException("badfl: patch-mnia-guard must be in (0, patch-guard = " + guard
                + "], got " + mniaGuard);
        }
        if (Double.isNaN(hold)) {
            throw new IllegalArgumentException("badfl: patch-hold must be a number or Infinity, got NaN");
        }
        if (!(lofWeight >= 0) || Double.isInfinite(lofWeight)) {
            throw new IllegalArgumentException("badfl: patch-lof-weight must be finite and >= 0, got " + lofWeight);
        }
        if (!(lofCap > 0)) {
            throw new IllegalArgumentException("badfl: patch-lof-cap must be > 0, got " + lofCap);
        }
        if (statistic == null) {
            throw new IllegalArgumentException("badfl: patch statistic must be given");
        }
        this.patch = patch;
        this.spreadFloor = spreadFloor;
        this.guard = guard;
        this.centred = centred;
        this.statistic = statistic;
        this.cap = cap;
        this.lowGuard = lowGuard;
        this.lofEvidence = lofEvidence;
        this.mniaGuard = mniaGuard;
        this.hold = hold;
        this.lofWeight = lofWeight;
        this.lofCap = lofCap;
        this.sentence = sentence;
    }

    /** The given parameters with the forgiving memory ({@link #DEFAULT_SENTENCE}). */
    public PatchDeviation(int patch, double spreadFloor, Statistic statistic, boolean centred, double cap,
                          double guard, double lowGuard, double lofEvidence, double mniaGuard, double hold,
                          double lofWeight, double lofCap) {
        this(patch, spreadFloor, statistic, centred, cap, guard, lowGuard, lofEvidence, mniaGuard, hold, lofWeight,
            lofCap, DEFAULT_SENTENCE);
    }

    /**
     * The same parameters without the LOF memory (weight 0) and without forgiveness, as before either existed.
     */
    public PatchDeviation(int patch, double spreadFloor, Statistic statistic, boolean centred, double cap,
                          double guard, double lowGuard, double lofEvidence, double mniaGuard, double hold) {
        this(patch, spreadFloor, statistic, centred, cap, guard, lowGuard, lofEvidence, mniaGuard, hold, 0,
            DEFAULT_LOF_CAP, NEVER_FORGIVE);
    }

    /** Consecutive flagged rounds after which a client's memory is cleared. */
    public int sentence() {
        return sentence;
    }

    /**
     * The rule tuned on seeds 1-3 before the held-out check (docs/BADFL.md): patch memory only, guard 3.5, 2 with
     * LOF &gt; 1.12, 2.5 when MNIA's index flags the model, confirmed clients held while their memory exceeds 1.
     */
    public static PatchDeviation seedsOneToThree() {
        return new PatchDeviation(DEFAULT_PATCH, DEFAULT_SPREAD_FLOOR, Statistic.CLASS_CONTRAST, true, DEFAULT_CAP,
            3.5, 2.0, 1.12, 2.5, 1.0);
    }

    /**
     * The first reading (docs/BADFL.md): RMS of the z-scores, raw scores into the memory, no cap, one guard, no LOF
     * corroboration.
     */
    public static PatchDeviation rmsReading(int patch, double spreadFloor, double guard) {
        return new PatchDeviation(patch, spreadFloor, Statistic.RMS, false, Double.POSITIVE_INFINITY, guard, guard,
            Double.POSITIVE_INFINITY, guard, Double.POSITIVE_INFINITY);
    }

    /**
     * The defaults: 4-pixel patches, floor 0.5, class contrast, centred memory capped at 3.5 per round, LOF memory
     * (robust z of the LOF among the round's updates, capped at 8 per round) with weight 0.75, one guard 7.5 on the
     * combined value, no LOF or MNIA corroboration, no hold.
     */
    public PatchDeviation() {
        this(DEFAULT_PATCH, DEFAULT_SPREAD_FLOOR, Statistic.CLASS_CONTRAST, true, DEFAULT_CAP, DEFAULT_GUARD,
            DEFAULT_LOW_GUARD, DEFAULT_LOF_EVIDENCE, DEFAULT_MNIA_GUARD, DEFAULT_HOLD, DEFAULT_LOF_WEIGHT,
            DEFAULT_LOF_CAP);
    }

    public double lofWeight() {
        return lofWeight;
    }

    public double lofCap() {
        return lofCap;
    }

    public int patch() {
        return patch;
    }

    public double spreadFloor() {
        return spreadFloor;
    }

    public double guard() {
        return guard;
    }

    public boolean centred() {
        return centred;
    }

    public Statistic statistic() {
        return statistic;
    }

    public double cap() {
        return cap;
    }

    public double lowGuard() {
        return lowGuard;
    }

    public double lofEvidence() {
        return lofEvidence;
    }

    public double mniaGuard() {
        return mniaGuard;
    }

    public double hold() {
        return hold;
    }

    /**
     * A model's profile: per class, the mean normalised saliency of each patch ({@code values[c][p]}, patches row
     * by row), or null when a gradient is not finite.
     *
     * @param gradients per class, NCHW guided-backprop gradients of all images (as
     *                  {@link org.badfl.server.ModelInspector#guidedGradients}); not modified
     */
    public double[][] profile(float[][] gradients, int images, int channels, int height, int width) {
        int imageSize = channels * height * width;
        int plane = height * width;
        int rows = (height + patch - 1) / patch;
        int cols = (width + patch - 1) / patch;
        float[] map = new float[plane];
        double[][] out = new double[gradients.length][rows * cols];
        for (int c = 0; c < gradients.length; c++) {
            if (gradients[c] == null || gradients[c].length < (long) images * imageSize) {
                throw new IllegalArgumentException("model inspector: gradients of class " + c + " have "
                    + (gradients[c] == null ? "no" : String.valueOf(gradients[c].length)) + " values, expected "
                    + (long) images * imageSize);
            }
            double[] sum = new double[plane];
            for (int i = 0; i < images; i++) {
                if (!SaliencyMap.reduce(gradients[c], i * imageSize, channels, height, width, map)) {
                    return null;
                }
                for (int p = 0; p < plane; p++) {
                    sum[p] += map[p];
                }
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    out[c][(y / patch) * cols + x / patch] += sum[y * width + x];
                }
            }
            for (int r = 0; r < rows; r++) {
                for (int q = 0; q < cols; q++) {
                    int ph = Math.min(patch, height - r * patch);
                    int pw = Math.min(patch, width - q * patch);
                    out[c][r * cols + q] /= (double) ph * pw * Math.max(1, images);
                }
            }
        }
        return out;
    }

    /**
     * Round scores: per model, the {@link Statistic} of its per-class, per-patch robust z-scores against all models
     * with a profile; NaN for models without one (null) and for every model when fewer than {@link #MIN_MODELS}
     * have one.
     */
    public double[] scores(double[][][] profiles) {
        int n = profiles.length;
        double[] out = new double[n];
        Arrays.fill(out, Double.NaN);
        int[] usable = Arrays.stream(indices(n)).filter(i -> profiles[i] != null).toArray();
        if (usable.length < MIN_MODELS) {
            return out;
        }
        double[][] first = profiles[usable[0]];
        int classes = first.length;
        int patches = classes == 0 ? 0 : first[0].length;
        double[][][] z = new double[n][][];
        for (int i : usable) {
            if (profiles[i].length != classes) {
                throw new IllegalArgumentException("patch deviation: profiles of different shapes");
            }
            z[i] = new double[classes][patches];
        }
        double[] column = new double[usable.length];
        for (int c = 0; c < classes; c++) {
            double[] centre = new double[patches];
            double[] spread = new double[patches];
            for (int p = 0; p < patches; p++) {
                for (int a = 0; a < usable.length; a++) {
                    double[] row = profiles[usable[a]][c];
                    if (row.length != patches) {
                        throw new IllegalArgumentException("patch deviation: profiles of different shapes");
                    }
                    column[a] = row[p];
                }
                centre[p] = Lmca.median(column);
                spread[p] = 1.4826 * NeuronInspection.mad(column);
            }
            double floor = spreadFloor * Lmca.median(spread);
            for (int p = 0; p < patches; p++) {
                double sp = Math.max(spread[p], floor);
                for (int i : usable) {
                    z[i][c][p] = sp > 0 ? (profiles[i][c][p] - centre[p]) / sp : 0;
                }
            }
        }
        for (int i : usable) {
            out[i] = statistic == Statistic.RMS ? rms(z[i]) : classContrast(z[i]);
        }
        return out;
    }

    private static double rms(double[][] z) {
        double ss = 0;
        int count = 0;
        for (double[] row : z) {
            for (double v : row) {
                ss += v * v;
                count++;
            }
        }
        return count == 0 ? 0 : Math.sqrt(ss / count);
    }

    /** Largest per-class RMS of z minus each patch's median z over the classes. */
    private static double classContrast(double[][] z) {
        int classes = z.length;
        if (classes == 0 || z[0].length == 0) {
            return 0;
        }
        int patches = z[0].length;
        double[] across = new double[classes];
        double[] ss = new double[classes];
        for (int p = 0; p < patches; p++) {
            for (int c = 0; c < classes; c++) {
                across[c] = z[c][p];
            }
            double m = Lmca.median(across);
            for (int c = 0; c < classes; c++) {
                ss[c] += (z[c][p] - m) * (z[c][p] - m);
            }
        }
        double best = 0;
        for (double v : ss) {
            best = Math.max(best, Math.sqrt(v / patches));
        }
        return best;
    }

    /**
     * One round's verdicts.
     *
     * @param scores      per row: the round score, NaN when the row had no profile or the round too few
     * @param entered     per row: what entered the memory (the score, or its robust z among the round's scores
     *                    when centred; at most the cap), NaN when nothing did
     * @param accumulated per row: the client's memory after this round (sum / √rounds), NaN when it has none
     * @param rounds      per row: rounds the client has been scored in, this one included
     * @param corroborated per row: its LOF exceeded the LOF evidence level, so the low guard applied (else, when MNIA
     *                    flagged it, the MNIA guard)
     * @param held        per row: flagged only because the client was confirmed in an earlier round and its
     *                    accumulated value still exceeds the hold
     * @param flagged     per row: accumulated &gt; guard, or &gt; low guard when corroborated, or held
     */
    public record Result(double[] scores, double[] entered, double[] accumulated, int[] rounds,
                         boolean[] corroborated, boolean[] byMnia, boolean[] held, boolean[] flagged) {

        /** Short description of row i for a verdict reason. */
        public String describe(int i, PatchDeviation judge) {
            if (Double.isNaN(accumulated[i])) {
                return "patch: not scored";
            }
            if (held[i]) {
                return String.format(Locale.ROOT, "patch: score %s, accumulated %s over %d rounds > hold %s (confirmed "
                    + "by MNIA in an earlier round)", fmt(scores[i]), fmt(accumulated[i]), rounds[i],
                    fmt(judge.hold()));
            }
            double g = corroborated[i] ? judge.lowGuard() : byMnia[i] ? judge.mniaGuard() : judge.guard();
            return String.format(Locale.ROOT, "patch: score %s, accumulated %s over %d round%s %s %s %s",
                fmt(scores[i]), fmt(accumulated[i]), rounds[i], rounds[i] == 1 ? "" : "s",
                flagged[i] ? ">" : "<=", corroborated[i] ? "low guard (LOF > " + fmt(judge.lofEvidence()) + ")"
                : byMnia[i] ? "MNIA guard (MNIA flagged it)" : "guard", fmt(g));
        }
    }

    /**
     * Scores the round's models and updates the clients' memory.
     *
     * @param clients  per row: the client id (the memory's key)
     * @param profiles per row: the model's profile ({@link #profile}), null when it has none
     * @param lof      per row: LMCA's LOF of the update (corroborating evidence), or null for none
     * @param mnia     per row: MNIA's own index flagged it this round (a client flagged here too becomes confirmed),
     *                 or null for none
     * @param memory   updated with this round's scores (unchanged when the round has too few profiles)
     */
    public Result judge(int[] clients, double[][][] profiles, double[] lof, boolean[] mnia, Memory memory) {
        int n = clients.length;
        if (profiles.length != n || (lof != null && lof.length != n) || (mnia != null && mnia.length != n)) {
            throw new IllegalArgumentException("patch deviation: " + n + " clients but " + profiles.length
                + " profiles" + (lof == null ? "" : " and " + lof.length + " LOF values"));
        }
        double[] scores = scores(profiles);
        double[] entered = scores.clone();
        if (centred) {
            double[] finite = Arrays.stream(scores).filter(v -> !Double.isNaN(v)).toArray();
            if (finite.length > 0) {
                double med = Lmca.median(finite);
                double s = 1.4826 * NeuronInspection.mad(finite);
                for (int i = 0; i < n; i++) {
                    entered[i] = Double.isNaN(scores[i]) ? Double.NaN : s > 0 ? (scores[i] - med) / s : 0;
                }
            }
        }
        double[] lofEntered = new double[n];
        java.util.Arrays.fill(lofEntered, 0);
        if (lofWeight > 0 && lof != null) {
            double[] finite = java.util.stream.IntStream.range(0, n)
                .filter(i -> !Double.isNaN(entered[i]) && Double.isFinite(lof[i])).mapToDouble(i -> lof[i]).toArray();
            if (finite.length > 0) {
                double med = Lmca.median(finite);
                double s = 1.4826 * NeuronInspection.mad(finite);
                for (int i = 0; i < n; i++) {
                    lofEntered[i] = s > 0 && Double.isFinite(lof[i]) ? Math.min((lof[i] - med) / s, lofCap) : 0;
                }
            }
        }
        double[] accumulated = new double[n];
        int[] rounds = new int[n];
        boolean[] corroborated = new boolean[n];
        boolean[] byMnia = new boolean[n];
        boolean[] held = new boolean[n];
        boolean[] flagged = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(entered[i]) && memory.streak(clients[i]) >= sentence) {
                // Sentence served in earlier rounds: judged on fresh evidence from this round on.
                memory.forgive(clients[i]);
            }
            if (!Double.isNaN(entered[i])) {
                entered[i] = Math.min(entered[i], cap);
                memory.add(clients[i], entered[i], lofEntered[i]);
            }
            accumulated[i] = memory.value(clients[i], lofWeight);
            rounds[i] = memory.rounds(clients[i]);
            corroborated[i] = lof != null && lof[i] > lofEvidence;
            if (Double.isNaN(entered[i])) {
                continue;
            }
            byMnia[i] = mnia != null && mnia[i];
            boolean byGuard = accumulated[i] > guard || (corroborated[i] && accumulated[i] > lowGuard)
                || (byMnia[i] && accumulated[i] > mniaGuard);
            held[i] = !byGuard && memory.confirmed(clients[i]) && accumulated[i] > hold;
            flagged[i] = byGuard || held[i];
            if (byGuard && byMnia[i]) {
                memory.confirm(clients[i]);
            }
            if (flagged[i]) {
                memory.lengthenStreak(clients[i]);
            } else {
                memory.endStreak(clients[i]);
            }
        }
        return new Result(scores, entered, accumulated, rounds, corroborated, byMnia, held, flagged);
    }

    /** {@link #judge(int[], double[][][], double[], boolean[], Memory)} without LOF or MNIA evidence. */
    public Result judge(int[] clients, double[][][] profiles, Memory memory) {
        return judge(clients, profiles, null, null, memory);
    }

    private static int[] indices(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /**
     * Per-client memory of patch scores: the sum over the rounds a client was scored in, their count, and whether
     * the client was confirmed (flagged by patch deviation and MNIA in one round); its value is sum / √count (NaN
     * for a client never scored). Saved as text ({@link #save}, {@link #restore}) so that a resumed run continues
     * with the same memory. Not thread-safe.
     */
    public static final class Memory {

        private final Map<Integer, double[]> byClient = new TreeMap<>();

        /** Adds one round's value for a client (no LOF value). */
        public void add(int client, double value) {
            add(client, value, 0);
        }

        /** Adds one round's patch value and LOF value for a client. */
        public void add(int client, double value, double lofValue) {
            if (!Double.isFinite(value) || !Double.isFinite(lofValue)) {
                throw new IllegalArgumentException("patch memory: value for client " + client + " is " + value
                    + " (LOF value " + lofValue + ")");
            }
            double[] s = byClient.computeIfAbsent(client, k -> new double[5]);
            s[0] += value;
            s[1] += 1;
            s[3] += lofValue;
        }

        /** Sum / √rounds, NaN when the client was never scored. */
        public double value(int client) {
            double[] s = byClient.get(client);
            return s == null ? Double.NaN : s[0] / Math.sqrt(s[1]);
        }

        /**
         * (patch sum + w × LOF sum) / (√rounds × √(1 + w²)), NaN when the client was never scored; w = 0 gives
         * {@link #value(int)}.
         */
        public double value(int client, double w) {
            double[] s = byClient.get(client);
            return s == null ? Double.NaN : (s[0] + w * s[3]) / (Math.sqrt(s[1]) * Math.sqrt(1 + w * w));
        }

        /** LOF sum / √rounds, NaN when the client was never scored. */
        public double lofValue(int client) {
            double[] s = byClient.get(client);
            return s == null ? Double.NaN : s[3] / Math.sqrt(s[1]);
        }

        /** Rounds the client was scored in. */
        public int rounds(int client) {
            double[] s = byClient.get(client);
            return s == null ? 0 : (int) s[1];
        }

        /** Marks a client as confirmed (it needs a memory: call {@link #add} first). */
        public void confirm(int client) {
            double[] s = byClient.get(client);
            if (s == null) {
                throw new IllegalArgumentException("patch memory: client " + client + " was never scored");
            }
            s[2] = 1;
        }

        /** Consecutive rounds, up to the last one, in which the client was flagged (0 without a memory). */
        public int streak(int client) {
            double[] s = byClient.get(client);
            return s == null ? 0 : (int) s[4];
        }

        /** One more flagged round in a row; returns the streak's new length (the client needs a memory). */
        public int lengthenStreak(int client) {
            double[] s = byClient.get(client);
            if (s == null) {
                throw new IllegalArgumentException("patch memory: client " + client + " was never scored");
            }
            s[4] += 1;
            return (int) s[4];
        }

        /** The client was not flagged this round. */
        public void endStreak(int client) {
            double[] s = byClient.get(client);
            if (s != null) {
                s[4] = 0;
            }
        }

        /** Clears everything remembered of the client (sum, rounds, confirmation, streak). */
        public void forgive(int client) {
            byClient.remove(client);
        }

        /** Whether the client was confirmed in an earlier round. */
        public boolean confirmed(int client) {
            double[] s = byClient.get(client);
            return s != null && s[2] == 1;
        }

        /** Clients with a memory. */
        public int size() {
            return byClient.size();
        }

        /**
         * Text form: "client:sum:rounds:confirmed:lofSum:streak" entries (confirmed 0 or 1) separated by ';', clients
         * increasing (entries without the LOF sum or the streak, written before they existed, are read with 0),
         * sums in Java's exact round-trip notation (so that a restored memory gives the same verdicts bit for bit).
         */
        public String save() {
            StringBuilder b = new StringBuilder();
            for (Map.Entry<Integer, double[]> e : byClient.entrySet()) {
                if (b.length() > 0) {
                    b.append(';');
                }
                b.append(e.getKey()).append(':').append(Double.toString(e.getValue()[0])).append(':')
                    .append((long) e.getValue()[1]).append(':').append((long) e.getValue()[2]).append(':')
                    .append(Double.toString(e.getValue()[3])).append(':').append((long) e.getValue()[4]);
            }
            return b.toString();
        }

        /** The memory saved by {@link #save}; a clear error for text it did not write. */
        public static Memory restore(String text) {
            Memory m = new Memory();
            if (text == null || text.isEmpty()) {
                return m;
            }
            for (String entry : text.split(";")) {
                String[] f = entry.split(":");
                try {
                    if (f.length < 4 || f.length > 6) {
                        throw new NumberFormatException("expected client:sum:rounds:confirmed[:lofSum[:streak]]");
                    }
                    double lofSum = f.length >= 5 ? Double.parseDouble(f[4]) : 0;
                    long streak = f.length == 6 ? Long.parseLong(f[5]) : 0;
                    int client = Integer.parseInt(f[0]);
                    double sum = Double.parseDouble(f[1]);
                    long rounds = Long.parseLong(f[2]);
                    int confirmed = Integer.parseInt(f[3]);
                    if (!Double.isFinite(sum) || !Double.isFinite(lofSum) || rounds < 1 || m.byClient.containsKey(client)
                        || (confirmed != 0 && confirmed != 1) || streak < 0 || streak > rounds) {
                        throw new NumberFormatException("non-finite sum, rounds < 1, confirmed not 0/1, streak not in "
                            + "[0, rounds] or a repeated client");
                    }
                    m.byClient.put(client, new double[] {sum, rounds, confirmed, lofSum, streak});
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("patch memory: cannot read entry '" + entry + "' ("
                        + e.getMessage() + ")");
                }
            }
            return m;
        }
    }
}
