package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.plain;
import static org.badfl.server.defenses.Rounds.rows;
import static org.badfl.server.defenses.Rounds.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.ClientVerdict;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.HostRoundUpdates;
import org.badfl.server.RoundUpdates;
import org.badfl.server.ServerContext;
import org.junit.jupiter.api.Test;

class FoolsGoldTest {

    static RoundInput round(float[] g, ParamLayout layout, int round, int[] ids, float[][] rows) {
        RoundUpdates u = new HostRoundUpdates(layout, rows.length);
        for (int i = 0; i < rows.length; i++) {
            u.set(i, ids[i], 1, rows[i]);
        }
        return new RoundInput(g, layout, u, round, 0, 1L, ServerContext.of(Compute.serial()));
    }

    /**
     * Off-diagonal similarities c01 = 0.6, c02 = 0.2, c12 = 0.1; ε = 0: v = (0.6, 0.6, 0.2). Pardoning shrinks
     * row 2 by 0.2/0.6: c20 = 1/15, c21 = 1/30. α = 1 − row max = (0.4, 0.4, 14/15); / max → (3/7, 3/7, 1 → 0.99);
     * logit: ln((3/7)/(4/7)) + 0.5 = ln 0.75 + 0.5 = 0.2123; ln 99 + 0.5 &gt; 1 → 1. Without pardoning client 2's
     * α would be 0.8 and clients 0, 1 would get ln(1) + 0.5 = 0.5.
     */
    @Test
    void pardoningAndLogitByHand() {
        double[][] cs = {{0, 0.6, 0.2}, {0.6, 0, 0.1}, {0.2, 0.1, 0}};
        double[] alpha = FoolsGold.weights(cs, 0);
        assertEquals(Math.log(0.75) + 0.5, alpha[0], 1e-12);
        assertEquals(Math.log(0.75) + 0.5, alpha[1], 1e-12);
        assertEquals(1.0, alpha[2], 0);
        // ε = 1e-5 moves them only slightly.
        double[] withEpsilon = FoolsGold.weights(cs, 1e-5);
        assertEquals(0.2123, withEpsilon[0], 1e-3);
        // All similarities 1: every α is 0.
        assertArrayEquals(new double[2], FoolsGold.weights(new double[][] {{0, 1}, {1, 0}}, 1e-5), 0);
    }

