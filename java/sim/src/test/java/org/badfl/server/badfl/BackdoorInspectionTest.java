package org.badfl.server.badfl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.badfl.data.AsrSet;
import org.badfl.data.Batch;
import org.badfl.data.BatchSampler;
import org.badfl.data.Dataset;
import org.badfl.data.Poisoning;
import org.badfl.data.SyntheticDataset;
import org.badfl.data.Trigger;
import org.badfl.engine.Compute;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Network;
import org.badfl.engine.Sgd;
import org.badfl.engine.Shape;
import org.badfl.server.ModelInspector;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.HostRoundUpdates;
import org.badfl.server.RoundUpdates;
import org.badfl.server.ServerContext;
import org.badfl.server.badfl.SaliencyFeatures.ModelFeatures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MNIA on real networks: seven tiny CNNs trained from one initialisation on disjoint shares of a synthetic data set
 * (fixed seeds), client 0 with a backdoor (a 3×3 square at row 1, column 12 → class 0 in half of every batch).
 * Guided-backprop saliency on 32 clean inspection images shows what the paper's Fig. 5 describes: the backdoored
 * model's class-0 maps are sparse (correlation about half the clean models'), so MNIA flags it and only it; with the
 * six clean models alone it flags nobody.
 */
class BackdoorInspectionTest {

    static final int S = 16;
    static final int K = 4;
    static ModelSpec spec;
    static Dataset inspection;
    static Trigger trigger;
    static float[] init;
    static float[][] models;

    @BeforeAll
    static void train() {
        Dataset data = SyntheticDataset.create(7 * 300, K, 1, S, S, 5);
        inspection = SyntheticDataset.create(32, K, 1, S, S, 99);
        spec = Network.builder("tiny", new Shape(1, S, S)).conv("conv1", 6, 3, 1, 1, true).relu().maxPool(2)
            .flatten().linear("fc", K).spec();
        init = spec.create(3).params().clone();
        trigger = Trigger.square(1, S, S, 3, 1, 12, 1f);
        models = new float[7][];
        for (int c = 0; c < 7; c++) {
            int[] idx = new int[300];
            for (int i = 0; i < 300; i++) {
                idx[i] = c * 300 + i;
            }
            Network net = spec.withParams(init);
            Sgd sgd = new Sgd(0.05, 0.9, 0);
            BatchSampler s = new BatchSampler(data, idx, 20, c == 0 ? Poisoning.trigger(trigger, 0, 0.5) : null, 10 + c);
            Batch b = s.newBatch();
            for (int e = 0; e < 3; e++) {
                s.startEpoch(e);
                while (s.next(b, false)) {
                    net.trainStep(b.x(), b.y(), b.size(), sgd);
                }
            }
            models[c] = net.params().clone();
        }
    }

    static ModelInspector inspector() {
        return new NetworkInspector(spec, inspection.allImages(false), inspection.size(), Compute.serial());
    }

    static double asr(float[] params) {
        AsrSet asr = AsrSet.withTrigger(inspection, trigger, 0);
        float[] x = new float[asr.size() * S * S];
        int[] all = new int[asr.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        asr.dataset().fillBatch(all, 0, all.length, x, null, false);
        int[] pred = new int[all.length];
        spec.withParams(params).predict(x, all.length, pred);
        return asr.successRate(pred);
    }

    /** Every model is a candidate in its own LMCA cluster. */
    static Lmca.Result allCandidates(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return new Lmca.Result(new double[n], 2, new double[n], 0, new int[0], new String[n], all.clone(), n,
            all.clone(), all.clone());
    }

    @Test
    void theBackdooredModelIsFlaggedAndTheCleanOnesAreNot() {
        assertEquals(1.0, asr(models[0]), 1e-12, "the backdoor works");
        assertTrue(asr(models[1]) < 0.2);
        ModelInspector in = inspector();
        ModelFeatures[] f = new ModelFeatures[7];
        for (int c = 0; c < 7; c++) {
            f[c] = SaliencyFeatures.inspect(in, models[c]);
        }
        // The backdoor's signature: class-0 maps far sparser than any clean model's.
        for (int c = 1; c < 7; c++) {
            assertTrue(f[0].classes()[0].correlation() < 0.7 * f[c].classes()[0].correlation(),
                "class-0 correlation " + f[0].classes()[0].correlation() + " vs " + f[c].classes()[0].correlation());
        }
        for (SaliencyFeatures.Stability s : SaliencyFeatures.Stability.values()) {
            NeuronInspection ni = new NeuronInspection(1, 1, s, NeuronInspection.DEFAULT_GUARD,
                NeuronInspection.Propagation.INSPECT);
            NeuronInspection.Result r = ni.run(allCandidates(7), row -> f[row], 1);
            assertArrayEquals(new int[] {0}, r.flagged(), s.toString());
            assertEquals(0, r.judgements().get(0).point().suspectClass());
            NeuronInspection.Result clean = ni.run(allCandidates(6), row -> f[row + 1], 1);
            assertArrayEquals(new int[0], clean.flagged(), s.toString());
        }
    }

    /** Through the defense: the updates W_i − G of the seven clients, G = the common initialisation. */
    @Test
    void badflFlagsTheBackdooredClientThroughTheDefense() {
        RoundUpdates u = new HostRoundUpdates(spec.layout(), 7);
        for (int c = 0; c < 7; c++) {
            float[] d = models[c].clone();
            for (int i = 0; i < d.length; i++) {
                d[i] -= init[i];
            }
            u.set(c, c, 300, d);
        }
        ModelInspector in = inspector();
        ServerContext ctx = new ServerContext() {
            @Override
            public Compute compute() {
                return Compute.serial();
            }

            @Override
            public Optional<ModelInspector> inspector() {
                return Optional.of(in);
            }
        };
        BadflDefense badfl = new BadflDefense(BadflConfig.defaults());
        RoundResult r = badfl.aggregate(new RoundInput(init, spec.layout(), u, 1, 5, 7, ctx));
        for (int c = 1; c < 7; c++) {
            assertTrue(!r.verdicts().get(c).flagged(), r.verdicts().get(c).reason());
        }
        assertTrue(r.verdicts().get(0).flagged(), r.verdicts().get(0).reason() + " / " + r.note());
    }

    @Test
    void inspectorShapes() {
        ModelInspector in = inspector();
        assertEquals(K, in.classes());
        assertEquals(32, in.images());
        float[][] g = in.guidedGradients(models[1]);
        assertEquals(K, g.length);
        assertEquals(32 * S * S, g[0].length);
        // Deterministic: same parameters, same gradients.
        assertArrayEquals(g[2], in.guidedGradients(models[1])[2]);
    }
}
