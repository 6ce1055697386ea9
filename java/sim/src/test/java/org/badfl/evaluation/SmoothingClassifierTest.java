package org.badfl.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.evaluation.SmoothingClassifier.Prediction;
import org.junit.jupiter.api.Test;

class SmoothingClassifierTest {

    /**
     * Hoeffding half-width √(ln(1/α)/(2M)); α = 0.001, M = 100: 0.1858461094424919 (Python math; script
     * {@code src/test/resources/org/badfl/evaluation/reference/crfl_bound_reference.py}).
     */
    @Test
    void hoeffdingHalfWidth() {
        assertEquals(0.1858461094424919, SmoothingClassifier.hoeffding(100, 0.001), 1e-15);
        assertEquals(Math.sqrt(Math.log(1000) / 2000), SmoothingClassifier.hoeffding(1000, 0.001), 1e-15);
    }

    /** Counts (A = 87, B = 8 of 100): bounds 0.87 − h and 0.08 + h, certified (no abstention). */
    @Test
    void boundsFromCounts() {
        int[] counts = new int[10];
        counts[3] = 87;
        counts[5] = 8;
        counts[1] = 5;
        Prediction p = SmoothingClassifier.predictionFromCounts(counts, 100, 0.001);
        double h = 0.1858461094424919;
        assertEquals(3, p.classA());
        assertEquals(5, p.classB());
        assertEquals(0.87, p.pA(), 0);
        assertEquals(0.08, p.pB(), 0);
        assertEquals(0.87 - h, p.pALower(), 1e-15);
        assertEquals(0.08 + h, p.pBUpper(), 1e-15);
        assertFalse(p.abstain());
        assertEquals(3, p.label());
    }

    /** 55 vs 45 of 100: 0.55 − h ≤ 0.45 + h, abstain; ties go to the lower class (numpy argmax). */
    @Test
    void abstainsWithoutACertifiedMajorityAndBreaksTiesLow() {
        int[] counts = {0, 45, 55};
        Prediction p = SmoothingClassifier.predictionFromCounts(counts, 100, 0.001);
        assertTrue(p.abstain());
        assertEquals(-1, p.label());
        Prediction tie = SmoothingClassifier.predictionFromCounts(new int[] {0, 50, 50}, 100, 0.001);
        assertEquals(1, tie.classA());
        assertEquals(2, tie.classB());
        // All copies agree: B is the lowest other class with count 0; bounds clamp at 1e-8 and 1 − 1e-8.
        Prediction all = SmoothingClassifier.predictionFromCounts(new int[] {0, 0, 4}, 4, 0.001);
        assertEquals(2, all.classA());
        assertEquals(0, all.classB());
        assertEquals(0, all.countB());
        assertEquals(Math.max(1e-8, 1 - SmoothingClassifier.hoeffding(4, 0.001)), all.pALower(), 0);
    }

    static ParamLayout layout() {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("w", 3, ParamKind.WEIGHT);
        b.add("bn.running_var", 1, ParamKind.BN_RUNNING_VAR);
        return b.build();
    }

    /**
     * Base classifier for the tests: class = 1 when w[0] + x > 0 else 0, for image value x. The noisy copies of
     * w = (0.1, 0, 0, 1) vary w[0] by σ; images x = +5 (always 1), −5 (always 0), −0.1 (decided by the noise).
     */
    static final SmoothingClassifier.BaseClassifier BASE = (params, images, count, out) -> {
        for (int i = 0; i < count; i++) {
            out[i] = params[0] + images[i] > 0 ? 1 : 0;
        }
    };

    @Test
    void classifiesWithNoisyCopiesThatAreAPureFunctionOfSeedAndIndex() {
        float[] w = {0.1f, 0, 0, 1};
        float[] images = {5, -5, -0.1f};
        SmoothingClassifier s = new SmoothingClassifier(1.0, 200, 0.001, 9);
        SmoothingClassifier.Result r = s.classify(w, layout(), 2, images, 3, BASE, Compute.serial());
        assertEquals(1, r.predictions()[0].label());
        assertEquals(200, r.predictions()[0].countA());
        assertEquals(0, r.predictions()[1].label());
        // x = −0.1: P[0.1 + σz − 0.1 > 0] = 1/2: no certified majority.
        assertTrue(r.predictions()[2].abstain());
        assertEquals(1.0 / 3, r.abstentionRate(), 1e-15);
        assertEquals(2.0 / 3, r.accuracy(new int[] {1, 0, 1}), 1e-15);
        assertEquals(1.0 / 3, r.rateOf(0), 1e-15);
        // Same seed, same votes; copy m's noise does not depend on M.
        SmoothingClassifier.Result again = s.classify(w, layout(), 2, images, 3, BASE, Compute.serial());
        assertEquals(r.predictions()[2], again.predictions()[2]);
        List<Float> first = new ArrayList<>();
        List<Float> firstOfLonger = new ArrayList<>();
        new SmoothingClassifier(1.0, 3, 0.001, 9).classify(w, layout(), 2, images, 1,
            (p, x, n, out) -> { first.add(p[0]); out[0] = 0; }, Compute.serial());
        new SmoothingClassifier(1.0, 5, 0.001, 9).classify(w, layout(), 2, images, 1,
            (p, x, n, out) -> { firstOfLonger.add(p[0]); out[0] = 0; }, Compute.serial());
        assertEquals(first, firstOfLonger.subList(0, 3));
        assertNotEquals(first.get(0), first.get(1));
        // BatchNorm running statistics get no noise, and the model itself is not modified.
        new SmoothingClassifier(1.0, 3, 0.001, 9).classify(w, layout(), 2, images, 1,
            (p, x, n, out) -> { assertEquals(1f, p[3]); out[0] = 0; }, Compute.serial());
        assertArrayEquals(new float[] {0.1f, 0, 0, 1}, w);
    }

    @Test
    void badInput() {
        assertEquals("smoothing: copies M must be >= 1, got 0",
            assertThrows(IllegalArgumentException.class, () -> new SmoothingClassifier(0.1, 0, 0.001, 1)).getMessage());
        assertEquals("smoothing: alpha must be in (0, 1), got 1.0",
            assertThrows(IllegalArgumentException.class, () -> new SmoothingClassifier(0.1, 5, 1, 1)).getMessage());
        SmoothingClassifier s = new SmoothingClassifier(0.1, 2, 0.001, 1);
        assertThrows(IllegalStateException.class, () -> s.classify(new float[4], layout(), 2, new float[1], 1,
            (p, x, n, out) -> out[0] = 7, Compute.serial()));
    }
}