    /**
     * Two sybils send the same direction e1 every round; three honest clients send e2, e3, e4 (orthogonal):
     * sybils' histories have cosine 1 → α = 1 − 1 = 0; honest maxima are 0, pardoned against the sybils →
     * α = 1 → 0.99 → logit &gt; 1 → 1. G ← G + (e2 + e3 + e4)/5, sybils rejected and flagged.
     */
    @Test
    void identicalSybilsGetZeroWeightAndDistinctHonestClientsKeepTheirs() {
        FoolsGold fg = new FoolsGold(FoolsGold.Features.ALL, 1e-5);
        int[] ids = {7, 8, 1, 2, 3};
        float[][] x = rows(new double[] {1, 0, 0, 0}, new double[] {1, 0, 0, 0}, new double[] {0, 1, 0, 0},
            new double[] {0, 0, 1, 0}, new double[] {0, 0, 0, 1});
        for (int t = 1; t <= 2; t++) {
            RoundResult r = fg.aggregate(round(vec(0, 0, 0, 0), plain(4), t, ids, x));
            assertArrayEquals(vec(0, 0.2, 0.2, 0.2), r.global(), 1e-7f);
            for (int i = 0; i < 2; i++) {
                assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(i).status());
                assertTrue(r.verdicts().get(i).flagged());
            }
            for (int i = 2; i < 5; i++) {
                assertEquals(ClientVerdict.Status.ACCEPTED, r.verdicts().get(i).status());
            }
        }
        assertArrayEquals(vec(2, 0, 0, 0), fg.history(7));
    }

    /**
     * Histories, not single rounds, decide: in round 2 the two sybils send orthogonal updates e2 and e3, but
     * their summed histories e1 + e2 and e1 + e3 still have cosine 1/2 (a per-round comparison would find 0).
     */
    @Test
    void historiesAccumulateAcrossRounds() {
        FoolsGold fg = new FoolsGold(FoolsGold.Features.ALL, 0);
        int[] ids = {1, 2, 3};
        fg.aggregate(round(vec(0, 0, 0, 0), plain(4), 1, ids, rows(new double[] {1, 0, 0, 0},
            new double[] {1, 0, 0, 0}, new double[] {0, 0, 0, 1})));
        RoundResult r = fg.aggregate(round(vec(0, 0, 0, 0), plain(4), 2, ids, rows(new double[] {0, 1, 0, 0},
            new double[] {0, 0, 1, 0}, new double[] {0, 0, 0, 1})));
        // Histories e1+e2, e1+e3, 2e4: cs01 = 1/2, others 0. α = (0.5, 0.5, 1) → (0.5, 0.5, 0.99)
        // → ln(1) + 0.5 = 0.5 for the sybils, 1 for client 3. G += (0.5·e2 + 0.5·e3 + e4)/3.
        assertArrayEquals(vec(0, 0.5 / 3, 0.5 / 3, 1.0 / 3), r.global(), 1e-6f);
        assertEquals(ClientVerdict.Status.CLIPPED, r.verdicts().get(0).status());
    }

    /** The default features are the last WEIGHT entry: differences elsewhere are invisible to the similarity. */
    @Test
    void outputLayerFeatures() {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("conv.weight", 2, ParamKind.WEIGHT);
        b.add("fc.weight", 2, ParamKind.WEIGHT);
        b.add("fc.bias", 1, ParamKind.BIAS);
        ParamLayout layout = b.build();
        FoolsGold fg = new FoolsGold();
        assertArrayEquals(new int[] {2, 4}, fg.featureRanges(layout));
        // Clients 1 and 2 agree on fc.weight, differ elsewhere: sybils for FoolsGold.
        RoundResult r = fg.aggregate(round(new float[5], layout, 1, new int[] {1, 2, 3}, rows(
            new double[] {5, 0, 1, 0, 0}, new double[] {0, 5, 1, 0, 3}, new double[] {0, 0, 0, 1, 0})));
        assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(0).status());
        assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(1).status());
        assertEquals(ClientVerdict.Status.ACCEPTED, r.verdicts().get(2).status());
        assertArrayEquals(fg.history(3), vec(0, 1));
    }

    @Test
    void savedStateResumesIdentically() {
        int[] ids = {1, 2, 3, 4};
        float[][] r1 = rows(new double[] {1, 0.2, 0}, new double[] {0.9, 0.3, 0.1}, new double[] {0, 1, 0.5},
            new double[] {-0.3, 0.2, 1});
        float[][] r2 = rows(new double[] {0.8, 0.1, 0.1}, new double[] {0.7, 0.5, 0}, new double[] {0.2, 1, 0.4},
            new double[] {0, -0.1, 0.9});
        FoolsGold uninterrupted = new FoolsGold(FoolsGold.Features.ALL, 1e-5);
        assertNull(uninterrupted.saveState());
        uninterrupted.aggregate(round(vec(0, 0, 0), plain(3), 1, ids, r1));
        String state = uninterrupted.saveState();
        RoundResult expected = uninterrupted.aggregate(round(vec(0, 0, 0), plain(3), 2, ids, r2));

        FoolsGold resumed = new FoolsGold(FoolsGold.Features.ALL, 1e-5);
        resumed.restoreState(state);
        RoundResult actual = resumed.aggregate(round(vec(0, 0, 0), plain(3), 2, ids, r2));
        assertArrayEquals(expected.global(), actual.global());
        assertEquals(expected.verdicts(), actual.verdicts());
        assertEquals(uninterrupted.saveState(), resumed.saveState());
        // Without the state the second round differs (the history matters).
        RoundResult fresh = new FoolsGold(FoolsGold.Features.ALL, 1e-5).aggregate(round(vec(0, 0, 0), plain(3), 2,
            ids, r2));
        assertTrue(!java.util.Arrays.equals(expected.global(), fresh.global())
            || !expected.verdicts().equals(fresh.verdicts()));

        assertThrows(IllegalArgumentException.class, () -> new FoolsGold().restoreState("flame:1"));
        assertThrows(IllegalArgumentException.class, () -> new FoolsGold().restoreState("foolsgold-histories:x"));
        assertThrows(IllegalArgumentException.class, () -> new FoolsGold().restoreState("foolsgold-histories:1=AAA"));
        assertThrows(IllegalArgumentException.class,
            () -> new FoolsGold().restoreState("foolsgold-histories:1=AAAAAA==;1=AAAAAA=="));
    }

    /**
     * Two sybils send the same update, 10⁶ times larger than the honest ones: their histories match, both get
     * weight 0, and G moves by no more than the honest updates' size (here 1/5 per coordinate).
     */
    @Test
    void hugeSybilPairIsRemoved() {
        FoolsGold fg = new FoolsGold(FoolsGold.Features.ALL, 1e-5);
        float[][] x = rows(new double[] {1e6, 1e6, 0, 0}, new double[] {1e6, 1e6, 0, 0}, new double[] {0, 0, 1, 0},
            new double[] {0, 0, 0, 1}, new double[] {0, 1, 0, 0});
        RoundResult r = fg.aggregate(round(vec(0, 0, 0, 0), plain(4), 1, new int[] {1, 2, 3, 4, 5}, x));
        for (float v : r.global()) {
            assertTrue(Math.abs(v) <= 1, "aggregate " + java.util.Arrays.toString(r.global()));
        }
    }

    @Test
    void badInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FoolsGold(null, 0));
        assertTrue(e.getMessage().contains("foolsgold"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FoolsGold(FoolsGold.Features.ALL, -1));
        assertThrows(IllegalArgumentException.class, () -> FoolsGold.fromOptions(Map.of("features", "top-k")));
        assertThrows(IllegalArgumentException.class, () -> FoolsGold.fromOptions(Map.of("kappa", "1")));
        assertEquals("foolsgold", FoolsGold.fromOptions(Map.of("features", "all", "epsilon", "0")).name());
        FoolsGold fg = new FoolsGold(FoolsGold.Features.ALL, 0);
        e = assertThrows(IllegalArgumentException.class, () -> fg.aggregate(round(vec(0, 0), plain(2), 1,
            new int[] {4, 4}, rows(new double[] {1, 0}, new double[] {0, 1}))));
        assertTrue(e.getMessage().contains("client 4"), e.getMessage());
        assertNull(fg.history(4));
        ParamLayout biasOnly = ParamLayout.builder().build();
        assertThrows(IllegalArgumentException.class, () -> new FoolsGold().featureRanges(biasOnly));
    }
}
