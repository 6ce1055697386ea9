package org.badfl.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.badfl.clients.AgrAgnosticAttack.Perturbation;
import org.badfl.clients.ModelPoisoningAttack.RoundView;
import org.badfl.data.Poisoning;
import org.badfl.data.SyntheticDataset;
import org.badfl.data.TrainTest;
import org.badfl.data.Trigger;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.junit.jupiter.api.Test;

/** Each model-poisoning attack against its formula on small hand-made honest updates. */
class ModelPoisoningAttackTest {

    /** Two trainable blocks and a BatchNorm statistic in between: d = 6, trainable = 5. */
    private static final ParamLayout LAYOUT = layout(new String[] {"w", "bn.running_mean", "b"}, new int[] {3, 1, 2},
        new ParamKind[] {ParamKind.WEIGHT, ParamKind.BN_RUNNING_MEAN, ParamKind.BIAS});

    private static ParamLayout layout(String[] names, int[] lengths, ParamKind[] kinds) {
        ParamLayout.Builder b = ParamLayout.builder();
        for (int i = 0; i < names.length; i++) {
            b.add(names[i], lengths[i], kinds[i]);
        }
        return b.build();
    }
    private static final int[] TRAINABLE = {0, 1, 2, 4, 5};

    private static final float[] G = {0.5f, -0.25f, 0.1f, 9f, 0f, -1f};
    private static final float[][] BENIGN = {
        {1f, 2f, -1f, 0.3f, 0.5f, 0f},
        {2f, 1f, -2f, 0.4f, 0.0f, 1f},
        {3f, 3f, -3f, 0.5f, 1.0f, 2f},
        {2f, 2f, -1.5f, 0.2f, 0.5f, 1f},
    };
    private static final float[][] OWN = {
        {0.4f, 0.1f, 0.2f, 7f, 0.3f, 0.2f},
        {0.1f, 0.3f, -0.2f, 8f, -0.3f, 0.1f},
    };

    private static RoundView view() {
        return new RoundView(G.clone(), deepCopy(BENIGN), deepCopy(OWN), LAYOUT);
    }

