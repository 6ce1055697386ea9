package org.badfl.evaluation;

import java.util.function.IntToDoubleFunction;
import org.apache.commons.math3.special.Erf;

/**
 * Certified radius of the parameter-smoothed classifier (BADFL eq. 13, which is CRFL's Corollary; computed as
 * AI-secure/CRFL {@code certify_mnist.py cal_prob_bound}, docs/DEFENSES.md, CRFL):
 * <pre>
 * RAD = √{ −ln(1 − (√p_A − √p_B)²) · σ² / [ 2R τ² L_z² (Σ_i p_i²) γ² η² (q_B/n_B)²
 *          · Π_{t=t_adv+1}^{T−1} (2Φ(ρ_t/σ) − 1) · (2Φ(ρ_T/σ_test) − 1) ] }
 * </pre>
 * with σ the training noise, σ_test the smoothing noise, τ local iterations, L_z = √(2 + 2ρ + ρ²) (ρ = 3 in the
 * reference), p_i the aggregation weights of the R attackers (default 1/N each), γ the attacker's scale factor,
 * η the learning rate, q_B/n_B the poisoned fraction of a batch, ρ_t the bound on the global model's norm in round
 * t (CRFL's clipping schedule; for BADFL, which does not clip G, the norm ‖G_t‖ itself is such a bound).
 * The reference returns 100000 for p_A = 1; here the radius is then {@link Double#POSITIVE_INFINITY}
 * ("unbounded"). With Hoeffding bounds p̲_A &lt; 1 always, so this arises only for point estimates.
 *
 * @param sigmaTrain   σ of the training noise (&gt; 0)
 * @param sigmaTest    σ_test of the smoothing noise (&gt; 0)
 * @param learningRate η
 * @param rounds       T, the round of the smoothed model
 * @param attackers    R ≥ 1
 * @param poisonPerBatch q_B, poisoned samples per batch
 * @param batchSize    n_B
 * @param scale        γ, the attackers' scale factor
 * @param localIterations τ
 * @param rhoAdv       ρ of the Lipschitz constant L_z (the reference's 3)
 * @param aggregationWeights p_i of the attackers (length R), e.g. 1/N each
 * @param attackRound  t_adv
 * @param rho          ρ_t for t in [t_adv + 1, T]
 */
public record CertifiedRadius(double sigmaTrain, double sigmaTest, double learningRate, int rounds, int attackers,
                              double poisonPerBatch, double batchSize, double scale, double localIterations,
                              double rhoAdv, double[] aggregationWeights, int attackRound, IntToDoubleFunction rho) {

    public CertifiedRadius {
        require(sigmaTrain > 0 && Double.isFinite(sigmaTrain), "sigmaTrain", "finite and > 0", sigmaTrain);
        require(sigmaTest > 0 && Double.isFinite(sigmaTest), "sigmaTest", "finite and > 0", sigmaTest);
        require(attackers >= 1, "attackers", ">= 1", attackers);
        require(aggregationWeights != null && aggregationWeights.length == attackers, "aggregationWeights",
            "one weight per attacker (" + attackers + ")", aggregationWeights == null ? "null"
                : aggregationWeights.length + " weights");
        require(rounds >= 1 && attackRound >= 0 && attackRound < rounds, "attackRound", "in [0, T) with T = " + rounds,
            attackRound);
        require(batchSize > 0, "batchSize", "> 0", batchSize);
        require(rho != null, "rho", "a schedule", null);
        aggregationWeights = aggregationWeights.clone();
    }

    /** Uniform attacker weights p_i = 1/N. */
    public static double[] uniformWeights(int attackers, int clients) {
        double[] w = new double[attackers];
        java.util.Arrays.fill(w, 1.0 / clients);
        return w;
    }

    /** Standard normal CDF Φ. */
    public static double phi(double x) {
        return 0.5 * Erf.erfc(-x / Math.sqrt(2));
    }

    /** The contraction Π_{t=t_adv+1}^{T−1} (2Φ(ρ_t/σ) − 1) · (2Φ(ρ_T/σ_test) − 1). */
    public double contraction() {
        double c = 1;
        for (int t = attackRound + 1; t < rounds; t++) {
            c *= 2 * phi(rho.applyAsDouble(t) / sigmaTrain) - 1;
        }
        return c * (2 * phi(rho.applyAsDouble(rounds) / sigmaTest) - 1);
    }

    /** RAD for probabilities p_A (lower bound) and p_B (upper bound); +∞ for p_A = 1. */
    public double radius(double pA, double pB) {
        if (pA >= 1.0) {
            return Double.POSITIVE_INFINITY;
        }
        double lz = Math.sqrt(2 + 2 * rhoAdv + rhoAdv * rhoAdv);
        double sumSquares = 0;
        for (double p : aggregationWeights) {
            sumSquares += p * p;
        }
        double gap = Math.sqrt(pA) - Math.sqrt(pB);
        double fraction = -Math.log(1 - gap * gap) * sigmaTrain * sigmaTrain;
        double q = poisonPerBatch / batchSize;
        double denominator = 2 * attackers * localIterations * localIterations * lz * lz * sumSquares * scale * scale
            * learningRate * learningRate * q * q * contraction();
        return Math.sqrt(fraction / denominator);
    }

    /** RAD of a smoothed prediction from its Hoeffding bounds; 0 when it abstains. */
    public double radius(SmoothingClassifier.Prediction p) {
        return p.abstain() ? 0 : radius(p.pALower(), p.pBUpper());
    }

    /** RAD from the point estimates p̂_A, p̂_B (the reference's cert_bound_exp); +∞ when p̂_A = 1. */
    public double radiusOfEstimates(SmoothingClassifier.Prediction p) {
        return radius(p.pA(), p.pB());
    }

    private static void require(boolean ok, String what, String expected, Object found) {
        if (!ok) {
            throw new IllegalArgumentException("certified radius: " + what + " must be " + expected + ", got " + found);
        }
    }
}
