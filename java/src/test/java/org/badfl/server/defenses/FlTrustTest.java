package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.plain;
import static org.badfl.server.defenses.Rounds.rows;
import static org.badfl.server.defenses.Rounds.vec;
import static org.badfl.server.defenses.Rounds.withRoot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.badfl.engine.Compute;
import org.badfl.server.ClientVerdict;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.ServerContext;
import org.junit.jupiter.api.Test;

class FlTrustTest {

    static final float[][] UPDATES = rows(new double[] {2, 0, 0, 0}, new double[] {1, 1, 0, 0},
        new double[] {-1, 0, 0, 0}, new double[] {0, 0, 3, 0});

    /**
     * g_0 = (1, 0, 0, 0). Cosines: 1, 1/√2, −1, 0 → trust 1, 1/√2, 0, 0. Norm-aligned updates (‖g_0‖ = 1):
     * (1, 0, 0, 0) and (1/√2, 1/√2, 0, 0). G + [1·(1,0) + (1/√2)·(1/√2, 1/√2)]/(1 + 1/√2)
     * = G + (1.5, 0.5, 0, 0)/(1 + 1/√2).
     */
    @Test
    void trustWeightedNormAlignedMean() {
        RoundInput in = Rounds.input(vec(1, 1, 1, 1), plain(4), withRoot(vec(1, 0, 0, 0)), 1, 3, UPDATES);
        FlTrust.Scores s = FlTrust.score(in, vec(1, 0, 0, 0));
        assertArrayEquals(new double[] {1, Math.sqrt(0.5), 0, 0}, s.trust(), 1e-12);
        assertArrayEquals(new double[] {0.5, Math.sqrt(0.5), 1, 1.0 / 3}, s.scales(), 1e-12);

        RoundResult r = new FlTrust().aggregate(in);
        double total = 1 + Math.sqrt(0.5);
        assertArrayEquals(new float[] {(float) (1 + 1.5 / total), (float) (1 + 0.5 / total), 1, 1}, r.global());
        List<ClientVerdict> v = r.verdicts();
        assertEquals(ClientVerdict.Status.CLIPPED, v.get(0).status());
        assertFalse(v.get(1).flagged());
        assertEquals(ClientVerdict.Status.REJECTED, v.get(2).status());
        assertTrue(v.get(2).flagged());
        assertTrue(v.get(3).flagged());
        assertTrue(new FlTrust().flagsClients());
    }

    /** All trust 0 → G unchanged with a note; a zero root update flags nobody. */
    @Test
    void allZeroTrustKeepsG() {
        RoundInput orthogonal = Rounds.input(vec(1, 1, 1, 1), plain(4), withRoot(vec(0, 0, 0, 5)), 1, 3, UPDATES);
        RoundResult r = new FlTrust().aggregate(orthogonal);
        assertArrayEquals(vec(1, 1, 1, 1), r.global());
        assertTrue(r.note().startsWith("all FLTrust trust scores are 0"), r.note());
        assertTrue(r.verdicts().get(0).flagged());

        RoundInput zeroRoot = Rounds.input(vec(1, 1, 1, 1), plain(4), withRoot(new float[4]), 1, 3, UPDATES);
        RoundResult z = new FlTrust().aggregate(zeroRoot);
        assertArrayEquals(vec(1, 1, 1, 1), z.global());
        assertTrue(z.note().contains("root update is zero"), z.note());
        assertFalse(z.verdicts().get(0).flagged());
    }

    @Test
    void needsARootSetAndAFiniteRootUpdate() {
        RoundInput noRoot = Rounds.input(vec(1, 1, 1, 1), plain(4), ServerContext.of(Compute.serial()), 1, 3, UPDATES);
        assertThrows(UnsupportedOperationException.class, () -> new FlTrust().aggregate(noRoot));
        RoundInput nanRoot = Rounds.input(vec(1, 1, 1, 1), plain(4), withRoot(vec(1, Double.NaN, 0, 0)), 1, 3, UPDATES);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new FlTrust().aggregate(nanRoot));
        assertEquals("FLTrust root update is not finite: NaN at index 1 (w[1])", e.getMessage());
    }
}
