package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.plain;
import static org.badfl.server.defenses.Rounds.rows;
import static org.badfl.server.defenses.Rounds.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.junit.jupiter.api.Test;

class RfaTest {

    /** Σ α_i‖z − x_i‖ in double. */
    static double objective(double[] z, float[][] x, double[] alpha) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double q = 0;
            for (int j = 0; j < z.length; j++) {
                double diff = z[j] - x[i][j];
                q += diff * diff;
            }
            s += alpha[i] * Math.sqrt(q);
        }
        return s;
    }

    /**
     * Brute-force minimiser of the (convex) objective: a grid of 41^d points over the bounding box, then 40
     * zooms onto the best grid point with the cell halved each time.
     */
    static double[] bruteForce(float[][] x, double[] alpha) {
        int d = x[0].length;
        double[] lo = new double[d];
        double[] hi = new double[d];
        java.util.Arrays.fill(lo, Double.MAX_VALUE);
        java.util.Arrays.fill(hi, -Double.MAX_VALUE);
        for (float[] p : x) {
            for (int j = 0; j < d; j++) {
                lo[j] = Math.min(lo[j], p[j]);
                hi[j] = Math.max(hi[j], p[j]);
            }
        }
        double[] centre = new double[d];
        double[] half = new double[d];
        for (int j = 0; j < d; j++) {
            centre[j] = (lo[j] + hi[j]) / 2;
            half[j] = (hi[j] - lo[j]) / 2 + 1e-9;
        }
        int steps = 40;
        for (int zoom = 0; zoom < 40; zoom++) {
            double best = Double.MAX_VALUE;
            double[] bestZ = centre.clone();
            int total = (int) Math.pow(steps + 1, d);
            for (int k = 0; k < total; k++) {
                double[] z = new double[d];
                int r = k;
                for (int j = 0; j < d; j++) {
                    z[j] = centre[j] - half[j] + 2 * half[j] * (r % (steps + 1)) / steps;
                    r /= steps + 1;
                }
                double v = objective(z, x, alpha);
                if (v < best) {
                    best = v;
                    bestZ = z;
                }
            }
            centre = bestZ;
            for (int j = 0; j < d; j++) {
                half[j] = half[j] / 2;
            }
        }
        return centre;
    }

    static double[] minus(float[] a, float[] b) {
        double[] out = new double[a.length];
        for (int j = 0; j < a.length; j++) {
            out[j] = (double) a[j] - b[j];
        }
        return out;
    }

    static final float[][] TRIANGLE_PLUS = rows(new double[] {0, 0}, new double[] {4, 0}, new double[] {0, 3},
        new double[] {1, 1}, new double[] {3, 2.5});

    @Test
    void uniformWeightsMatchTheBruteForceMinimiser() {
        float[] g = vec(0.5, -1);
        double[] alpha = Rfa.uniform(5);
        RoundResult r = new Rfa(100, 1e-6, 1e-20, Rfa.Weights.UNIFORM)
            .aggregate(Rounds.input(g, plain(2), TRIANGLE_PLUS));
        double[] v = minus(r.global(), g);
        double[] brute = bruteForce(TRIANGLE_PLUS, alpha);
        assertArrayEquals(brute, v, 1e-3);
        assertTrue(objective(v, TRIANGLE_PLUS, alpha) <= objective(brute, TRIANGLE_PLUS, alpha) * (1 + 1e-6));
    }

    /** Default weights are the sample shares n_i / Σ n_j; a 3-D set checks more than the plane. */
    @Test
    void sampleWeightsMatchTheBruteForceMinimiser() {
        float[][] x = rows(new double[] {1, 0, 0}, new double[] {0, 2, 0}, new double[] {0, 0, 3},
            new double[] {-1, -1, 1}, new double[] {2, 2, 2});
        long[] samples = {10, 20, 30, 5, 35};
        double[] alpha = {0.1, 0.2, 0.3, 0.05, 0.35};
        float[] g = vec(0, 0, 0);
        RoundResult r = new Rfa().aggregate(Rounds.input(g, plain(3), x, samples));
        double[] v = minus(r.global(), g);
        double[] brute = bruteForce(x, alpha);
        assertArrayEquals(brute, v, 2e-3);
        assertTrue(objective(v, x, alpha) <= objective(brute, x, alpha) * (1 + 1e-6));
        // Uniform weights give a different median on this set, so the weights are really used.
        double[] uniform = minus(new Rfa(100, 1e-6, 1e-20, Rfa.Weights.UNIFORM)
            .aggregate(Rounds.input(g, plain(3), x, samples)).global(), g);
        assertTrue(Math.abs(uniform[0] - v[0]) + Math.abs(uniform[2] - v[2]) > 0.05);
    }

    /**
     * One smoothed Weiszfeld step by hand: points 0, 1, 4 on a line with α = 1/3: v⁰ = 5/3, distances 5/3,
     * 2/3, 7/3, β ∝ (3/5, 3/2, 3/7), v¹ = (0·3/5 + 1·3/2 + 4·3/7) / (3/5 + 3/2 + 3/7).
     */
    @Test
    void oneWeiszfeldStepByHand() {
        float[][] x = rows(new double[] {0}, new double[] {1}, new double[] {4});
        RoundResult r = new Rfa(1, 1e-6, 0, Rfa.Weights.UNIFORM).aggregate(Rounds.input(vec(0), plain(1), x));
        double expected = (1.5 + 12.0 / 7) / (0.6 + 1.5 + 3.0 / 7);
        assertEquals(expected, r.global()[0], 1e-6);
        // Many steps converge to the 1-D median, 1.
        RoundResult many = new Rfa().aggregate(Rounds.input(vec(0), plain(1), x));
        assertEquals(1.0, many.global()[0], 1e-3);
    }

    /**
     * One update 10⁶ times larger than the rest. The geometric median m of n points, f of them arbitrary and
     * the other n − f within r of c, has D = ‖m − c‖ ≤ 2(n − f)/(n − 2f)·r: Σ‖m − x_i‖ ≤ Σ‖c − x_i‖ with
     * ‖m − x_i‖ ≥ D − r (honest) and ‖m − x_i‖ ≥ ‖c − x_i‖ − D (others) gives (n − 2f)·D ≤ 2(n − f)·r.
     * n = 6, f = 1: 2.5·r.
     */
    @Test
    void hugeUpdateMovesTheAggregateBoundedly() {
        float[][] x = rows(new double[] {1, 2}, new double[] {1.2, 1.9}, new double[] {0.9, 2.2},
            new double[] {1.1, 2.1}, new double[] {0.8, 1.8}, new double[] {1e6, 2e6});
        double[] c = {1.0, 2.0};
        double radius = 0;
        for (int i = 0; i < 5; i++) {
            radius = Math.max(radius, Math.hypot(x[i][0] - c[0], x[i][1] - c[1]));
        }
        float[] g = vec(0, 0);
        double[] v = minus(new Rfa().aggregate(Rounds.input(g, plain(2), x)).global(), g);
        assertTrue(Math.hypot(v[0] - c[0], v[1] - c[1]) <= 2.5 * radius, "median " + v[0] + ", " + v[1]);
    }

    @Test
    void doesNotModifyInputsAndHandlesEmptyRounds() {
        float[][] x = rows(new double[] {0, 0}, new double[] {4, 0}, new double[] {0, 3});
        float[][] copy = rows(new double[] {0, 0}, new double[] {4, 0}, new double[] {0, 3});
        float[] g = vec(1, 1);
        new Rfa().aggregate(Rounds.input(g, plain(2), x));
        assertArrayEquals(vec(1, 1), g);
        for (int i = 0; i < x.length; i++) {
            assertArrayEquals(copy[i], x[i]);
        }
        RoundInput empty = Rounds.input(g, plain(2), new float[0][]);
        RoundResult r = new Rfa().aggregate(empty);
        assertArrayEquals(g, r.global());
        assertTrue(r.note().contains("no updates"));
    }

    @Test
    void optionsAndBadInput() {
        assertEquals("rfa", Rfa.fromOptions(Map.of()).name());
        Rfa.fromOptions(Map.of("iterations", "3", "nu", "1e-5", "ftol", "0", "weights", "uniform"));
        assertThrows(IllegalArgumentException.class, () -> new Rfa(0, 1e-6, 0, Rfa.Weights.SAMPLES));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new Rfa(3, 0, 0, Rfa.Weights.SAMPLES));
        assertTrue(e.getMessage().contains("rfa") && e.getMessage().contains("nu"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Rfa(3, 1e-6, -1, Rfa.Weights.SAMPLES));
        e = assertThrows(IllegalArgumentException.class, () -> Rfa.fromOptions(Map.of("iters", "3")));
        assertTrue(e.getMessage().contains("iters"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Rfa.fromOptions(Map.of("weights", "data")));
    }
}
