package org.badfl.server.badfl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.badfl.server.badfl.SaliencyFeatures.ModelFeatures;
import org.junit.jupiter.api.Test;

class SaliencyFeaturesTest {

    /** M = max over channels |g|, then min–max to [0, 1]. */
    @Test
    void saliencyMapReducesChannelsAndNormalises() {
        // 2 channels × 1 × 3: channel 0 = (1, -4, 0.5), channel 1 = (-2, 1, 0.5) -> max|g| = (2, 4, 0.5)
        float[] g = {1, -4, 0.5f, -2, 1, 0.5f};
        float[] m = new float[3];
        assertTrue(SaliencyMap.reduce(g, 0, 2, 1, 3, m));
        assertArrayEquals(new float[] {(2 - 0.5f) / 3.5f, 1f, 0f}, m, 1e-7f);
        float[] flat = {3, 3, 3};
        assertTrue(SaliencyMap.reduce(flat, 0, 1, 1, 3, m));
        assertArrayEquals(new float[] {0, 0, 0}, m);
        assertFalse(SaliencyMap.reduce(new float[] {1, Float.NaN, 0}, 0, 1, 1, 3, m));
    }

    @Test
    void correlationIsTheL1Mass() {
        assertEquals(3.5, SaliencyFeatures.correlation(new float[] {9, 0.5f, -1, 2}, 1, 3), 1e-12);
    }

    /** Eq. (7): popcount of the XOR of all hashes; hand values. */
    @Test
    void xorStability() {
        assertEquals(0, SaliencyFeatures.xorStability(new long[] {0xF0L, 0xF0L}));
        assertEquals(4, SaliencyFeatures.xorStability(new long[] {0xF0L, 0xF0L, 0xF0L}));
        assertEquals(2, SaliencyFeatures.xorStability(new long[] {0b0011L, 0b0110L, 0b0000L}));
        assertEquals(0, SaliencyFeatures.xorStability(new long[0]));
    }

    /** Pairwise option: mean Hamming distance over pairs; {0b0011, 0b0110, 0b0000}: (2 + 2 + 2) / 3. */
    @Test
    void pairwiseStability() {
        assertEquals(2.0, SaliencyFeatures.pairwiseStability(new long[] {0b0011L, 0b0110L, 0b0000L}), 0);
        assertEquals(128.0 / 3, SaliencyFeatures.pairwiseStability(new long[] {0L, -1L, 0L}), 1e-12);
        assertEquals(0.0, SaliencyFeatures.pairwiseStability(new long[] {5L}), 0);
    }

    /** Two images of 1×8×9 per class: class 0 identical maps (stable), class 1 opposite maps. */
    @Test
    void featuresFromGradients() {
        float[] up = new float[72];
        float[] down = new float[72];
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 9; c++) {
                up[r * 9 + c] = c;
                down[r * 9 + c] = 8 - c;
            }
        }
        float[] class0 = new float[144];
        System.arraycopy(up, 0, class0, 0, 72);
        System.arraycopy(up, 0, class0, 72, 72);
        float[] class1 = new float[144];
        System.arraycopy(up, 0, class1, 0, 72);
        System.arraycopy(down, 0, class1, 72, 72);
        ModelFeatures f = SaliencyFeatures.of(new float[][] {class0, class1}, 2, 1, 8, 9);
        assertNull(f.problem());
        // Normalised map c/8 per row: Σ = 8 rows × (0+1+...+8)/8 = 36.
        assertEquals(36.0, f.classes()[0].correlation(), 1e-5);
        assertEquals(0, f.classes()[0].xorStability());
        assertEquals(0.0, f.classes()[0].pairwiseStability());
        // up hashes to all 64 bits set, down to none.
        assertEquals(64, f.classes()[1].xorStability());
        assertEquals(64.0, f.classes()[1].pairwiseStability());
        class1[5] = Float.POSITIVE_INFINITY;
        ModelFeatures bad = SaliencyFeatures.of(new float[][] {class0, class1}, 2, 1, 8, 9);
        assertFalse(bad.usable());
        assertEquals("saliency not finite for class 1 (image 0)", bad.problem());
    }
}
