package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.withBn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;
import org.badfl.server.ClientVerdict;
import org.badfl.server.NoiseStreams;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.ServerContext;
import org.badfl.server.noise.GaussianNoise;
import org.junit.jupiter.api.Test;

/**
 * FLAME on 8 hand-made updates (6 trainable coordinates + 2 BatchNorm statistics): two tight benign triples
 * (directions ≈ e1 and ≈ e1+e2, cosine distance ≈ 0.23–0.37 between them) and two attackers along e5 (cosine
 * distance 1 to everybody, 0.005 to each other). HDBSCAN (min_cluster_size 5, min_samples 1, single cluster):
 * the attacker pair leaves the root at λ ≈ 1, the benign six dissolve into two triples (both &lt; 5) at
 * λ = 1/0.228, the root's largest λ: the six benign updates form cluster 0, the attackers are noise. The labels,
 * the numpy medians and the whole-model labels are recomputed by
 * {@code src/test/resources/org/badfl/server/defenses/reference/flame_reference.py} ({@code python3
 * flame_reference.py}, numpy only; it uses the hdbscan transcription of HdbscanTest).
 */
class FlameTest {

    static final double[][] W = {{3, 0.3, 0, 0, 0, 0}, {4, 0, 0.4, 0, 0, 0}, {5, -0.5, 0, 0, 0, 0},
        {2, 2, 0, 0.2, 0, 0}, {2, 2, 0, -0.2, 0, 0}, {2, 2, 0.2, 0, 0, 0}, {0, 0, 0, 0, 10, 0}, {0, 0, 0, 0, 10, 1}};
    static final double[][] BN = {{1, -1}, {2, -2}, {3, -3}, {4, -4}, {5, -5}, {6, -6}, {70, 70}, {80, 80}};
    static final ParamLayout LAYOUT = withBn(6, 2);
    static final float[] G = {0.5f, -0.5f, 1, 0, 0, 0, 10, 20};

    static float[][] rows() {
        float[][] rows = new float[W.length][8];
        for (int i = 0; i < W.length; i++) {
            for (int j = 0; j < 6; j++) {
                rows[i][j] = (float) W[i][j];
            }
            rows[i][6] = (float) BN[i][0];
            rows[i][7] = (float) BN[i][1];
        }
        return rows;
    }

