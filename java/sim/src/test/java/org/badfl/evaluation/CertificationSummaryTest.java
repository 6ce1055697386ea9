package org.badfl.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CertificationSummaryTest {

    private static SmoothingClassifier.Prediction predicted(int label, double pALower, double pBUpper) {
        return new SmoothingClassifier.Prediction(label, (label + 1) % 3, 0, 0, pALower, pBUpper, pALower, pBUpper,
            pALower <= pBUpper);
    }

    @Test
    void meanMedianAndCertifiedAccuracyOverTheCorrectImages() {
        CertifiedRadius radius = CertifiedRadiusTest.radius();
        SmoothingClassifier.Prediction strong = predicted(0, 0.95, 0.04);
        SmoothingClassifier.Prediction middle = predicted(1, 0.8, 0.15);
        SmoothingClassifier.Prediction weak = predicted(2, 0.6, 0.35);
        SmoothingClassifier.Prediction wrong = predicted(1, 0.99, 0.01);
        SmoothingClassifier.Prediction abstains = predicted(0, 0.4, 0.5);
        SmoothingClassifier.Result result = new SmoothingClassifier.Result(new SmoothingClassifier.Prediction[] {
            strong, middle, weak, wrong, abstains});
        int[] labels = {0, 1, 2, 0, 0};
        double rs = radius.radius(strong);
        double rm = radius.radius(middle);
        double rw = radius.radius(weak);
        assertTrue(rs > rm && rm > rw && rw > 0, rs + " " + rm + " " + rw);
        CertificationSummary s = CertificationSummary.of(result, labels, radius, new double[] {0, rw, rm, rs * 1.01});
        assertEquals(5, s.images());
        assertEquals(3, s.correct(), "the wrong and the abstaining image are not certified");
        assertEquals((rs + rm + rw) / 3, s.meanRadius(), 1e-15 * rs);
        assertEquals(rm, s.medianRadius());
        assertArrayEquals(new double[] {3 / 5.0, 3 / 5.0, 2 / 5.0, 0}, s.certifiedAccuracy());
        assertEquals(result.accuracy(labels), s.certifiedAccuracy()[0], "at radius 0: the smoothed accuracy");

        CertificationSummary two = CertificationSummary.of(new SmoothingClassifier.Result(
            new SmoothingClassifier.Prediction[] {strong, weak}), new int[] {0, 2}, radius, new double[] {0});
        assertEquals((rs + rw) / 2, two.medianRadius(), 1e-15 * rs, "even count: mean of the middle two");
        CertificationSummary none = CertificationSummary.of(new SmoothingClassifier.Result(
            new SmoothingClassifier.Prediction[] {wrong}), new int[] {0}, radius, new double[] {0});
        assertTrue(Double.isNaN(none.meanRadius()) && Double.isNaN(none.medianRadius()));
    }

    @Test
    void badInputIsRefused() {
        CertifiedRadius radius = CertifiedRadiusTest.radius();
        SmoothingClassifier.Result one = new SmoothingClassifier.Result(new SmoothingClassifier.Prediction[] {
            predicted(0, 0.9, 0.1)});
        assertThrows(IllegalArgumentException.class, () -> CertificationSummary.of(one, new int[2], radius,
            new double[] {0}));
        assertThrows(IllegalArgumentException.class, () -> CertificationSummary.of(one, new int[1], radius,
            new double[] {1, 0}));
    }
}
