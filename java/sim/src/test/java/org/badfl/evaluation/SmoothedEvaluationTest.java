package org.badfl.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The subset rule and argument checks; the whole evaluation runs in {@code org.badfl.sim.SmoothedFinalEvaluationTest}. */
class SmoothedEvaluationTest {

    @Test
    void evenlySpacedSubset() {
        assertArrayEquals(new int[] {10, 12, 15, 17}, SmoothedEvaluation.evenlySpaced(new int[] {10, 11, 12, 13, 14,
            15, 16, 17, 18, 19}, 4)); // positions 0, 2 (10/4), 5, 7 (30/4)
        assertArrayEquals(new int[] {3, 1}, SmoothedEvaluation.evenlySpaced(new int[] {3, 1}, 5));
    }

    @Test
    void rejectsEmptySubsetsAndBatches() {
        assertEquals("smoothed evaluation: images per set must be >= 1, got 0",
            assertThrows(IllegalArgumentException.class, () -> new SmoothedEvaluation(0, 1)).getMessage());
        assertEquals("smoothed evaluation: batch size must be >= 1, got 0",
            assertThrows(IllegalArgumentException.class, () -> new SmoothedEvaluation(1, 0)).getMessage());
    }

    @Test
    void meanAsrOverAdversaries() {
        SmoothedEvaluation.Result r = new SmoothedEvaluation.Result(0.9, new double[] {0.25, 0.5}, 0.01,
            new org.badfl.server.TestTimeSmoothing(0.01, 10, 0.001), 5);
        assertEquals(0.375, r.asr());
        assertEquals(Double.NaN, new SmoothedEvaluation.Result(0.9, new double[0], 0, r.smoothing(), 5).asr());
    }
}