    static RoundInput input(long seed, Compute compute) {
        return Rounds.input(G, LAYOUT, ServerContext.of(compute), 3, seed, rows());
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void selectsTheBenignClusterAndClipsToTheMedianNorm() {
        Flame.Selection s = new Flame(0, Flame.Vectors.UPDATES, Flame.MedianOver.ALL).select(input(1, Compute.serial()));
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, -1, -1}, s.clustering().labels());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, s.admitted());
        assertFalse(s.allNoise());
        // Norms over the 6 trainable coordinates only (BN statistics excluded); sorted: 2.835 x3, 3.015, 4.020,
        // 5.025, 10, 10.05 -> median = (||W0|| + ||W1||)/2.
        double expectedBound = (norm(W[0]) + norm(W[1])) / 2;
        assertEquals(expectedBound, s.bound(), 1e-6);
        assertEquals(3.5174564673923117, s.bound(), 1e-6); // np.median(norms), flame_reference.py
        assertEquals(1.0, s.clipFactors()[0]);
        assertEquals(expectedBound / norm(W[1]), s.clipFactors()[1], 1e-6);
        assertEquals(expectedBound / norm(W[2]), s.clipFactors()[2], 1e-6);
        assertEquals(1.0, s.clipFactors()[3]);
    }

    /** With λ = 0: G + mean over the six admitted of min(1, S/e_i)·Δ_i; BN statistics: plain mean of the six. */
    @Test
    void aggregatesTheExactClippedMean() {
        RoundResult r = new Flame(0, Flame.Vectors.UPDATES, Flame.MedianOver.ALL).aggregate(input(1, Compute.serial()));
        double s = (norm(W[0]) + norm(W[1])) / 2;
        for (int j = 0; j < 6; j++) {
            double sum = 0;
            for (int i = 0; i < 6; i++) {
                sum += Math.min(1, s / norm(W[i])) * W[i][j];
            }
            assertEquals(G[j] + sum / 6, r.global()[j], 2e-6, "coordinate " + j);
        }
        assertEquals(10 + (1 + 2 + 3 + 4 + 5 + 6) / 6.0, r.global()[6], 1e-5);
        assertEquals(20 - (1 + 2 + 3 + 4 + 5 + 6) / 6.0, r.global()[7], 1e-5);

        List<ClientVerdict> v = r.verdicts();
        assertEquals(8, v.size());
        assertEquals(ClientVerdict.Status.ACCEPTED, v.get(0).status());
        assertEquals(ClientVerdict.Status.CLIPPED, v.get(1).status());
        assertFalse(v.get(1).flagged());
        assertEquals(ClientVerdict.Status.REJECTED, v.get(6).status());
        assertTrue(v.get(6).flagged());
        assertEquals("HDBSCAN noise", v.get(7).reason());
        assertEquals(106, v.get(6).clientId());
    }

    /**
     * Noise N(0, (λS)²) on trainable coordinates only, from stream {@link NoiseStreams#FLAME} of the round seed:
     * element i of that stream, exactly; same seed (any thread count) gives the same G, another seed another.
     */
    @Test
    void noiseIsSeededAndSkipsBatchNormStatistics() {
        Flame flame = new Flame();
        float[] clean = new Flame(0, Flame.Vectors.UPDATES, Flame.MedianOver.ALL).aggregate(input(5, Compute.serial()))
            .global();
        float[] noisy = flame.aggregate(input(5, Compute.serial())).global();
        double sigma = Flame.DEFAULT_LAMBDA * 3.5174564673923117;
        for (int j = 0; j < 6; j++) {
            double z = GaussianNoise.normal(5, NoiseStreams.FLAME, j);
            assertEquals(clean[j] + sigma * z, noisy[j], 1e-6, "coordinate " + j);
        }
        assertEquals(clean[6], noisy[6]);
        assertEquals(clean[7], noisy[7]);
        try (Compute two = Compute.create(2)) {
            assertArrayEquals(noisy, flame.aggregate(input(5, two)).global());
        }
        assertFalse(Arrays.equals(noisy, flame.aggregate(input(6, Compute.serial())).global()));
    }

    @Test
    void medianOverAdmittedAndWholeModels() {
        Flame admitted = new Flame(0, Flame.Vectors.UPDATES, Flame.MedianOver.ADMITTED);
        // Admitted norms sorted: 2.835 x3, 3.015, 4.020, 5.025 -> (2.835 + 3.015)/2.
        assertEquals((norm(W[3]) + norm(W[0])) / 2, admitted.select(input(1, Compute.serial())).bound(), 1e-6);

        // Whole models with G = 0 are the updates: same clustering.
        float[] zero = new float[8];
        RoundInput atZero = Rounds.input(zero, LAYOUT, ServerContext.of(Compute.serial()), 1, 1, rows());
        Flame byModels = new Flame(0, Flame.Vectors.MODELS, Flame.MedianOver.ALL);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, byModels.select(atZero).admitted());
        // Away from the origin the models' cosines are those of G + Δ_i over the trainable coordinates: same
        // clustering as HDBSCAN on distances computed here directly from the models. With G = (−3, −2, 0, ...)
        // the first triple's models point elsewhere and the attackers join the second triple (labels from the
        // hdbscan transcription, flame_reference.py: [-1,-1,-1,0,0,0,0,0]), unlike the update-based clustering.
        float[] shifted = {-3, -2, 0, 0, 0, 0, 50, 50};
        RoundInput atShifted = Rounds.input(shifted, LAYOUT, ServerContext.of(Compute.serial()), 1, 1, rows());
        double[][] models = new double[W.length][6];
        for (int i = 0; i < W.length; i++) {
            for (int j = 0; j < 6; j++) {
                models[i][j] = shifted[j] + W[i][j];
            }
        }
        int[] expected = org.badfl.server.detect.Hdbscan.flame(8)
            .cluster(cosineDistances(models)).labels();
        assertArrayEquals(new int[] {-1, -1, -1, 0, 0, 0, 0, 0}, expected);
        assertArrayEquals(expected, byModels.select(atShifted).clustering().labels());
    }

    static double[][] cosineDistances(double[][] v) {
        int n = v.length;
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    double dot = 0;
                    double ni = 0;
                    double nj = 0;
                    for (int c = 0; c < v[i].length; c++) {
                        dot += v[i][c] * v[j][c];
                        ni += v[i][c] * v[i][c];
                        nj += v[j][c] * v[j][c];
                    }
                    d[i][j] = 1 - dot / Math.sqrt(ni * nj);
                }
            }
        }
        return d;
    }

    /** n = 1: HDBSCAN has no hierarchy, the lone update is noise, so everybody (it) is admitted, with a note. */
    @Test
    void singleUpdateIsAdmittedWithANote() {
        float[][] one = {rows()[0]};
        RoundResult r = new Flame(0, Flame.Vectors.UPDATES, Flame.MedianOver.ALL)
            .aggregate(Rounds.input(G, LAYOUT, ServerContext.of(Compute.serial()), 1, 1, one));
        assertEquals("HDBSCAN labelled every update noise: all admitted", r.note());
        assertEquals(G[0] + 3f, r.global()[0], 1e-6);
        assertNotEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(0).status());
    }
}
