package org.badfl.server.defenses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.badfl.engine.Compute;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Network;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.engine.Shape;
import org.badfl.server.ClientVerdict;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.ServerContext;
import org.junit.jupiter.api.Test;

class DeepSightTest {

    /** A linear classifier of 2×2 one-channel images into 3 classes: fc.weight (3×4), fc.bias (3); 15 values. */
    static final ModelSpec TINY = Network.builder("tiny-linear", new Shape(1, 2, 2)).flatten().linear("fc", 3).spec();

    static ServerContext withModel(ModelSpec spec) {
        return new ServerContext() {
            @Override
            public Compute compute() {
                return Compute.serial();
            }

            @Override
            public Network model(float[] params) {
                return spec.withParams(params);
            }
        };
    }

    static RoundInput round(float[] g, float[][] rows, long seed) {
        return Rounds.input(g, TINY.layout(), withModel(TINY), 1, seed, rows);
    }

    /** A row of the tiny model: weight (3×4, row-major) then bias (3). */
    static float[] row(double[][] weight, double... bias) {
        float[] r = new float[15];
        for (int j = 0; j < 3; j++) {
            for (int c = 0; c < 4; c++) {
                r[j * 4 + c] = (float) weight[j][c];
            }
            r[12 + j] = (float) bias[j];
        }
        return r;
    }

    /**
     * Energies |b_j| + Σ|W_jk|: 2, 1, 3 → squares 4, 1, 9 → NEUP (4, 1, 9)/14. Threshold max(0.01, 1/3)·9/14 = 3/14:
     * classes 0 and 2 exceed it, TE = 2. With factor 0.5 the threshold is 4.5/14 and TE = 1.
     */
    @Test
    void neupsAndThresholdExceedingsByHand() {
        float[] r = row(new double[][] {{1, 0, 0, 1}, {0, 0, 0, 0}, {-2, 0, 0, 0}}, 0, -1, 1);
        DeepSight.OutputLayer out = DeepSight.OutputLayer.of(TINY.layout());
        double[] neup = DeepSight.neups(r, out);
        assertArrayEquals(new double[] {4.0 / 14, 1.0 / 14, 9.0 / 14}, neup, 1e-12);
        assertEquals(2, DeepSight.thresholdExceedings(neup, 0.01));
        assertEquals(1, DeepSight.thresholdExceedings(neup, 0.5));
        assertArrayEquals(new double[3], DeepSight.neups(new float[15], out));
    }

    /**
     * G = 0 gives uniform probabilities 1/3 on every input; a client whose update is +ln 2 on bias 0 has logits
     * (ln 2, 0, 0) on every input, softmax (1/2, 1/4, 1/4): DDif = (1.5, 0.75, 0.75) (÷ (1/3 + 10⁻⁶)).
     */
    @Test
    void ddifsByHand() {
        float[][] rows = {row(new double[3][4], Math.log(2), 0, 0), new float[15]};
        double[][][] ddifs = new DeepSight(2, 300, 0.01, 1.0 / 3).ddifs(round(new float[15], rows, 5), 3);
        double scale = (1.0 / 3) / (1.0 / 3 + DeepSight.RATIO_EPSILON);
        for (int s = 0; s < 2; s++) {
            assertArrayEquals(new double[] {1.5 * scale, 0.75 * scale, 0.75 * scale}, ddifs[s][0], 1e-6);
            assertArrayEquals(new double[] {scale, scale, scale}, ddifs[s][1], 1e-6);
        }
    }

    /**
     * Seven benign clients spread their output-layer energy over all three classes (TE 3 each, boundary 3/2);
     * five backdoor clients put it on class 0 (TE 1: suspicious), with a 20× norm. Every feature clustering
     * splits them 7 | 5 (both at least min_cluster_size 5); the attackers' cluster is all suspicious and
     * rejected. The median norm of the twelve is the mean of the 6th and 7th benign norms: G ← G + mean of the
     * benign seven, the largest clipped to it. With three attackers instead of five no group of them reaches
     * min_cluster_size: every feature clustering is all noise, the final one a single cluster with 3 of 10
     * suspicious (&lt; τ·10), and all ten are accepted (FLPoison's HDBSCAN settings behave the same).
     */
    @Test
    void backdoorModelsAreRejectedAndBenignOnesAveraged() {
        float[][] rows = new float[12][];
        for (int i = 0; i < 7; i++) {
            double e = 0.01 * i;
            rows[i] = row(new double[][] {{0.1 + e, 0.1, 0, 0}, {0, 0.1, 0.1 + e, 0}, {0, 0, 0.1, 0.1 + e}},
                0.05, 0.05 + e, 0.05);
        }
        for (int i = 7; i < 12; i++) {
            double e = 0.02 * (i - 7);
            rows[i] = row(new double[][] {{3 + e, 3, 3, 3}, {0, 0, 0, 0}, {0, 0, 0, 0}}, 2 + e, -0.1, -0.1);
        }
        RoundResult r = new DeepSight(3, 500, 0.01, 1.0 / 3).aggregate(round(new float[15], rows, 9));
        for (int i = 0; i < 7; i++) {
            assertEquals(i < 6 ? ClientVerdict.Status.ACCEPTED : ClientVerdict.Status.CLIPPED,
                r.verdicts().get(i).status(), r.verdicts().get(i).reason());
        }
        for (int i = 7; i < 12; i++) {
            assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(i).status());
            assertTrue(r.verdicts().get(i).flagged());
            assertTrue(r.verdicts().get(i).reason().contains("5 of 5 suspicious"), r.verdicts().get(i).reason());
        }
        assertArrayEquals(clippedMean(rows, 7), r.global(), 1e-6f);

