package org.badfl.server.badfl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.HostRoundUpdates;
import org.badfl.server.RoundUpdates;
import org.badfl.server.badfl.WeightElimination.Mode;
import org.junit.jupiter.api.Test;

/**
 * Eq. (9)-(10) and the ablation modes on hand-made updates. Layout: layer a (2 weights), layer b (2 biases);
 * three benign updates and one flagged (row 3), equal sample counts (p_i = 1/4).
 * Benign per-layer norms: a = 1, 2, 3 (median 2); b = 1, 1, 3 (median 1). Flagged: a = 10, b = 0.5.
 */
class WeightEliminationTest {

    static final ParamLayout LAYOUT;

    static {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("a", 2, ParamKind.WEIGHT);
        b.add("b", 2, ParamKind.BIAS);
        LAYOUT = b.build();
    }

    static final float[][] ROWS = {{1, 0, 0, 1}, {0, 2, 1, 0}, {3, 0, 0, 3}, {6, 8, 0, 0.5f}};
    static final boolean[] FLAGGED = {false, false, false, true};

    static RoundUpdates updates() {
        RoundUpdates u = new HostRoundUpdates(LAYOUT, 4);
        for (int i = 0; i < 4; i++) {
            u.set(i, 10 + i, 1, ROWS[i].clone());
        }
        return u;
    }

    static WeightElimination.Outcome run(Mode mode, float[] global) {
        return new WeightElimination(mode).aggregate(global, LAYOUT, updates(), FLAGGED, null, Compute.serial());
    }

    /** Layer a of row 3 scaled by 2/10 -> (1.2, 1.6); layer b (0.5 < 1) unchanged. */
    @Test
    void layerClipping() {
        WeightElimination.Outcome o = run(Mode.LAYER, new float[4]);
        assertArrayEquals(new float[] {1.3f, 0.9f, 0.25f, 1.125f}, o.global(), 1e-6f);
        assertTrue(o.clipped()[3]);
        assertFalse(o.clipped()[0]);
        assertEquals("1 of 2 layers clipped to the benign median norm (smallest factor 0.200)", o.description()[3]);
    }

    /** Benign coordinate medians (1, 0, 0, 1): row 3 -> (1, 0, 0, 0.5). */
    @Test
    void coordinateClipping() {
        WeightElimination.Outcome o = run(Mode.COORDINATE, new float[4]);
        assertArrayEquals(new float[] {1.25f, 0.5f, 0.25f, 1.125f}, o.global(), 1e-6f);
        assertEquals("2 of 4 coordinates clipped to the benign median magnitude", o.description()[3]);
    }

    @Test
    void removal() {
        WeightElimination.Outcome o = run(Mode.REMOVE, new float[4]);
        assertArrayEquals(new float[] {4f / 3, 2f / 3, 1f / 3, 4f / 3}, o.global(), 1e-6f);
        assertTrue(o.removed()[3]);
    }

    /** LM: S = median(√2, √5, √18, √100.25) = (√5 + √18)/2; row 3 scaled by S/√100.25. */
    @Test
    void localMedianNormClipping() {
        double s = (Math.sqrt(5) + Math.sqrt(18)) / 2;
        double f = s / Math.sqrt(100.25);
        WeightElimination.Outcome o = run(Mode.LM, new float[4]);
        float[] expected = new float[4];
        for (int c = 0; c < 4; c++) {
            expected[c] = (float) ((ROWS[0][c] + ROWS[1][c] + ROWS[2][c] + f * ROWS[3][c]) / 4);
        }
        assertArrayEquals(expected, o.global(), 1e-6f);
    }

    /** GM: G = (1, 0, 0, 0), W_3 = (7, 8, 0, 0.5) scaled to ‖G‖ = 1. */
    @Test
    void globalModelNormClipping() {
        float[] g = {1, 0, 0, 0};
        double f = 1 / Math.sqrt(49 + 64 + 0.25);
        double[] w3 = {7, 8, 0, 0.5};
        WeightElimination.Outcome o = run(Mode.GM, g);
        float[] expected = new float[4];
        for (int c = 0; c < 4; c++) {
            double d3 = f * w3[c] - g[c];
            expected[c] = (float) (g[c] + (ROWS[0][c] + ROWS[1][c] + ROWS[2][c] + d3) / 4);
        }
        assertArrayEquals(expected, o.global(), 1e-6f);
        assertTrue(o.description()[3].startsWith("model norm 10.6 clipped to the global model's 1.00"));
    }

    /** Everybody flagged: no benign reference, G += coordinate-wise median of all updates. */
    @Test
    void allFlaggedFallsBackToTheMedian() {
        WeightElimination.Outcome o = new WeightElimination(Mode.LAYER).aggregate(new float[4], LAYOUT, updates(),
            new boolean[] {true, true, true, true}, null, Compute.serial());
        // medians of (1,0,3,6), (0,2,0,8), (0,1,0,0), (1,0,3,0.5)
        assertArrayEquals(new float[] {2f, 1f, 0f, 0.75f}, o.global(), 1e-6f);
        assertTrue(o.note().startsWith("every update flagged: no benign reference"), o.note());
    }

    /** The norm guard's factor applies before the clipping (here to a benign row). */
    @Test
    void boundedRowsAreScaledFirst() {
        double[] bounded = {1, 1, 0.5, 1};
        WeightElimination.Outcome o = new WeightElimination(Mode.REMOVE).aggregate(new float[4], LAYOUT, updates(),
            FLAGGED, bounded, Compute.serial());
        assertArrayEquals(new float[] {2.5f / 3, 2f / 3, 1f / 3, 2.5f / 3}, o.global(), 1e-6f);
    }
}
