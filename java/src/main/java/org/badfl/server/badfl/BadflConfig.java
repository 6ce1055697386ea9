package org.badfl.server.badfl;

import org.badfl.server.badfl.NeuronInspection.Propagation;
import org.badfl.server.badfl.SaliencyFeatures.Stability;
import org.badfl.server.badfl.WeightElimination.Mode;

/**
 * Every hyperparameter and ablation switch of {@link BadflDefense}, with the defaults of BADFL-INTERPRETATION.md.
 * Registry option names (see {@code Defenses}) are given in brackets.
 *
 * @param detection          malicious model detection [detection]: LMCA + MNIA (default), FLAME's HDBSCAN, plain
 *                           K-means (Fig. 9 ablation), or off ("MMD off", Fig. 8)
 * @param lofThreshold       LMCA's LOF outlier threshold [lof-threshold] (1.5)
 * @param lofK               LMCA's LOF neighbours [lof-k], {@link Lmca#AUTO_K} = max(2, ⌈n/2⌉)
 * @param normFactor         norm criterion [norm-factor] (10; 0 = off): an update whose norm exceeds this multiple
 *                           of the median norm is an LMCA outlier (inspected) and is scaled down to that bound
 *                           before aggregation, so that one extreme update cannot dominate G even undetected
 * @param lambdaCo           λ_co of eq. (8) [lambda-co] (1)
 * @param lambdaSt           λ_st of eq. (8) [lambda-st] (1)
 * @param stability          reading of eq. (7) [stability]: XOR (default) or pairwise
 * @param guard              MNIA's separation guard in robust standard deviations [guard] (2)
 * @param propagation        a flagged sampled member's LMCA cluster: inspect it (default) or flag it whole
 *                           [propagation = inspect | cluster]
 * @param clipping           weight elimination mode [clipping]: layer (default), coordinate, remove, gm, lm
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
 */
public record BadflConfig(Detection detection, double lofThreshold, int lofK, double normFactor, double lambdaCo,
                          double lambdaSt, Stability stability, double guard, Propagation propagation, Mode clipping,
                          boolean eliminate, double sigma, boolean lmcaOnlyWithoutInspector, boolean smoothing,
                          int smoothingCopies, double smoothingSigma, double alpha) {

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
    /** Hoeffding error tolerance (CRFL). */
    public static final double DEFAULT_ALPHA = 0.001;

    public BadflConfig {
        if (detection == null || stability == null || propagation == null || clipping == null) {
            throw new IllegalArgumentException("badfl: detection, stability, propagation and clipping must be given");
        }
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("badfl: sigma must be finite and >= 0, got " + sigma);
        }
        if (smoothingCopies < 1) {
            throw new IllegalArgumentException("badfl: smoothing-copies must be >= 1, got " + smoothingCopies);
        }
        if (!Double.isNaN(smoothingSigma) && (!(smoothingSigma >= 0) || Double.isInfinite(smoothingSigma))) {
            throw new IllegalArgumentException("badfl: smoothing-sigma must be finite and >= 0 (or auto), got "
                + smoothingSigma);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("badfl: alpha must be in (0, 1), got " + alpha);
        }
        // The components check their own parameters.
        new Lmca(lofThreshold, lofK, normFactor);
        new NeuronInspection(lambdaCo, lambdaSt, stability, guard, propagation);
    }

    /** The interpretation's defaults. */
    public static BadflConfig defaults() {
        return new BadflConfig(Detection.BADFL, Lmca.DEFAULT_LOF_THRESHOLD, Lmca.AUTO_K, Lmca.DEFAULT_NORM_FACTOR, 1,
            1, Stability.XOR, NeuronInspection.DEFAULT_GUARD, Propagation.INSPECT, Mode.LAYER, true, IID_SIGMA, true,
            true, DEFAULT_SMOOTHING_COPIES, Double.NaN, DEFAULT_ALPHA);
    }

    /** σ_T of the test-time smoothing: {@link #smoothingSigma()} or, when NaN, {@link #sigma()}. */
    public double effectiveSmoothingSigma() {
        return Double.isNaN(smoothingSigma) ? sigma : smoothingSigma;
    }

    public Lmca lmca() {
        return new Lmca(lofThreshold, lofK, normFactor);
    }

    public NeuronInspection neuronInspection() {
        return new NeuronInspection(lambdaCo, lambdaSt, stability, guard, propagation);
    }

    public BadflConfig withDetection(Detection d) {
        return new BadflConfig(d, lofThreshold, lofK, normFactor, lambdaCo, lambdaSt, stability, guard, propagation,
            clipping, eliminate, sigma, lmcaOnlyWithoutInspector, smoothing, smoothingCopies, smoothingSigma, alpha);
    }

    public BadflConfig withClipping(Mode m) {
        return new BadflConfig(detection, lofThreshold, lofK, normFactor, lambdaCo, lambdaSt, stability, guard,
            propagation, m, eliminate, sigma, lmcaOnlyWithoutInspector, smoothing, smoothingCopies, smoothingSigma,
            alpha);
    }

    public BadflConfig withEliminate(boolean on) {
        return new BadflConfig(detection, lofThreshold, lofK, normFactor, lambdaCo, lambdaSt, stability, guard,
            propagation, clipping, on, sigma, lmcaOnlyWithoutInspector, smoothing, smoothingCopies, smoothingSigma,
            alpha);
    }

    public BadflConfig withSigma(double s) {
        return new BadflConfig(detection, lofThreshold, lofK, normFactor, lambdaCo, lambdaSt, stability, guard,
            propagation, clipping, eliminate, s, lmcaOnlyWithoutInspector, smoothing, smoothingCopies, smoothingSigma,
            alpha);
    }

    public BadflConfig withStability(Stability s) {
        return new BadflConfig(detection, lofThreshold, lofK, normFactor, lambdaCo, lambdaSt, s, guard, propagation,
            clipping, eliminate, sigma, lmcaOnlyWithoutInspector, smoothing, smoothingCopies, smoothingSigma, alpha);
    }

    public BadflConfig withGuard(double g) {
        return new BadflConfig(detection, lofThreshold, lofK, normFactor, lambdaCo, lambdaSt, stability, g, propagation,
            clipping, eliminate, sigma, lmcaOnlyWithoutInspector, smoothing, smoothingCopies, smoothingSigma, alpha);
    }

    public BadflConfig withPropagation(Propagation p) {
        return new BadflConfig(detection, lofThreshold, lofK, normFactor, lambdaCo, lambdaSt, stability, guard, p,
            clipping, eliminate, sigma, lmcaOnlyWithoutInspector, smoothing, smoothingCopies, smoothingSigma, alpha);
    }

    public BadflConfig withNormFactor(double f) {
        return new BadflConfig(detection, lofThreshold, lofK, f, lambdaCo, lambdaSt, stability, guard, propagation,
            clipping, eliminate, sigma, lmcaOnlyWithoutInspector, smoothing, smoothingCopies, smoothingSigma, alpha);
    }

    public BadflConfig withLmcaOnlyWithoutInspector(boolean on) {
        return new BadflConfig(detection, lofThreshold, lofK, normFactor, lambdaCo, lambdaSt, stability, guard,
            propagation, clipping, eliminate, sigma, on, smoothing, smoothingCopies, smoothingSigma, alpha);
    }
}