        float[][] three = java.util.Arrays.copyOf(rows, 10);
        RoundResult all = new DeepSight(3, 500, 0.01, 1.0 / 3).aggregate(round(new float[15], three, 9));
        for (ClientVerdict v : all.verdicts()) {
            assertTrue(v.status() != ClientVerdict.Status.REJECTED, v.reason());
        }
        assertArrayEquals(clippedMean(three, 10), all.global(), 1e-6f);
    }

    /** Mean of rows [0, accepted) each clipped to the median norm of all rows. */
    static float[] clippedMean(float[][] rows, int accepted) {
        double[] norms = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            double s = 0;
            for (float v : rows[i]) {
                s += v * v;
            }
            norms[i] = Math.sqrt(s);
        }
        double median = DefenseSupport.median(norms);
        float[] expected = new float[rows[0].length];
        for (int c = 0; c < expected.length; c++) {
            double sum = 0;
            for (int i = 0; i < accepted; i++) {
                sum += rows[i][c] * Math.min(1, median / norms[i]);
            }
            expected[c] = (float) (sum / accepted);
        }
        return expected;
    }

    /**
     * One cluster of six (all alike: every feature clustering finds a single group) where two of six members are
     * suspicious: 2 &lt; τ·6 fails at τ = 1/3 (all rejected, G unchanged) and holds at τ = 0.5 (all accepted;
     * the median norm is the four larger ones', so nobody is clipped).
     */
    @Test
    void clusterShareOfSuspiciousModelsAgainstTau() {
        float[][] rows = new float[6][];
        for (int i = 0; i < 4; i++) {
            rows[i] = row(new double[][] {{0.1, 0, 0, 0}, {0, 0.1, 0, 0}, {0, 0, 0.1, 0}}, 0.01, 0.01, 0.01);
        }
        for (int i = 4; i < 6; i++) {
            rows[i] = row(new double[][] {{0.1, 0, 0, 0}, {0, 0.001, 0, 0}, {0, 0, 0.001, 0}}, 0.01, 0.01, 0.01);
        }
        RoundResult strict = new DeepSight(1, 100, 0.01, 1.0 / 3).aggregate(round(new float[15], rows, 3));
        for (ClientVerdict v : strict.verdicts()) {
            assertEquals(ClientVerdict.Status.REJECTED, v.status(), v.reason());
        }
        assertArrayEquals(new float[15], strict.global());
        RoundResult lenient = new DeepSight(1, 100, 0.01, 0.5).aggregate(round(new float[15], rows, 3));
        for (ClientVerdict v : lenient.verdicts()) {
            assertEquals(ClientVerdict.Status.ACCEPTED, v.status(), v.reason());
        }
        assertArrayEquals(clippedMean(rows, 6), lenient.global(), 1e-7f);
    }

    @Test
    void badHyperparametersAndInputsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> DeepSight.fromOptions(Map.of("tau", "0")));
        assertEquals("deepsight: tau must be in (0, 1], got 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DeepSight.fromOptions(Map.of("samples", "0")));
        assertTrue(e.getMessage().startsWith("deepsight: samples must be >= 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DeepSight.fromOptions(Map.of("seeds", "0")));
        assertTrue(e.getMessage().startsWith("deepsight: seeds must be >= 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
            () -> DeepSight.fromOptions(Map.of("threshold-factor", "2")));
        assertTrue(e.getMessage().startsWith("deepsight: threshold-factor must be in [0, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DeepSight.fromOptions(Map.of("tua", "0.3")));
        assertTrue(e.getMessage().contains("unknown option tua"), e.getMessage());
        // No model in the context: named.
        e = assertThrows(IllegalArgumentException.class, () -> new DeepSight().aggregate(Rounds.input(new float[15],
            TINY.layout(), new float[][] {new float[15]})));
        assertTrue(e.getMessage().contains("deepsight") && e.getMessage().contains("ServerContext.model"),
            e.getMessage());
        // No output-layer bias.
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("fc.weight", 6, ParamKind.WEIGHT);
        ParamLayout noBias = b.build();
        e = assertThrows(IllegalArgumentException.class, () -> DeepSight.OutputLayer.of(noBias));
        assertTrue(e.getMessage().startsWith("deepsight: the output layer fc.weight needs a bias"), e.getMessage());
    }
}
