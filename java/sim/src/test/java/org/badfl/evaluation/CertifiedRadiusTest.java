package org.badfl.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Against AI-secure/CRFL {@code cal_prob_bound} re-typed in Python 3.11 with scipy 1.10 {@code norm.cdf}, parameters
 * σ_train 2.0, σ_test 1.5, η 0.05, T 10, R 4, q_B 16, n_B 32, γ 5, τ 12.5, ρ_adv 3, p_i = 1/20, t_adv 5,
 * ρ_t = min(15, 0.1t + 2) (CRFL's MNIST schedule). σ is large here so that every factor 2Φ(ρ/σ) − 1 matters.
 * Script: {@code src/test/resources/org/badfl/evaluation/reference/crfl_bound_reference.py} ({@code python3
 * crfl_bound_reference.py}; scipy's norm.cdf when installed, else the same Φ from math.erfc).
 */
class CertifiedRadiusTest {

    static CertifiedRadius radius() {
        return new CertifiedRadius(2.0, 1.5, 0.05, 10, 4, 16, 32, 5, 12.5, 3,
            CertifiedRadius.uniformWeights(4, 20), 5, t -> Math.min(15, 0.1 * t + 2));
    }

    @Test
    void matchesTheReferenceFormula() {
        CertifiedRadius r = radius();
        assertEquals(0.4530358969417421, r.contraction(), 1e-13);
        assertEquals(1.4084486029895136, r.radius(0.9, 0.05), 1e-12);
        // With Hoeffding bounds of counts 87 / 8 out of M = 100, α = 0.001.
        assertEquals(0.521037294223263, r.radius(0.87 - 0.1858461094424919, 0.08 + 0.1858461094424919), 1e-12);
        SmoothingClassifier.Prediction p = SmoothingClassifier.predictionFromCounts(
            new int[] {87, 8, 5}, 100, 0.001);
        assertEquals(0.521037294223263, r.radius(p), 1e-12);
        assertEquals(r.radius(0.87, 0.08), r.radiusOfEstimates(p), 0);
    }

    @Test
    void unboundedWhenEveryCopyAgreesAndZeroWhenAbstaining() {
        CertifiedRadius r = radius();
        assertEquals(Double.POSITIVE_INFINITY, r.radius(1.0, 0.0));
        SmoothingClassifier.Prediction all = SmoothingClassifier.predictionFromCounts(new int[] {0, 100}, 100, 0.001);
        assertEquals(Double.POSITIVE_INFINITY, r.radiusOfEstimates(all));
        SmoothingClassifier.Prediction split = SmoothingClassifier.predictionFromCounts(new int[] {50, 50}, 100, 0.001);
        assertEquals(0.0, r.radius(split));
    }

    @Test
    void phiIsTheNormalCdf() {
        assertEquals(0.5, CertifiedRadius.phi(0), 1e-16);
        assertEquals(0.9750021048517795, CertifiedRadius.phi(1.96), 1e-15);
    }

    @Test
    void badParameters() {
        assertEquals("certified radius: aggregationWeights must be one weight per attacker (4), got 3 weights",
            assertThrows(IllegalArgumentException.class, () -> new CertifiedRadius(2.0, 1.5, 0.05, 10, 4, 16, 32, 5,
                12.5, 3, new double[3], 5, t -> 1)).getMessage());
    }
}
