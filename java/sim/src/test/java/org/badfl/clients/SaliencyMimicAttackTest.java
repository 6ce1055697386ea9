package org.badfl.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.badfl.data.Dataset;
import org.badfl.data.SyntheticDataset;
import org.badfl.data.TrainTest;
import org.badfl.data.Trigger;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Models;
import org.badfl.engine.Network;
import org.badfl.server.badfl.SaliencyMap;
import org.junit.jupiter.api.Test;

/** The saliency term brings the local model's guided-backprop maps (BADFL's own reduction) closer to G's. */
class SaliencyMimicAttackTest {

    private static final TrainTest DATA = SyntheticDataset.trainTest(160, 40, 4, 1, 16, 16, 3);
    private static final ModelSpec SPEC = Models.spec("cnn-small", 1, 16, 16, 4);
    private static final int[] SHARD = TrainingTimeAttacksTest.range(0, 60);
    private static final TrainingSettings SETTINGS = new TrainingSettings(2, 8, 0.05, 0.5, 0.0, true);
    private static final int CLASSES = 4;
    private static final Trigger SQUARE = Trigger.preset("square", 1, 16, 16);

    /** Mean over the test images and classes of Σ_p (M_W − M_G)², M as BADFL computes it (SaliencyMap). */
    static double saliencyDistance(float[] w, float[] g, Dataset images) {
        int n = images.size();
        int size = images.channels() * images.height() * images.width();
        int plane = images.height() * images.width();
        float[] x = images.allImages(true);
        Network a = SPEC.build();
        a.setParams(w);
        Network b = SPEC.build();
        b.setParams(g);
        float[] ma = new float[plane];
        float[] mb = new float[plane];
        double sum = 0;
        for (int c = 0; c < CLASSES; c++) {
            float[] sa = a.saliency(x, n, c, true);
            float[] sb = b.saliency(x, n, c, true);
            for (int i = 0; i < n; i++) {
                SaliencyMap.reduce(sa, i * size, images.channels(), images.height(), images.width(), ma);
                SaliencyMap.reduce(sb, i * size, images.channels(), images.height(), images.width(), mb);
                for (int p = 0; p < plane; p++) {
                    double d = ma[p] - mb[p];
                    sum += d * d;
                }
            }
        }
        return sum / (n * CLASSES);
    }

    private static float[] trained(double lambda) {
        float[] g = SPEC.create(7).params().clone();
        SaliencyMimicAttack attack = new SaliencyMimicAttack(SQUARE, 0, 0.5, lambda, ClientAttack.Scaling.NONE, null,
            null);
        float[] d = new LocalTrainer(SETTINGS).train(SPEC.build(), g, DATA.train(), 1, SHARD, 5, attack, 0, null)
            .delta();
        float[] w = g.clone();
        for (int i = 0; i < w.length; i++) {
            w[i] += d[i];
        }
        return w;
    }

    @Test
    void theTermLowersTheSaliencyDistanceToTheGlobalModel() {
        // measured on held-out images (the server's inspection images are not the attacker's) with BADFL's own map
        float[] g = SPEC.create(7).params().clone();
        float[] plain = trained(0);
        float[] mimic = trained(SaliencyMimicAttack.DEFAULT_LAMBDA);
        double without = saliencyDistance(plain, g, DATA.test());
        double with = saliencyDistance(mimic, g, DATA.test());
        assertTrue(with < 0.6 * without, "saliency distance with the term " + with + ", without " + without);
        double stronger = saliencyDistance(trained(10 * SaliencyMimicAttack.DEFAULT_LAMBDA), g, DATA.test());
        assertTrue(stronger < with, "a larger lambda pulls closer: " + stronger + " vs " + with);
        assertTrue(TrainingTimeAttacksTest.norm(sub(mimic, g), SPEC.layout()) > 0.2
            * TrainingTimeAttacksTest.norm(sub(plain, g), SPEC.layout()), "the model still trains");
    }

    @Test
    void lambdaZeroIsPixelPatternPoisoningAndRunsAreDeterministic() {
        float[] g = SPEC.create(7).params().clone();
        float[] pixel = new LocalTrainer(SETTINGS).train(SPEC.build(), g, DATA.train(), 1, SHARD, 5,
            new PixelPatternAttack(SQUARE, 0, 0.5), 0, null).delta();
        assertArrayEquals(sub(trained(0), g), pixel);
        assertArrayEquals(trained(0.05), trained(0.05));
        assertThrows(IllegalArgumentException.class, () -> new SaliencyMimicAttack(SQUARE, 0, 0.5, -1,
            ClientAttack.Scaling.NONE, null, null));
    }

    private static float[] sub(float[] a, float[] b) {
        float[] d = new float[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }
}
