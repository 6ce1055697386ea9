package org.badfl.server.badfl;

import org.badfl.server.badfl.NeuronInspection.Propagation;
import org.badfl.server.badfl.SaliencyFeatures.Stability;
import org.badfl.server.badfl.WeightElimination.Mode;

/**
 * Every hyperparameter and ablation switch of {@link BadflDefense}, with the measured defaults (docs/BADFL.md "Readings
 * changed by measurement"; the interpretation's reading stays one option away).
 * Registry option names (see {@code Defenses}) are given in brackets.
 *
 * @param detection          malicious model detection [detection]: LMCA + MNIA (default), FLAME's HDBSCAN, plain
 *                           K-means (Fig. 9 ablation), or off ("MMD off", Fig. 8)
 * @param lofThreshold       LMCA's LOF outlier threshold [lof-threshold] (1.5)
 * @param lofK               LMCA's LOF neighbours [lof-k], {@link Lmca#AUTO_K} = max(2, ⌈n/2⌉)
 * @param normFactor         LMCA's norm criterion [norm-factor] (2; 0 = off): an update whose norm exceeds this
 *                           multiple of the median norm is an LMCA outlier (inspected)
 * @param normGuard          norm guard [norm-guard] (2; 0 = off): an update whose norm exceeds this multiple of the
 *                           median norm is scaled down to that bound before aggregation, whatever its verdict, so that
 *                           one extreme update cannot dominate G even undetected
 * @param lambdaCo           λ_co of eq. (8) [lambda-co] (1)
 * @param lambdaSt           λ_st of eq. (8) [lambda-st] (1)
 * @param stability          reading of eq. (7) [stability]: pairwise (default) or XOR (the interpretation's)
 * @param guard              MNIA's separation guard in robust standard deviations [guard] (3; the interpretation's 2)
 * @param propagatedGuard    anomaly index a cluster member inspected through verdict propagation needs under the
 *                           member rule [propagated-guard] (default: guard; a larger value asks more of them)
 * @param scoring            how MNIA turns features into points [orientation = paper | two-sided,
 *                           scaling = pooled | per-class, point = suspect-class | class-mean, rule = cluster |
 *                           member, reference = candidates | sampled] (default: two-sided, per-class, suspect-class,
 *                           member, sampled; the interpretation's reading: paper, pooled, suspect-class, cluster,
 *                           candidates)
 * @param propagation        a flagged sampled member's LMCA cluster: inspect it (default) or flag it whole
 *                           [propagation = inspect | cluster]
 * @param clipping           weight elimination mode [clipping]: remove (default), layer (the interpretation's), coordinate,
 *                           gm, lm
 * @param eliminate          weight elimination on [mwe] (true); off: flagged updates are aggregated as sent
 *                           ("MWE off", Fig. 8), detection is only reported
 * @param sigma              σ_t of the Gaussian noise on G for t &lt; T [sigma] (0.001, the paper's IID value;
 *                           1e-4 for non-IID data, Fig. 12)
 * @param lmcaOnlyWithoutInspector without a model inspector (no clean inspection data), flag LMCA's outliers
 *                           (true, default) or nobody [no-inspector = lmca | none]
 * @param smoothing          evaluate with the smoothing classifier [smoothing] (true; "SC off" = false)
 * @param smoothingCopies    M noisy copies [smoothing-copies] (100 on CPU)
 * @param smoothingSigma     σ_T of the smoothing noise [smoothing-sigma] (NaN = {@code sigma})
 * @param alpha              Hoeffding error tolerance α [alpha] (0.001)
 * @param patch              patch deviation on [patch = on | off] (on): every model of the round is inspected and
 *                           judged by {@link PatchDeviation} with a per-client memory over rounds
 * @param patchSize          patch side in pixels [patch-size] (4)
 * @param patchFloor         floor of a patch's spread, fraction of the class's median spread [patch-floor] (0.5)
 * @param patchStatistic     how a model's patch z-scores become its round score [patch-score = class-contrast |
 *                           rms] (class-contrast)
 * @param patchCentred       the memory accumulates the round score's robust z among the round's models
 *                           [patch-memory = centred | raw] (centred)
 * @param patchCap           most one round adds to a client's memory [patch-cap] (3.5; Infinity = no cap)
 * @param patchGuard         guard on a client's accumulated value [patch-guard] (7.5; 3.5 in the seeds-1-3 rule)
 * @param patchLowGuard      guard for a client whose update's LOF exceeds patchLof [patch-low-guard]
 *                           (min(7.5, patch-guard); 2 in the seeds-1-3 rule)
 * @param patchLof           LOF above which an update counts as corroborating evidence [patch-lof]
 *                           (Infinity; 1.12 in the seeds-1-3 rule;
 *                           Infinity = never)
 * @param patchMniaGuard     guard for a client whose model MNIA's own index flags this round [patch-mnia-guard]
 *                           (min(7.5, patch-guard); 2.5 in the seeds-1-3 rule)
 * @param patchHold          a client flagged by patch deviation and MNIA in one round stays flagged while its
 *                           accumulated value exceeds this [patch-hold] (Infinity = no hold; 1 in the seeds-1-3 rule)
 * @param patchLofWeight     weight of the LOF memory (each round's robust z of the update's LOF among the round's
 *                           updates) in the accumulated value [patch-lof-weight] (0.75; 0 = patch memory only, the
 *                           seeds-1-3 rule)
 * @param patchLofCap        most one round adds to a client's LOF memory [patch-lof-cap] (8)
 * @param mniaScope          which models MNIA's own judgement may flag [mnia-scope = outliers | all]: LMCA's
 *                           outliers only (default with patch deviation on) or every model it judges (the
 *                           paper's; the default with patch=off)
 */
