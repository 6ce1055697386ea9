package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.plain;
import static org.badfl.server.defenses.Rounds.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.badfl.server.ClientVerdict;
import org.badfl.server.RoundResult;
import org.junit.jupiter.api.Test;

class SignGuardTest {

    /** A row of 10 values: {@code positives} entries +m, the rest −m. */
    static float[] signs(int positives, double m) {
        float[] r = new float[10];
        for (int j = 0; j < 10; j++) {
            r[j] = (float) (j < positives ? m : -m);
        }
        return r;
    }

    /**
     * fraction = 1 counts every sign. Honest clients 0-5 are 7/10 or 8/10 positive; clients 6, 7 (sign flippers)
     * 2/10; client 8 is honest-looking but 10× the typical norm; client 9 has a tiny norm. Norms: √10·m,
     * median over the ten = √10 (m = 1 for 0-7). S1 drops 8 (≥ 3·median) and 9 (≤ 0.1·median); mean shift
     * separates 6, 7 (positive share 0.25 of the maximum). G ← G + mean of rows 0-5 (no clipping: norms equal the
     * median).
     */
    @Test
    void normAndSignFiltersByHand() {
        float[][] x = {signs(7, 1), signs(7, 1), signs(8, 1), signs(7, 1), signs(8, 1), signs(7, 1),
            signs(2, 1), signs(2, 1), signs(7, 10), signs(7, 0.01)};
        SignGuard sg = new SignGuard(0.1, 3.0, 1.0);
        RoundResult r = sg.aggregate(Rounds.input(new float[10], plain(10), x));
        float[] expected = new float[10];
        for (int j = 0; j < 10; j++) {
            double s = 0;
            for (int i = 0; i < 6; i++) {
                s += x[i][j];
            }
            expected[j] = (float) (s / 6);
        }
        assertArrayEquals(expected, r.global(), 1e-6f);
        for (int i = 0; i < 6; i++) {
            assertEquals(ClientVerdict.Status.ACCEPTED, r.verdicts().get(i).status(), "client " + i);
        }
        for (int i = 6; i < 8; i++) {
            assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(i).status());
            assertTrue(r.verdicts().get(i).reason().contains("sign"), r.verdicts().get(i).reason());
        }
        for (int i = 8; i < 10; i++) {
            assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(i).status());
            assertTrue(r.verdicts().get(i).reason().contains("norm"), r.verdicts().get(i).reason());
            assertTrue(r.verdicts().get(i).flagged());
        }
    }

    /** Features: shares over the block, each over its column maximum (+1e-8). */
    @Test
    void signFeatures() {
        float[][] x = {{1, -1, 0, 2}, {1, 1, 1, 1}};
        double[][] f = SignGuard.signFeatures(x, new int[] {0, 4}, 0, 4);
        assertArrayEquals(new double[] {0.5 / (1 + 1e-8), 1, 1}, f[0], 1e-7);
        assertArrayEquals(new double[] {1, 0, 0}, f[1], 1e-7);
        // A block starting at trainable position 1 of ranges [0,2) and [5,7): coordinates 1, 5.
        float[][] y = {{9, -1, 9, 9, 9, 1, 9}};
        double[][] g = SignGuard.signFeatures(y, new int[] {0, 2, 5, 7}, 1, 2);
        assertArrayEquals(new double[] {1, 0, 1}, g[0], 1e-7);
    }

    /**
     * One update 10⁶ times larger fails the norm filter; admitted updates are clipped to the median norm, so
     * ‖G' − G‖ ≤ median norm.
     */
    @Test
    void hugeUpdateIsFilteredAndTheStepIsBoundedByTheMedianNorm() {
        float[][] x = {signs(7, 1), signs(7, 1.2), signs(8, 0.9), signs(7, 1.1), signs(7, 1e6)};
        RoundResult r = new SignGuard().aggregate(Rounds.input(new float[10], plain(10), x));
        assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(4).status());
        double norm = 0;
        for (float v : r.global()) {
            norm += v * v;
        }
        assertTrue(Math.sqrt(norm) <= Math.sqrt(10) * 1.1 + 1e-6, "step " + Math.sqrt(norm));
    }

    @Test
    void sameSeedSameResultAndBadInput() {
        float[][] x = {signs(7, 1), signs(6, 1.3), signs(8, 0.9), signs(7, 1.1), signs(1, 1)};
        RoundResult a = new SignGuard().aggregate(Rounds.input(vec(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), plain(10), x));
        RoundResult b = new SignGuard().aggregate(Rounds.input(vec(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), plain(10), x));
        assertArrayEquals(a.global(), b.global());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SignGuard(0.5, 0.4, 0.1));
        assertTrue(e.getMessage().contains("signguard") && e.getMessage().contains("upper"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SignGuard(-1, 3, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new SignGuard(0.1, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> new SignGuard(0.1, 3, 1.5));
        assertThrows(IllegalArgumentException.class, () -> SignGuard.fromOptions(Map.of("clustering", "dbscan")));
        assertEquals("signguard", SignGuard.fromOptions(Map.of("lower", "0.2", "upper", "2", "fraction", "0.5")).name());
    }
}
