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

    /**
     * Scores on random rows (d = 20,003 trainable + 37 BatchNorm values: several 8192-coordinate chunks, a tail
     * that is not a multiple of any vector width) against the plain double sums that FLTrust used before it
     * called RowDots. RowDots adds float FMAs within a chunk (one lane: m = 8192/16 = 512 terms), so each dot
     * is within (m + 1)·2⁻²⁴·Σ|x·y| ≈ 3.1e-5·‖x‖‖y‖ of the exact value; a cosine and a norm ratio combine three
     * such sums: tolerance 1e-4 (absolute on cosines, relative on scales), plus 1e-12 for the double
     * reference's own rounding.
     */
    @Test
    void rowDotScoresMatchPlainDoubleSums() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(61);
        int d = 20_003;
        org.badfl.engine.ParamLayout layout = Rounds.withBn(d, 37);
        float[][] rows = new float[9][layout.size()];
        float[] root = new float[layout.size()];
        for (int c = 0; c < root.length; c++) {
            root[c] = (float) random.nextGaussian();
        }
        for (int i = 0; i < rows.length; i++) {
            for (int c = 0; c < root.length; c++) {
                rows[i][c] = (float) ((i % 3 - 1) * 0.3 * root[c] + random.nextGaussian() * (1 + i));
            }
        }
        RoundInput in = Rounds.input(new float[layout.size()], layout, withRoot(root), 1, 3, rows);
        FlTrust.Scores s = FlTrust.score(in, root);
        double rootNorm = Math.sqrt(plainDot(root, root, d));
        assertEquals(rootNorm, s.rootNorm(), 1e-12 + 1e-4 * rootNorm);
        for (int i = 0; i < rows.length; i++) {
            double norm = Math.sqrt(plainDot(rows[i], rows[i], d));
            double cosine = plainDot(rows[i], root, d) / (norm * rootNorm);
            double scale = rootNorm / norm;
            assertEquals(cosine, s.cosines()[i], 1e-12 + 1e-4, "cosine of row " + i);
            assertEquals(Math.max(0, cosine), s.trust()[i], 1e-12 + 1e-4, "trust of row " + i);
            assertEquals(scale, s.scales()[i], 1e-12 + 1e-4 * scale, "scale of row " + i);
        }
        assertTrue(s.trust()[0] == 0 && s.trust()[2] > 0, "the data give both signs: " + java.util.Arrays.toString(
            s.cosines()));
    }

    /** Σ_{c<d} a_c·b_c in double, index order (FLTrust's scalar loop before RowDots). */
    private static double plainDot(float[] a, float[] b, int d) {
        double s = 0;
        for (int c = 0; c < d; c++) {
            s += (double) a[c] * b[c];
        }
        return s;
    }
}
