package org.badfl.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.badfl.data.SyntheticDataset;
import org.badfl.data.TrainTest;
import org.badfl.data.Trigger;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Models;
import org.badfl.engine.ParamLayout;
import org.junit.jupiter.api.Test;

/** Neurotoxin and alter-min on the local trainer (synthetic data, cnn-small). */
class TrainingTimeAttacksTest {

    private static final TrainTest DATA = SyntheticDataset.trainTest(120, 40, 4, 1, 16, 16, 3);
    private static final ModelSpec SPEC = Models.spec("cnn-small", 1, 16, 16, 4);
    private static final int[] SHARD = range(0, 37);
    private static final TrainingSettings SETTINGS = new TrainingSettings(2, 8, 0.05, 0.5, 0.0, true);
    private static final Trigger SQUARE = Trigger.preset("square", 1, 16, 16);
    private static final LocalTrainer TRAINER = new LocalTrainer(SETTINGS);

    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    static float[] global() {
        return SPEC.create(7).params().clone();
    }

    static double norm(float[] v, ParamLayout layout) {
        double s = 0;
        int[] r = layout.trainableRanges();
        for (int k = 0; k < r.length; k += 2) {
            for (int i = r[k]; i < r[k + 1]; i++) {
                s += (double) v[i] * v[i];
            }
        }
        return Math.sqrt(s);
    }

    static int trainable(ParamLayout layout) {
        int n = 0;
        int[] r = layout.trainableRanges();
        for (int k = 0; k < r.length; k += 2) {
            n += r[k + 1] - r[k];
        }
        return n;
    }

    private static float[] train(ClientAttack attack, RoundShare share) {
        return TRAINER.train(SPEC.build(), global(), DATA.train(), 1, SHARD, 5, attack, 0, share).delta();
    }

    private static NeurotoxinAttack neurotoxin(double maskRatio, double eps) {
        return new NeurotoxinAttack(SQUARE, 0, 0.5, maskRatio, eps, ClientAttack.Scaling.NONE, null, null);
    }

    @Test
    void neurotoxinWithoutMaskIsPixelPatternPoisoning() {
        float[] plain = train(new PixelPatternAttack(SQUARE, 0, 0.5), null);
        assertArrayEquals(plain, train(neurotoxin(0.0, 0.0), null), "mask ratio 0 masks nothing");
    }

    @Test
    void neurotoxinLeavesTheLargestBenignCoordinatesUntouched() {
        float[] g = global();
        NeurotoxinAttack attack = neurotoxin(0.3, 0.0);
        LocalRun run = new LocalRun(SPEC.build(), g, DATA.train(), SHARD, ClientSeeds.of(5), SETTINGS, null, null);
        run.net().setParams(g);
        boolean[] masked = attack.maskedCoordinates(run);
        int count = 0;
        for (boolean m : masked) {
            count += m ? 1 : 0;
        }
        ParamLayout layout = SPEC.layout();
        assertEquals((int) Math.ceil(0.3 * trainable(layout)), count);

        float[] d = train(attack, null);
        float[] honest = TRAINER.train(SPEC.build(), g, DATA.train(), 1, SHARD, 5).delta();
        double honestMasked = 0;
        double honestKept = 0;
        int kept = 0;
        for (int i = 0; i < d.length; i++) {
            if (masked[i]) {
                assertEquals(0f, d[i], "masked coordinate " + i + " must not move (no weight decay)");
                honestMasked += Math.abs(honest[i]);
            } else {
                honestKept += Math.abs(honest[i]);
                kept++;
            }
        }
        assertTrue(norm(d, layout) > 0, "the unmasked coordinates carry the backdoor");
        // the masked coordinates are those benign training moves most
        double meanMasked = honestMasked / count;
        double meanKept = honestKept / kept;
        assertTrue(meanMasked > 2 * meanKept, "benign |delta| on masked " + meanMasked + " vs kept " + meanKept);
    }

    @Test
    void neurotoxinPgdBoundsTheUpdate() {
        double n = norm(train(neurotoxin(0.1, 0.02), null), SPEC.layout());
        assertTrue(n <= 0.02 * (1 + 1e-5) && n > 0.01, "norm " + n);
        assertThrows(IllegalArgumentException.class, () -> neurotoxin(1.0, 0));
    }

    private static AlterMinAttack alterMin(Double boost, double rho) {
        return new AlterMinAttack(SQUARE, 0, 0.5, boost, rho, ClientAttack.Scaling.NONE, null, null);
    }

    @Test
    void alterMinBoostsTheMaliciousStepAndTheStealthTermPullsTowardG() {
        ParamLayout layout = SPEC.layout();
        double plain = norm(train(alterMin(1.0, 0), null), layout);
        double boosted = norm(train(alterMin(4.0, 0), null), layout);
        double stealthy = norm(train(alterMin(4.0, 5.0), null), layout);
        assertTrue(boosted > 1.5 * plain, "boosted " + boosted + " vs " + plain);
        assertTrue(stealthy < boosted, "stealth " + stealthy + " vs " + boosted);
        // auto boost: clients in round / attackers in round = 8 / 2 = 4
        assertArrayEquals(train(alterMin(4.0, 1e-4), null), train(alterMin(null, 1e-4), new RoundShare(8, 2, 300, 70)));
        assertThrows(IllegalArgumentException.class, () -> train(alterMin(null, 1e-4), null));
        assertFalse(Arrays.equals(train(alterMin(1.0, 0), null), train(new PixelPatternAttack(SQUARE, 0, 0.5), null)),
            "alternating clean passes change the update");
    }

    @Test
    void alterMinIsDeterministic() {
        assertArrayEquals(train(alterMin(3.0, 1e-3), null), train(alterMin(3.0, 1e-3), null));
        assertThrows(IllegalArgumentException.class, () -> alterMin(0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> alterMin(2.0, -1));
    }
}
