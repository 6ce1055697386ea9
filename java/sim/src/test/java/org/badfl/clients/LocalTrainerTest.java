package org.badfl.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.badfl.data.Dataset;
import org.badfl.data.EdgeCaseSet;
import org.badfl.data.SyntheticDataset;
import org.badfl.data.TrainTest;
import org.badfl.data.Trigger;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Models;
import org.badfl.engine.Network;
import org.badfl.engine.ParamLayout;
import org.junit.jupiter.api.Test;

class LocalTrainerTest {

    private static final TrainTest DATA = SyntheticDataset.trainTest(120, 40, 4, 1, 16, 16, 3);
    private static final ModelSpec SPEC = Models.spec("cnn-small", 1, 16, 16, 4);
    private static final int[] SHARD = range(0, 37);
    private static final TrainingSettings SETTINGS = new TrainingSettings(2, 8, 0.05, 0.5, 0.0, true);
    private static final Trigger SQUARE = Trigger.preset("square", 1, 16, 16);

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    private static float[] global() {
        return SPEC.create(7).params().clone();
    }

    private static double norm(float[] v, ParamLayout layout) {
        double s = 0;
        int[] r = layout.trainableRanges();
        for (int k = 0; k < r.length; k += 2) {
            for (int i = r[k]; i < r[k + 1]; i++) {
                s += (double) v[i] * v[i];
            }
        }
        return Math.sqrt(s);
    }

    @Test
    void returnsWMinusGAndTheSampleCountAndLeavesGAlone() {
        float[] g = global();
        float[] copy = g.clone();
        Network net = SPEC.build();
        ClientUpdate u = new LocalTrainer(SETTINGS).train(net, g, DATA.train(), 3, SHARD, 11);
        assertArrayEquals(copy, g, "G not modified");
        assertEquals(37, u.samples());
        assertEquals(3, u.clientId());
        assertFalse(u.attacked());
        float[] w = net.params();
        for (int i = 0; i < g.length; i++) {
            assertEquals(w[i] - g[i], u.delta()[i], 0f, "index " + i);
        }
        assertTrue(norm(u.delta(), SPEC.layout()) > 0);
    }

    @Test
    void updateIsAPureFunctionOfTheSeedNotOfTheWorkspace() {
        float[] g = global();
        LocalTrainer trainer = new LocalTrainer(SETTINGS);
        Network reused = SPEC.build();
        trainer.train(reused, g, DATA.train(), 0, range(50, 90), 99); // leaves other params, larger workspaces
        ClientUpdate a = trainer.train(reused, g, DATA.train(), 1, SHARD, 5);
        ClientUpdate b = trainer.train(SPEC.build(), g, DATA.train(), 1, SHARD, 5);
        assertArrayEquals(a.delta(), b.delta());
        ClientUpdate c = trainer.train(SPEC.build(), g, DATA.train(), 1, SHARD, 6);
        assertFalse(Arrays.equals(a.delta(), c.delta()), "another seed, another batch order");
    }

    @Test
    void constrainAndScaleWithAlphaOneIsPoisonTrainingScaledByGamma() {
        float[] g = global();
        LocalTrainer trainer = new LocalTrainer(SETTINGS);
        PixelPatternAttack pixel = new PixelPatternAttack(SQUARE, 0, 0.5);
        ConstrainAndScaleAttack cs = new ConstrainAndScaleAttack(SQUARE, 0, 0.5, 1.0, ClientAttack.Scaling.AUTO,
            null, null);
        RoundShare share = new RoundShare(8, 2, 300, 70); // gamma = n / attackers = 4 (exact in float)
        float[] p = trainer.train(SPEC.build(), g, DATA.train(), 1, SHARD, 5, pixel, 0, share).delta();
        ClientUpdate s = trainer.train(SPEC.build(), g, DATA.train(), 1, SHARD, 5, cs, 0, share);
        assertTrue(s.attacked());
        for (int i = 0; i < p.length; i++) {
            assertEquals(4f * p[i], s.delta()[i], 0f, "index " + i);
        }
        float[] honest = trainer.train(SPEC.build(), g, DATA.train(), 1, SHARD, 5).delta();
        assertFalse(Arrays.equals(honest, p), "the poisoned batches change the update");
    }

    @Test
    void anomalyTermAloneKeepsTheModelAtG() {
        // alpha = 0: the loss is ||W - G|| only, whose (sub)gradient at W = G is 0, so W never moves
        float[] g = global();
        ConstrainAndScaleAttack cs = new ConstrainAndScaleAttack(SQUARE, 0, 0.5, 0.0, ClientAttack.Scaling.NONE,
            null, null);
        float[] d = new LocalTrainer(SETTINGS).train(SPEC.build(), g, DATA.train(), 1, SHARD, 5, cs, 0, null).delta();
        assertEquals(0.0, norm(d, SPEC.layout()));
        // alpha = 0.5 pulls toward G: a smaller update than plain poison training
        ConstrainAndScaleAttack half = new ConstrainAndScaleAttack(SQUARE, 0, 0.5, 0.5, ClientAttack.Scaling.NONE,
            null, null);
        float[] h = new LocalTrainer(SETTINGS).train(SPEC.build(), g, DATA.train(), 1, SHARD, 5, half, 0, null).delta();
        float[] p = new LocalTrainer(SETTINGS).train(SPEC.build(), g, DATA.train(), 1, SHARD, 5,
            new PixelPatternAttack(SQUARE, 0, 0.5), 0, null).delta();
        assertTrue(norm(h, SPEC.layout()) < norm(p, SPEC.layout()));
    }

    @Test
    void edgeCasePgdKeepsTheUpdateInsideTheBallAndReplacementScalesBySampleShare() {
        Dataset train = DATA.train();
        EdgeCaseSet edges = new EdgeCaseSet(train, DATA.test(), 2, 1, 0.3, 0.3);
        float[] g = global();
        double eps = 0.05;
        EdgeCaseAttack pgd = new EdgeCaseAttack(edges, 0.5, eps, ClientAttack.Scaling.NONE, null, null);
        float[] d = new LocalTrainer(SETTINGS).train(SPEC.build(), g, train, 1, SHARD, 5, pgd, 0, null).delta();
        double n = norm(d, SPEC.layout());
        // float rounding of G + f(W - G) may leave the norm a hair above eps; 1e-5 relative is far below any step
        assertTrue(n <= eps * (1 + 1e-5) && n > eps * 0.5, "norm " + n);

        EdgeCaseAttack replace = new EdgeCaseAttack(edges, 0.5, eps, ClientAttack.Scaling.AUTO, null, null);
        RoundShare share = new RoundShare(6, 2, 400, 100); // factor 400/100 = 4
        float[] r = new LocalTrainer(SETTINGS).train(SPEC.build(), g, train, 1, SHARD, 5, replace, 0, share).delta();
        for (int i = 0; i < d.length; i++) {
            assertEquals(4f * d[i], r[i], 0f);
        }
        assertNotEquals(0, edges.attackerSamples().size());
    }

    @Test
    void poisonEpochsAndLearningRateApplyInAttackRoundsOnly() {
        PixelPatternAttack a = new PixelPatternAttack(SQUARE, 0, 0.5, ClientAttack.Scaling.NONE, 5, 0.01);
        TrainingSettings s = a.settings(SETTINGS);
        assertEquals(5, s.epochs());
        assertEquals(0.01, s.lr());
        assertEquals(SETTINGS.batchSize(), s.batchSize());
        assertEquals(SETTINGS, new PixelPatternAttack(SQUARE, 0, 0.5).settings(SETTINGS));
    }
}
