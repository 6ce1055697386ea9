package org.badfl.clients;

import org.badfl.gpu.check.TrainingChecks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.badfl.data.Batch;
import org.badfl.data.BatchSampler;
import org.badfl.data.Dataset;
import org.badfl.data.SyntheticDataset;
import org.badfl.engine.Compute;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Models;
import org.badfl.engine.Shape;
import org.badfl.gpu.check.Compare;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.DeviceRows;
import org.badfl.gpu.EmulatedDevice;
import org.badfl.gpu.GpuAggregation;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundUpdates;
import org.badfl.server.ServerContext;
import org.badfl.server.defenses.FedAvg;
import org.badfl.util.Seeds;
import org.junit.jupiter.api.Test;

/**
 * One federated round end to end on the CPU emulation against the CPU path: every client trains locally from G on
 * the device ({@link GpuTrainer}, its Δ left in a row of the round's device matrix), FedAvg aggregates on the device
 * ({@link GpuAggregation#accumulate}); the CPU path is the engine ({@link GpuTrainer#trainOnCpu}) and the
 * {@link FedAvg} defense. Tolerance: as {@link TrainingChecks}' whole-model checks ({@value TrainingChecks#MODEL_TOL}
 * of each tensor's largest value), since a client's Δ is its parameters after a few SGD steps minus G.
 */
class GpuTrainerTest {

    private static final int CLIENTS = 3;
    private static final long SEED = 41;

    @Test
    void oneFederatedRoundOnTheEmulationEqualsTheCpuPath() {
        // paper CNN (conv, pool, dropout) on odd 1x9x11 images, 4 classes; clients of 7, 5, 9 samples, batches of 4
        ModelSpec spec = Models.paperCnn("cnn-paper", new Shape(1, 9, 11), 4, 3, 4, 8);
        Dataset data = SyntheticDataset.create(21, 4, 1, 9, 11, SEED);
        int[][] clients = {range(0, 7), range(7, 12), range(12, 21)};
        float[] global = spec.create(SEED).params();
        int d = global.length;
        double lr = 0.05;
        double momentum = 0.9;
        double wd = 5e-4;

        RoundUpdates cpuUpdates = new RoundUpdates(spec.layout(), CLIENTS);
        float[][] cpuDeltas = new float[CLIENTS][];
        for (int i = 0; i < CLIENTS; i++) {
            BatchSampler sampler = sampler(data, clients[i], i);
            cpuDeltas[i] = GpuTrainer.trainOnCpu(spec, global, b -> sampler.next(b, false), sampler.newBatch(),
                dropoutSeed(i), lr, momentum, wd);
            cpuUpdates.set(i, i, clients[i].length, cpuDeltas[i]);
        }
        float[] cpuNext = new FedAvg().aggregate(new RoundInput(global, spec.layout(), cpuUpdates, 1, 1, SEED,
            ServerContext.of(Compute.serial()))).global();

        try (EmulatedDevice dev = new EmulatedDevice(2); GpuTrainer trainer = new GpuTrainer(dev, spec, lr, momentum, wd);
             DeviceBuffer rows = dev.allocFloats((long) CLIENTS * d); DeviceBuffer next = dev.upload(global)) {
            trainer.setGlobal(global);
            double[] weights = new double[CLIENTS];
            for (int i = 0; i < CLIENTS; i++) {
                BatchSampler sampler = sampler(data, clients[i], i);
                Batch buffer = sampler.newBatch();
                GpuTrainer.Result r = trainer.train(b -> sampler.next(b, false), buffer, dropoutSeed(i),
                    rows.sliceFloats((long) i * d, d));
                assertEquals((clients[i].length + 3) / 4, r.steps());
                assertEquals(clients[i].length, r.samples());
                assertTrue(Double.isFinite(r.meanLoss()));
                weights[i] = cpuUpdates.sampleWeights()[i];
            }
            for (int i = 0; i < CLIENTS; i++) {
                float[] delta = dev.downloadFloats(rows.sliceFloats((long) i * d, d), d);
                Compare.close("client " + i + " update", cpuDeltas[i], delta,
                    TrainingChecks.MODEL_TOL * TrainingChecks.maxAbs(cpuDeltas[i]), TrainingChecks.MODEL_EPS);
            }
            new GpuAggregation(dev).accumulate(DeviceRows.of(rows, CLIENTS, d), weights, next);
            float[] gpuNext = dev.downloadFloats(next, d);
            float[] change = new float[d];
            float[] gpuChange = new float[d];
            for (int c = 0; c < d; c++) {
                change[c] = cpuNext[c] - global[c];
                gpuChange[c] = gpuNext[c] - global[c];
            }
            // compared as changes of G: the global model itself is far larger than one round's step
            Compare.close("FedAvg round: G' - G", change, gpuChange,
                TrainingChecks.MODEL_TOL * TrainingChecks.maxAbs(change) + Math.ulp(1f) * TrainingChecks.maxAbs(global),
                TrainingChecks.MODEL_EPS);
        }
    }