    private static float[][] deepCopy(float[][] a) {
        float[][] c = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    private static double mean(int j) {
        double s = 0;
        for (float[] r : BENIGN) {
            s += r[j];
        }
        return s / BENIGN.length;
    }

    private static double std(int j) {
        double m = mean(j);
        double s = 0;
        for (float[] r : BENIGN) {
            s += (r[j] - m) * (r[j] - m);
        }
        return Math.sqrt(s / BENIGN.length);
    }

    private static double dist(float[] a, float[] b) {
        double s = 0;
        for (int j : TRAINABLE) {
            s += ((double) a[j] - b[j]) * ((double) a[j] - b[j]);
        }
        return Math.sqrt(s);
    }

    private static double norm(float[] a) {
        return dist(a, new float[a.length]);
    }

    /** Crafts, checks that the view was not written and that every row keeps its client's BatchNorm statistic. */
    private static float[][] craft(ModelPoisoningAttack attack, long seed) {
        RoundView v = view();
        float[][] rows = attack.craft(v, seed);
        for (int i = 0; i < BENIGN.length; i++) {
            assertArrayEquals(BENIGN[i], v.benign()[i], "honest row " + i + " not modified");
        }
        for (int i = 0; i < OWN.length; i++) {
            assertArrayEquals(OWN[i], v.own()[i], "own row " + i + " not modified");
        }
        assertArrayEquals(G, v.global());
        assertEquals(OWN.length, rows.length);
        for (int k = 0; k < rows.length; k++) {
            assertEquals(OWN[k][3], rows[k][3], "row " + k + " keeps its own BatchNorm statistic");
        }
        return rows;
    }

    @Test
    void alieSendsMeanMinusZTimesStd() {
        float[][] rows = craft(new AlieAttack(1.5), 1);
        for (float[] r : rows) {
            for (int j : TRAINABLE) {
                assertEquals(mean(j) - 1.5 * std(j), r[j], 1e-6, "coordinate " + j);
            }
        }
    }

    @Test
    void alieDerivesZFromNAndFAsThePaper() {
        // n = 6 clients (4 honest + 2 attackers), f = 2: s = floor(6/2 + 1) - 2 = 2, z = Phi^-1((6 - 2 - 2)/(6 - 2))
        double z = AlieAttack.zMax(6, 2);
        assertEquals(0.0, z, 1e-12, "Phi^-1(0.5) = 0");
        // n = 50, f = 12 (the paper's setting): s = 26 - 12 = 14, Phi^-1(24/38) = 0.3360
        assertEquals(0.33604, AlieAttack.zMax(50, 12), 1e-4);
        float[][] rows = craft(new AlieAttack(null), 1);
        for (int j : TRAINABLE) {
            assertEquals(mean(j), rows[0][j], 1e-6, "z = 0 sends the mean");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AlieAttack.zMax(6, 4));
        assertTrue(e.getMessage().contains("alie"), e.getMessage());
    }

    @Test
    void ipmSendsMinusEpsTimesTheMean() {
        float[][] rows = craft(new IpmAttack(0.5), 1);
        for (float[] r : rows) {
            for (int j : TRAINABLE) {
                assertEquals(-0.5 * mean(j), r[j], 1e-6);
            }
        }
    }

    @Test
    void badHyperparametersNameTheAttackAndTheParameter() {
        String[][] cases = {
            {msg(() -> new IpmAttack(0)), "ipm", "eps"},
            {msg(() -> new IpmAttack(-1)), "ipm", "eps"},
            {msg(() -> new AlieAttack(-0.1)), "alie", "z"},
            {msg(() -> new GaussianAttack(0, 0)), "gaussian", "noise-std"},
            {msg(() -> new MinMaxAttack(Perturbation.UNIT, 0)), "min-max", "gamma-init"},
            {msg(() -> new MinSumAttack(Perturbation.UNIT, -1)), "min-sum", "gamma-init"},
            {msg(() -> Perturbation.parse("diagonal", "min-max")), "min-max", "perturbation"},
            {msg(() -> new MimicAttack(-1)), "mimic", "mimic-client"},
            {msg(() -> LabelFlippingAttack.targeted(3, 3, 10)), "label-flipping", "flip-source"},
        };
        for (String[] c : cases) {
            assertTrue(c[0].contains("attack " + c[1]) && c[0].contains(c[2]), c[0]);
        }
    }

    private static String msg(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void minMaxKeepsItsLargestDistanceWithinTheHonestOnes() {
        for (Perturbation p : Perturbation.values()) {
            MinMaxAttack attack = new MinMaxAttack(p, 10);
            float[][] rows = craft(attack, 1);
            double bound = 0;
            for (float[] a : BENIGN) {
                for (float[] b : BENIGN) {
                    bound = Math.max(bound, dist(a, b));
                }
            }
            double worst = 0;
            for (float[] b : BENIGN) {
                worst = Math.max(worst, dist(rows[0], b));
            }
            double gamma = attack.gamma(view());
            assertTrue(gamma > 0, p + ": a positive gamma passes (the mean itself is inside the honest spread)");
            assertTrue(worst <= bound * (1 + 1e-6), p + ": max distance " + worst + " <= " + bound);
            // the search is tight: gamma + 1e-3 breaks the bound
            assertTrue(worstAt(gamma + 1e-3, p) > bound, p + ": slightly larger gamma leaves the honest spread");
            for (int j : TRAINABLE) {
                assertEquals(rows[0][j], rows[1][j], "every attacker sends the same row");
            }
        }
    }

    /** Min-Max's criterion at a given gamma, computed directly from the formula mean − γ·p. */
    private static double worstAt(double gamma, Perturbation p) {
        float[] row = new float[G.length];
        double pn = 0;
        for (int j : TRAINABLE) {
            pn += mean(j) * mean(j);
        }
        pn = Math.sqrt(pn);
        for (int j : TRAINABLE) {
            double dir = switch (p) {
                case UNIT -> mean(j) / pn;
                case SIGN -> Math.signum(mean(j));
                case STD -> std(j);
            };
            row[j] = (float) (mean(j) - gamma * dir);
        }
        double worst = 0;
        for (float[] b : BENIGN) {
            worst = Math.max(worst, dist(row, b));
        }
        return worst;
    }

    @Test
    void minSumKeepsItsSumOfSquaredDistancesWithinTheHonestOnes() {
        for (Perturbation p : Perturbation.values()) {
            MinSumAttack attack = new MinSumAttack(p, 10);
            float[][] rows = craft(attack, 1);
            double bound = 0;
            for (float[] a : BENIGN) {
                double s = 0;
                for (float[] b : BENIGN) {
                    s += dist(a, b) * dist(a, b);
                }
                bound = Math.max(bound, s);
            }
            double sum = 0;
            for (float[] b : BENIGN) {
                sum += dist(rows[0], b) * dist(rows[0], b);
            }
            assertTrue(attack.gamma(view()) > 0, p + ": positive gamma");
            assertTrue(sum <= bound * (1 + 1e-6), p + ": sum " + sum + " <= " + bound);
            assertTrue(sum >= bound * 0.999, p + ": the search pushes the sum up to the bound, found " + sum + " of "
                + bound);
        }
    }

    @Test
    void fangKrumSendsMinusLambdaTimesTheSignOfTheMeanAndKrumPicksIt() {
        // 7 honest updates with a small mean and a large spread (as local updates are), 3 attackers: m = 10,
        // m - 2c - 1 = 3
        SplittableRandom rng = new SplittableRandom(5);
        float[][] own = {OWN[0], OWN[1], OWN[0].clone()};
        float[][] benign = new float[7][6];
        for (float[] r : benign) {
            for (int j = 0; j < 6; j++) {
                r[j] = (float) ((j % 2 == 0 ? 0.3 : -0.3) + rng.nextGaussian());
            }
        }
        RoundView v = new RoundView(G, benign, own, LAYOUT);
        FangKrumAttack attack = new FangKrumAttack();
        float[][] rows = attack.craft(v, 3);
        double lambda = attack.lambda(v);
        assertTrue(lambda > FangKrumAttack.STOP_THRESHOLD, "Krum was fooled before the threshold, lambda " + lambda);
        for (float[] r : rows) {
            for (int j : TRAINABLE) {
                double s = 0;
                for (float[] b : benign) {
                    s += b[j];
                }
                for (float[] o : own) {
                    s += o[j];
                }
                assertEquals((float) (-lambda * Math.signum(s)), r[j], 1e-6, "coordinate " + j + ": -lambda sign(mean)");
            }
        }
        // Krum over the honest and the crafted updates selects a crafted one
        float[][] all = new float[10][];
        System.arraycopy(benign, 0, all, 0, 7);
        System.arraycopy(rows, 0, all, 7, 3);
        assertTrue(krum(all, 3) >= 7, "Krum selects a crafted update");
        // at twice the lambda found Krum is no longer fooled (the search stopped at the first, largest success)
        float[][] far = new float[10][];
        System.arraycopy(all, 0, far, 0, 10);
        for (int k = 7; k < 10; k++) {
            far[k] = rows[k - 7].clone();
            for (int j : TRAINABLE) {
                far[k][j] *= 2;
            }
        }
        if (2 * lambda <= attack.lambdaBound(v)) {
            assertTrue(krum(far, 3) < 7, "2 lambda is not selected (else the search would have stopped there)");
        }
        assertThrows(IllegalArgumentException.class, () -> attack.checkRound(5, 2, 3), "m - 2c - 1 = 0");
    }

    private static int krum(float[][] rows, int f) {
        int n = rows.length;
        int best = -1;
        double bestScore = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double[] d = new double[n - 1];
            int k = 0;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    d[k++] = dist(rows[i], rows[j]) * dist(rows[i], rows[j]);
                }
            }
            Arrays.sort(d);
            double s = 0;
            for (int q = 0; q < n - f - 2; q++) {
                s += d[q];
            }
            if (s < bestScore) {
                bestScore = s;
                best = i;
            }
        }
        return best;
    }

    @Test
    void fangTrimmedMeanPushesEveryCoordinateAgainstItsDirection() {
        FangTrimmedMeanAttack attack = new FangTrimmedMeanAttack();
        float[][] rows = craft(attack, 9);
        for (int j : TRAINABLE) {
            double dir = 0;
            for (float[] r : BENIGN) {
                dir += r[j];
            }
            for (float[] r : OWN) {
                dir += r[j];
            }
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (float[] r : BENIGN) {
                min = Math.min(min, G[j] + r[j]);
                max = Math.max(max, G[j] + r[j]);
            }
            for (float[] r : rows) {
                double w = G[j] + r[j];
                if (dir > 0) {
                    assertTrue(w <= min + 1e-6, "coordinate " + j + " moves down: " + w + " <= " + min);
                    assertTrue(w >= (min > 0 ? min / 2 : 2 * min) - 1e-6, "within b = 2");
                } else {
                    assertTrue(w >= max - 1e-6, "coordinate " + j + " moves up: " + w + " >= " + max);
                    assertTrue(w <= (max > 0 ? 2 * max : max / 2) + 1e-6, "within b = 2");
                }
            }
        }
        assertFalse(Arrays.equals(rows[0], rows[1]), "each attacker draws its own values");
    }

    @Test
    void mimicCopiesTheChosenHonestUpdate() {
        float[][] rows = craft(new MimicAttack(2), 1);
        for (int j : TRAINABLE) {
            assertEquals(BENIGN[2][j], rows[0][j]);
            assertEquals(BENIGN[2][j], rows[1][j]);
        }
        assertThrows(IllegalStateException.class, () -> new MimicAttack(4).craft(view(), 1));
    }

    @Test
    void gaussianIsDeterministicFromTheSeedAndHasTheRequestedMoments() {
        GaussianAttack attack = new GaussianAttack(0.5, 2);
        assertFalse(attack.omniscient());
        ParamLayout big = layout(new String[] {"w"}, new int[] {20000}, new ParamKind[] {ParamKind.WEIGHT});
        RoundView v = new RoundView(new float[20000], new float[0][], new float[][] {new float[20000],
            new float[20000]}, big);
        float[][] a = attack.craft(v, 42);
        float[][] b = attack.craft(v, 42);
        float[][] c = attack.craft(v, 43);
        assertArrayEquals(a[0], b[0]);
        assertArrayEquals(a[1], b[1]);
        assertFalse(Arrays.equals(a[0], c[0]));
        assertFalse(Arrays.equals(a[0], a[1]), "each attacker its own draw");
        double m = 0;
        double s = 0;
        for (float x : a[0]) {
            m += x;
        }
        m /= a[0].length;
        for (float x : a[0]) {
            s += (x - m) * (x - m);
        }
        s = Math.sqrt(s / a[0].length);
        assertEquals(0.5, m, 0.05);
        assertEquals(2.0, s, 0.05);
    }

    @Test
    void everyCraftIsDeterministicFromTheSeed() {
        ModelPoisoningAttack[] attacks = {new AlieAttack(null), new AlieAttack(1.0), new IpmAttack(0.1),
            new MinMaxAttack(Perturbation.STD, 10), new MinSumAttack(Perturbation.SIGN, 10),
            new FangTrimmedMeanAttack(), new MimicAttack(0), new GaussianAttack(0, 1)};
        for (ModelPoisoningAttack attack : attacks) {
            float[][] a = attack.craft(view(), 17);
            float[][] b = attack.craft(view(), 17);
            for (int k = 0; k < a.length; k++) {
                assertArrayEquals(a[k], b[k], attack.name());
            }
        }
    }

    @Test
    void normMatchedScalesTheBackdoorUpdateToTheHonestMedianNorm() {
        NormMatchedAttack attack = new NormMatchedAttack(new PixelPatternAttack(Trigger.preset("square", 1, 16, 16),
            0, 0.5));
        assertTrue(attack.trainsWithAttack());
        assertTrue(attack.omniscient());
        float[][] rows = craft(attack, 1);
        double[] norms = Arrays.stream(BENIGN).mapToDouble(ModelPoisoningAttackTest::norm).sorted().toArray();
        double median = (norms[1] + norms[2]) / 2;
        for (int k = 0; k < rows.length; k++) {
            assertEquals(median, norm(rows[k]), 1e-5, "row " + k);
            // same direction as the trained update
            double cos = 0;
            for (int j : TRAINABLE) {
                cos += (double) rows[k][j] * OWN[k][j];
            }
            assertEquals(1.0, cos / (norm(rows[k]) * norm(OWN[k])), 1e-6);
        }
        assertThrows(IllegalArgumentException.class, () -> new NormMatchedAttack(new SignFlippingAttack()));
    }

    @Test
    void signFlippingNegatesTheTrainableUpdate() {
        float[] delta = OWN[0].clone();
        new SignFlippingAttack().finishUpdate(delta, LAYOUT, null);
        for (int j : TRAINABLE) {
            assertEquals(-OWN[0][j], delta[j]);
        }
        assertEquals(OWN[0][3], delta[3], "BatchNorm statistic sent as measured");
        assertFalse(new SignFlippingAttack().targeted());
    }

    @Test
    void labelFlippingMapsLabelsAsItsMode() {
        LabelFlippingAttack t = LabelFlippingAttack.targeted(2, 7, 10);
        int[] map = t.labelMap();
        for (int y = 0; y < 10; y++) {
            assertEquals(y == 2 ? 7 : y, map[y]);
        }
        assertTrue(t.targeted());
        LabelFlippingAttack all = LabelFlippingAttack.allToAll(10);
        assertFalse(all.targeted());
        for (int y = 0; y < 10; y++) {
            assertEquals(9 - y, all.labelMap()[y]);
        }
        TrainTest data = SyntheticDataset.trainTest(60, 40, 4, 1, 16, 16, 3);
        assertEquals(data.test().classHistogram()[1], LabelFlippingAttack.targeted(1, 3, 4).asrSet(data.test()).size());
        assertEquals(null, all.asrSet(data.test()));
        // the batches carry the flipped labels, every eligible sample
        Poisoning p = LabelFlippingAttack.allToAll(4).poisoning(0);
        org.badfl.data.BatchSampler clean = new org.badfl.data.BatchSampler(data.train(), range(60), 8, 5);
        org.badfl.data.BatchSampler flipped = new org.badfl.data.BatchSampler(data.train(), range(60), 8, p, 5);
        clean.startEpoch(0);
        flipped.startEpoch(0);
        org.badfl.data.Batch a = clean.newBatch();
        org.badfl.data.Batch b = flipped.newBatch();
        int batches = 0;
        while (clean.next(a, false)) {
            assertTrue(flipped.next(b, false));
            for (int s = 0; s < a.size(); s++) {
                assertEquals(3 - a.y()[s], b.y()[s]);
            }
            batches++;
        }
        assertNotEquals(0, batches);
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
