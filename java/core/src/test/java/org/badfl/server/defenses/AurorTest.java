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
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.ClientVerdict;
import org.badfl.server.RoundResult;
import org.junit.jupiter.api.Test;

class AurorTest {

    /** conv.weight [0,2), fc.weight [2,5), fc.bias [5,6), bn.running_mean [6,7). */
    static ParamLayout layout() {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("conv.weight", 2, ParamKind.WEIGHT);
        b.add("fc.weight", 3, ParamKind.WEIGHT);
        b.add("fc.bias", 1, ParamKind.BIAS);
        b.add("bn.running_mean", 1, ParamKind.BN_RUNNING_MEAN);
        return b.build();
    }

    /**
     * Six clients; on fc.weight[0] (coordinate 2) clients 4, 5 send 1.0 and the others ≈ 0: gap ≈ 1 ≥ 0.5.
     * Coordinates 3-5 spread by at most 0.04; the conv coordinates 0, 1 differ a lot but are not candidates.
     */
    static final float[][] SIX = rows(
        new double[] {9, -9, 0.00, 0.01, 0.02, 0.00, 1},
        new double[] {-9, 9, 0.01, 0.00, 0.01, 0.01, 1},
        new double[] {9, 9, 0.02, 0.02, 0.00, 0.02, 1},
        new double[] {-9, -9, 0.01, 0.01, 0.03, 0.01, 1},
        new double[] {0, 0, 1.00, 0.03, 0.02, 0.04, 1},
        new double[] {0, 0, 1.00, 0.01, 0.04, 0.00, 1});

    @Test
    void splitGapByHand() {
        assertEquals(5.05, Auror.splitGap(new double[] {5.2, 0, 5, 0.1}), 1e-12);
        assertEquals(0, Auror.splitGap(new double[] {3}), 0);
        // {0, 1, 10}: splits {0}|{1,10} SSE 40.5, {0,1}|{10} SSE 0.5 → gap 10 − 0.5.
        assertEquals(9.5, Auror.splitGap(new double[] {10, 0, 1}), 1e-12);
    }

    @Test
    void indicativeFeaturesAndMinorityRejected() {
        Auror auror = new Auror(0.5, 10, Auror.Features.OUTPUT_LAYER);
        assertArrayEquals(new int[] {2, 6}, auror.candidateRanges(layout()));
        RoundResult r = auror.aggregate(Rounds.input(new float[7], layout(), SIX));
        assertArrayEquals(new int[] {2}, auror.indicative());
        float[] expected = new float[7];
        for (int j = 0; j < 7; j++) {
            double s = 0;
            for (int i = 0; i < 4; i++) {
                s += SIX[i][j];
            }
            expected[j] = (float) (s / 4);
        }
        assertArrayEquals(expected, r.global(), 1e-7f);
        for (int i = 4; i < 6; i++) {
            assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(i).status());
            assertTrue(r.verdicts().get(i).flagged());
        }
        assertEquals(ClientVerdict.Status.ACCEPTED, r.verdicts().get(0).status());
    }

    /** After find-rounds rounds the set is fixed; a checkpointed instance resumes identically. */
    @Test
    void indicativeSetIsFixedAfterFindRoundsAndSurvivesCheckpoints() {
        Auror auror = new Auror(0.5, 1, Auror.Features.OUTPUT_LAYER);
        assertNull(auror.saveState());
        auror.aggregate(Rounds.input(new float[7], layout(), SIX));
        String state = auror.saveState();
        // Round 2: coordinate 3 now separates clients 0, 1 but the set stays {2}.
        float[][] second = rows(
            new double[] {0, 0, 0.00, 2, 0, 0, 0}, new double[] {0, 0, 0.01, 2, 0, 0, 0},
            new double[] {0, 0, 0.02, 0, 0, 0, 0}, new double[] {0, 0, 0.01, 0, 0, 0, 0},
            new double[] {0, 0, 1.00, 0, 0, 0, 0}, new double[] {0, 0, 1.00, 0, 0, 0, 0});
        RoundResult expected = auror.aggregate(Rounds.input(new float[7], layout(), second));
        assertArrayEquals(new int[] {2}, auror.indicative());
        assertEquals(ClientVerdict.Status.ACCEPTED, expected.verdicts().get(0).status());
        assertEquals(ClientVerdict.Status.REJECTED, expected.verdicts().get(4).status());

        Auror resumed = new Auror(0.5, 1, Auror.Features.OUTPUT_LAYER);
        resumed.restoreState(state);
        RoundResult actual = resumed.aggregate(Rounds.input(new float[7], layout(), second));
        assertArrayEquals(expected.global(), actual.global());
        assertEquals(expected.verdicts(), actual.verdicts());
        assertEquals(auror.saveState(), resumed.saveState());
        assertThrows(IllegalArgumentException.class, () -> new Auror().restoreState("auror-indicative:x"));
        assertThrows(IllegalArgumentException.class, () -> new Auror().restoreState("auror-indicative:0:AAAAAA=="));
        assertThrows(IllegalArgumentException.class, () -> new Auror().restoreState("dnc:1"));
    }

    /** One update 10⁶ times larger forms the minority cluster on its own; the rest is averaged. */
    @Test
    void hugeUpdateIsRejected() {
        float[][] x = rows(new double[] {1, 2}, new double[] {1.2, 1.9}, new double[] {0.9, 2.2},
            new double[] {1.1, 2.1}, new double[] {0.8, 1.8}, new double[] {1e6, 2e6});
        RoundResult r = new Auror(0.002, 10, Auror.Features.ALL).aggregate(Rounds.input(vec(0, 0), plain(2), x));
        assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(5).status());
        assertTrue(r.global()[0] >= 0.8f && r.global()[0] <= 1.2f, "x " + r.global()[0]);
        assertTrue(r.global()[1] >= 1.8f && r.global()[1] <= 2.2f, "y " + r.global()[1]);
    }

    @Test
    void noIndicativeFeatureAdmitsEverybodyAndBadInput() {
        RoundResult r = new Auror(100, 10, Auror.Features.ALL).aggregate(Rounds.input(vec(0), plain(1),
            rows(new double[] {1}, new double[] {3})));
        assertEquals(2.0f, r.global()[0], 1e-7f);
        assertTrue(r.note().contains("no indicative"), r.note());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new Auror(-1, 10, Auror.Features.ALL));
        assertTrue(e.getMessage().contains("auror") && e.getMessage().contains("threshold"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Auror(0.1, 0, Auror.Features.ALL));
        assertThrows(IllegalArgumentException.class, () -> Auror.fromOptions(Map.of("alpha", "1")));
        assertEquals("auror", Auror.fromOptions(Map.of("threshold", "1e-4", "find-rounds", "3", "features", "all"))
            .name());
    }
}