public record BadflConfig(Detection detection, double lofThreshold, int lofK, double normFactor, double normGuard,
                          double lambdaCo, double lambdaSt, Stability stability, double guard, double propagatedGuard,
                          NeuronInspection.Scoring scoring,
                          Propagation propagation, Mode clipping, boolean eliminate, double sigma,
                          boolean lmcaOnlyWithoutInspector, boolean smoothing, int smoothingCopies,
                          double smoothingSigma, double alpha, boolean patch, int patchSize, double patchFloor,
                          PatchDeviation.Statistic patchStatistic, boolean patchCentred, double patchCap,
                          double patchGuard, double patchLowGuard, double patchLof, double patchMniaGuard,
                          double patchHold, double patchLofWeight, double patchLofCap,
                          MniaScope mniaScope) {

    /** Which models MNIA's own verdict (Algorithm 2) may flag. */
    public enum MniaScope {
        /** Only LMCA's outliers; the other models are judged by patch deviation alone. */
        OUTLIERS,
        /** Every model MNIA judges (candidates and propagated members): the paper's reading. */
        ALL
    }

    /** Malicious model detection. */
    public enum Detection {
        /** LMCA (Algorithm 1) then MNIA (Algorithm 2): the paper's method. */
        BADFL,
        /** FLAME's HDBSCAN on cosine distances; flagged = outside the largest cluster (HDBSCAN_BADFL, Fig. 9). */
        HDBSCAN,
        /** K-means with k = 2 on the unit-normalised updates; flagged = the smaller cluster (K-means_BADFL). */
        KMEANS,
        /** No detection: nobody flagged ("MMD off"). */
        OFF
    }

    /** σ_t for IID data (paper Fig. 12: range [0.001, 0.05]; the interpretation's default). */
    public static final double IID_SIGMA = 1e-3;
    /** σ_t for non-IID data (paper Fig. 12: larger values diverge). */
    public static final double NON_IID_SIGMA = 1e-4;
    /** M on CPU (1000 on GPU in the interpretation). */
    public static final int DEFAULT_SMOOTHING_COPIES = 100;
    /** Default norm guard: 2 × the median update norm (measured, docs/BADFL.md; it was 10). */
    public static final double DEFAULT_NORM_GUARD = 2;
    /** Hoeffding error tolerance (CRFL). */
    public static final double DEFAULT_ALPHA = 0.001;

    public BadflConfig {
        if (detection == null || stability == null || propagation == null || clipping == null || scoring == null) {
            throw new IllegalArgumentException("badfl: detection, stability, scoring, propagation and clipping must "
                + "be given");
        }
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("badfl: sigma must be finite and >= 0, got " + sigma);
        }
        if (!(normGuard == 0 || normGuard >= 1) || Double.isInfinite(normGuard)) {
            throw new IllegalArgumentException("badfl: norm-guard must be 0 (off) or a finite number >= 1, got "
                + normGuard);
        }
        if (smoothingCopies < 1) {
            throw new IllegalArgumentException("badfl: smoothing-copies must be >= 1, got " + smoothingCopies);
        }
        if (!Double.isNaN(smoothingSigma) && (!(smoothingSigma >= 0) || Double.isInfinite(smoothingSigma))) {
            throw new IllegalArgumentException("badfl: smoothing-sigma must be finite and >= 0, got " + smoothingSigma);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("badfl: alpha must be in (0, 1), got " + alpha);
        }
        if (mniaScope == null) {
            throw new IllegalArgumentException("badfl: mnia-scope must be given");
        }
        // The components check their own parameters.
        new Lmca(lofThreshold, lofK, normFactor);
        new PatchDeviation(patchSize, patchFloor, patchStatistic, patchCentred, patchCap, patchGuard, patchLowGuard,
            patchLof, patchMniaGuard, patchHold, patchLofWeight, patchLofCap);
        new NeuronInspection(lambdaCo, lambdaSt, stability, guard, propagation, scoring, propagatedGuard);
    }

    /** The defaults (see the class comment). */
    public static BadflConfig defaults() {
        return new Builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.detection = detection;
        b.lofThreshold = lofThreshold;
        b.lofK = lofK;
        b.normFactor = normFactor;
        b.normGuard = normGuard;
        b.lambdaCo = lambdaCo;
        b.lambdaSt = lambdaSt;
        b.stability = stability;
        b.guard = guard;
        b.propagatedGuard = propagatedGuard;
        b.scoring = scoring;
        b.propagation = propagation;
        b.clipping = clipping;
        b.eliminate = eliminate;
        b.sigma = sigma;
        b.lmcaOnlyWithoutInspector = lmcaOnlyWithoutInspector;
        b.smoothing = smoothing;
        b.smoothingCopies = smoothingCopies;
        b.smoothingSigma = smoothingSigma;
        b.alpha = alpha;
        b.patch = patch;
        b.patchSize = patchSize;
        b.patchFloor = patchFloor;
        b.patchStatistic = patchStatistic;
        b.patchCentred = patchCentred;
        b.patchCap = patchCap;
        b.patchGuard = patchGuard;
        b.patchLowGuard = patchLowGuard;
        b.patchLof = patchLof;
        b.patchHold = patchHold;
        b.patchMniaGuard = patchMniaGuard;
        b.patchLofWeight = patchLofWeight;
        b.patchLofCap = patchLofCap;
        b.mniaScope = mniaScope;
        return b;
    }

    /** σ_T of the test-time smoothing: {@link #smoothingSigma()} or, when NaN, {@link #sigma()}. */
    public double effectiveSmoothingSigma() {
        return Double.isNaN(smoothingSigma) ? sigma : smoothingSigma;
    }

    public Lmca lmca() {
        return new Lmca(lofThreshold, lofK, normFactor);
    }

    /** The patch-deviation judge (used when {@link #patch()} is on). */
    public PatchDeviation patchDeviation() {
        return new PatchDeviation(patchSize, patchFloor, patchStatistic, patchCentred, patchCap, patchGuard,
            patchLowGuard, patchLof, patchMniaGuard, patchHold, patchLofWeight, patchLofCap);
    }

    public NeuronInspection neuronInspection() {
        return new NeuronInspection(lambdaCo, lambdaSt, stability, guard, propagation, scoring, propagatedGuard);
    }

    /** Mutable holder of every field, starting from the defaults. */
    public static final class Builder {
        private Detection detection = Detection.BADFL;
        private double lofThreshold = Lmca.DEFAULT_LOF_THRESHOLD;
        private int lofK = Lmca.AUTO_K;
        private double normFactor = Lmca.DEFAULT_NORM_FACTOR;
        private double normGuard = DEFAULT_NORM_GUARD;
        private double lambdaCo = 1;
        private double lambdaSt = 1;
        private Stability stability = Stability.PAIRWISE;
        private double guard = NeuronInspection.DEFAULT_GUARD;
        private double propagatedGuard = Double.NaN; // NaN: the guard
        private NeuronInspection.Scoring scoring = NeuronInspection.Scoring.DEVIATION;
        private Propagation propagation = Propagation.INSPECT;
        private Mode clipping = Mode.REMOVE;
        private boolean eliminate = true;
        private double sigma = IID_SIGMA;
        private boolean lmcaOnlyWithoutInspector = true;
        private boolean smoothing = true;
        private int smoothingCopies = DEFAULT_SMOOTHING_COPIES;
        private double smoothingSigma = Double.NaN;
        private double alpha = DEFAULT_ALPHA;
        private boolean patch = true;
        private int patchSize = PatchDeviation.DEFAULT_PATCH;
        private double patchFloor = PatchDeviation.DEFAULT_SPREAD_FLOOR;
        private PatchDeviation.Statistic patchStatistic = PatchDeviation.Statistic.CLASS_CONTRAST;
        private boolean patchCentred = true;
        private double patchCap = PatchDeviation.DEFAULT_CAP;
        private double patchGuard = PatchDeviation.DEFAULT_GUARD;
        private double patchLowGuard = Double.NaN; // NaN: min(DEFAULT_LOW_GUARD, patchGuard)
        private double patchLof = PatchDeviation.DEFAULT_LOF_EVIDENCE;
        private double patchHold = PatchDeviation.DEFAULT_HOLD;
        private double patchMniaGuard = Double.NaN; // NaN: min(DEFAULT_MNIA_GUARD, patchGuard)
        private double patchLofWeight = PatchDeviation.DEFAULT_LOF_WEIGHT;
        private double patchLofCap = PatchDeviation.DEFAULT_LOF_CAP;
        private MniaScope mniaScope = null; // null: OUTLIERS with patch on, ALL with patch off

        public Builder detection(Detection v) {
            detection = v;
            return this;
        }

        public Builder lofThreshold(double v) {
            lofThreshold = v;
            return this;
        }

        public Builder lofK(int v) {
            lofK = v;
            return this;
        }

        public Builder normFactor(double v) {
            normFactor = v;
            return this;
        }

        public Builder normGuard(double v) {
            normGuard = v;
            return this;
        }

        public Builder lambdaCo(double v) {
            lambdaCo = v;
            return this;
        }

        public Builder lambdaSt(double v) {
            lambdaSt = v;
            return this;
        }

        public Builder stability(Stability v) {
            stability = v;
            return this;
        }

        public Builder guard(double v) {
            guard = v;
            return this;
        }

        public Builder propagatedGuard(double v) {
            propagatedGuard = v;
            return this;
        }

        public Builder scoring(NeuronInspection.Scoring v) {
            scoring = v;
            return this;
        }

        public Builder propagation(Propagation v) {
            propagation = v;
            return this;
        }

        public Builder clipping(Mode v) {
            clipping = v;
            return this;
        }

        public Builder eliminate(boolean v) {
            eliminate = v;
            return this;
        }

        public Builder sigma(double v) {
            sigma = v;
            return this;
        }

        public Builder lmcaOnlyWithoutInspector(boolean v) {
            lmcaOnlyWithoutInspector = v;
            return this;
        }

        public Builder smoothing(boolean v) {
            smoothing = v;
            return this;
        }

        public Builder smoothingCopies(int v) {
            smoothingCopies = v;
            return this;
        }

        public Builder smoothingSigma(double v) {
            smoothingSigma = v;
            return this;
        }

        public Builder alpha(double v) {
            alpha = v;
            return this;
        }

        public Builder patch(boolean v) {
            patch = v;
            return this;
        }

        public Builder patchSize(int v) {
            patchSize = v;
            return this;
        }

        public Builder patchFloor(double v) {
            patchFloor = v;
            return this;
        }

        public Builder patchGuard(double v) {
            patchGuard = v;
            return this;
        }

        public Builder patchStatistic(PatchDeviation.Statistic v) {
            patchStatistic = v;
            return this;
        }

        public Builder patchCap(double v) {
            patchCap = v;
            return this;
        }

        /** NaN: min(7.5, patch guard). */
        public Builder patchLowGuard(double v) {
            patchLowGuard = v;
            return this;
        }

        /** NaN: min(7.5, patch guard). */
        public Builder patchMniaGuard(double v) {
            patchMniaGuard = v;
            return this;
        }

        public Builder patchLofWeight(double v) {
            patchLofWeight = v;
            return this;
        }

        public Builder patchLofCap(double v) {
            patchLofCap = v;
            return this;
        }

        public Builder patchHold(double v) {
            patchHold = v;
            return this;
        }

        public Builder patchLof(double v) {
            patchLof = v;
            return this;
        }

        public Builder patchCentred(boolean v) {
            patchCentred = v;
            return this;
        }

        /** null: {@link MniaScope#OUTLIERS} with patch deviation on, {@link MniaScope#ALL} with it off. */
        public Builder mniaScope(MniaScope v) {
            mniaScope = v;
            return this;
        }

        public BadflConfig build() {
            return new BadflConfig(detection, lofThreshold, lofK, normFactor, normGuard, lambdaCo, lambdaSt, stability, guard,
                Double.isNaN(propagatedGuard) ? guard : propagatedGuard,
                scoring, propagation, clipping, eliminate, sigma, lmcaOnlyWithoutInspector, smoothing,
                smoothingCopies, smoothingSigma, alpha, patch, patchSize, patchFloor, patchStatistic, patchCentred,
                patchCap, patchGuard,
                Double.isNaN(patchLowGuard) ? Math.min(PatchDeviation.DEFAULT_LOW_GUARD, patchGuard) : patchLowGuard,
                patchLof,
                Double.isNaN(patchMniaGuard) ? Math.min(PatchDeviation.DEFAULT_MNIA_GUARD, patchGuard) : patchMniaGuard,
                patchHold, patchLofWeight, patchLofCap, mniaScope != null ? mniaScope : patch ? MniaScope.OUTLIERS : MniaScope.ALL);
        }
    }
}