    /**
     * The simulator's honest client loop (its LocalTrainer: dropout stream derive(seed, "dropout"), batches from
     * derive(seed, "batches"), E epochs, normalised images, fresh optimiser) written out on the CPU engine, against
     * {@link GpuTrainer#trainClient} on the emulation.
     */
    @Test
    void trainClientFollowsTheSimulatorsLocalTrainingLoop() {
        ModelSpec spec = Models.smallCnn("cnn-small", new Shape(1, 16, 16), 3, 3, 4, 6);
        Dataset data = SyntheticDataset.create(13, 3, 1, 16, 16, SEED);
        int[] indices = {12, 0, 5, 7, 3, 9, 1};
        long seed = Seeds.derive(SEED, "client", 2, 4);
        int epochs = 2;
        int batchSize = 3;
        float[] global = spec.create(SEED).params();

        org.badfl.engine.Network net = spec.withParams(global);
        net.setDropoutStream(Seeds.derive(seed, "dropout"), 0);
        org.badfl.engine.Sgd sgd = new org.badfl.engine.Sgd(0.1, 0.5, 1e-3);
        BatchSampler sampler = new BatchSampler(data, indices, batchSize, Seeds.derive(seed, "batches"));
        Batch batch = sampler.newBatch();
        double lastLoss = Double.NaN;
        for (int e = 0; e < epochs; e++) {
            sampler.startEpoch(e);
            while (sampler.next(batch, true)) {
                int n = batch.size();
                lastLoss = net.lossAndGradients(java.util.Arrays.copyOf(batch.x(), n * batch.imageSize()),
                    java.util.Arrays.copyOf(batch.y(), n), n);
                sgd.step(net);
            }
        }
        float[] cpuDelta = new float[global.length];
        for (int i = 0; i < global.length; i++) {
            cpuDelta[i] = net.params()[i] - global[i];
        }
        try (EmulatedDevice dev = new EmulatedDevice(2); GpuTrainer trainer = new GpuTrainer(dev, spec, 0.1, 0.5, 1e-3);
             DeviceBuffer delta = dev.allocFloats(global.length)) {
            trainer.setGlobal(global);
            GpuTrainer.Result r = trainer.trainClient(data, indices, seed, epochs, batchSize, true, delta);
            assertEquals(epochs * 3, r.steps()); // 7 samples in batches of 3: 3 per epoch
            assertEquals(epochs * indices.length, r.samples());
            assertEquals(lastLoss, r.lastLoss(), TrainingChecks.LOSS_TOL * lastLoss);
            Compare.close("client update", cpuDelta, dev.downloadFloats(delta, global.length),
                TrainingChecks.MODEL_TOL * TrainingChecks.maxAbs(cpuDelta), TrainingChecks.MODEL_EPS);
        }
    }

    @Test
    void trainingNeedsAGlobalModelAndFittingBuffers() {
        ModelSpec spec = Models.smallCnn("s", new Shape(1, 16, 16), 3, 2, 2, 4);
        Dataset data = SyntheticDataset.create(4, 3, 1, 16, 16, SEED);
        try (EmulatedDevice dev = new EmulatedDevice(1); GpuTrainer trainer = new GpuTrainer(dev, spec, 0.1, 0, 0);
             DeviceBuffer small = dev.allocFloats(3); DeviceBuffer delta = dev.allocFloats(spec.layout().size())) {
            BatchSampler sampler = sampler(data, range(0, 4), 0);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> trainer.train(b -> sampler.next(b, false), sampler.newBatch(), 1, delta));
            assertTrue(e.getMessage().contains("setGlobal"), e.getMessage());
            trainer.setGlobal(spec.create(1).params());
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> trainer.train(b -> sampler.next(b, false), sampler.newBatch(), 1, small));
            assertTrue(bad.getMessage().contains("delta output"), bad.getMessage());
            assertThrows(IllegalArgumentException.class, () -> trainer.setGlobal(new float[2]));
            // no batch at all: Δ = 0 exactly
            float[] none = trainer.trainToHost(b -> false, sampler.newBatch(), 1);
            for (float v : none) {
                assertEquals(0f, v);
            }
        }
    }

    private static BatchSampler sampler(Dataset data, int[] indices, int client) {
        BatchSampler s = new BatchSampler(data, indices, 4, Seeds.derive(SEED, "client", client));
        s.startEpoch(0);
        return s;
    }

    private static long dropoutSeed(int client) {
        return Seeds.derive(SEED, "dropout", client);
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
