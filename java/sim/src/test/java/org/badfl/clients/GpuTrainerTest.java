package org.badfl.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.badfl.data.Batch;
import org.badfl.data.BatchSampler;
import org.badfl.data.Dataset;
import org.badfl.data.SyntheticDataset;
import org.badfl.engine.Compute;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Models;
import org.badfl.engine.Network;
import org.badfl.engine.Shape;
import org.badfl.gpu.DeviceAggregationKernels;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.DeviceRoundUpdates;
import org.badfl.gpu.EmulatedDevice;
import org.badfl.gpu.check.Compare;
import org.badfl.gpu.check.TrainingChecks;
import org.badfl.server.HostRoundUpdates;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundUpdates;
import org.badfl.server.ServerContext;
import org.badfl.server.defenses.FedAvg;
import org.badfl.util.Seeds;
import org.junit.jupiter.api.Test;

/**
 * The training seam on the CPU emulation against the CPU engine: a federated round through {@link ClientTrainer}
 * ({@link CpuClientTrainer} vs {@link GpuClientTrainer}, whose updates stay on the device), FedAvg on the device
 * kernels reading those rows in place; the device trainer against the client loop written out; the short last
 * batch; and the bytes the device rows save. Tolerance: as {@link TrainingChecks}' whole-model checks
 * ({@value TrainingChecks#MODEL_TOL} of each tensor's largest value), since a client's Δ is its parameters after a
 * few SGD steps minus G.
 */
class GpuTrainerTest {

    private static final long SEED = 41;

    /** Paper CNN (conv, pool, dropout) on odd 1x9x11 images, 4 classes; clients of 7, 5, 9 samples, batches of 4. */
    private static final ModelSpec SPEC = Models.paperCnn("cnn-paper", new Shape(1, 9, 11), 4, 3, 4, 8);
    private static final Dataset DATA = SyntheticDataset.create(21, 4, 1, 9, 11, SEED);
    private static final int[][] CLIENTS = {range(0, 7), range(7, 12), range(12, 21)};
    private static final TrainingSettings SETTINGS = new TrainingSettings(2, 4, 0.05, 0.9, 5e-4, false);

    @Test
    void oneFederatedRoundThroughTheSeamOnTheEmulationEqualsTheCpuTrainer() {
        float[] global = SPEC.create(SEED).params();
        int d = global.length;
        List<ClientTrainer.ClientTask> tasks = tasks();
        RoundUpdates cpu;
        try (ClientTrainer trainer = new CpuClientTrainer(SETTINGS, DATA, SPEC, Compute.serial())) {
            cpu = trainer.newRound(SPEC.layout(), CLIENTS.length);
            trainer.train(global, tasks, cpu, (task, failure) -> assertEquals(null, failure));
        }
        float[] cpuNext = new FedAvg().aggregate(new RoundInput(global, SPEC.layout(), cpu, 1, 1, SEED,
            ServerContext.of(Compute.serial()))).global();

        try (EmulatedDevice dev = new EmulatedDevice(2);
             ClientTrainer trainer = new GpuClientTrainer(dev, SETTINGS, DATA, SPEC, Compute.serial());
             RoundUpdates gpu = trainer.newRound(SPEC.layout(), CLIENTS.length)) {
            assertTrue(gpu instanceof DeviceRoundUpdates, "the device trainer's round keeps its rows on the device");
            trainer.train(global, tasks, gpu, (task, failure) -> assertEquals(null, failure));
            float[] gpuNext = global.clone();
            new DeviceAggregationKernels(dev).accumulate(gpu, gpu.sampleWeights(), gpuNext);
            for (int i = 0; i < CLIENTS.length; i++) {
                float[] expected = cpu.row(i);
                Compare.close("client " + i + " update", expected, gpu.row(i),
                    TrainingChecks.MODEL_TOL * TrainingChecks.maxAbs(expected), TrainingChecks.MODEL_EPS);
            }
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
     * The client loop written out with the short last batch copied into arrays of exactly its size (as the trainers
     * did before the engine took short batches): {@link LocalTrainer} passes the sampler's full-size buffer instead,
     * bit for bit the same; {@link GpuTrainer#trainClient} on the emulation within tolerance.
     */
    @Test
    void theShortLastBatchNeedsNoCopyAndTheDeviceFollowsTheSameLoop() {
        ModelSpec spec = Models.smallCnn("cnn-small", new Shape(1, 16, 16), 3, 3, 4, 6);
        Dataset data = SyntheticDataset.create(13, 3, 1, 16, 16, SEED);
        int[] indices = {12, 0, 5, 7, 3, 9, 1};
        long seed = ClientSeeds.clientRound(SEED, 2, 4);
        TrainingSettings settings = new TrainingSettings(2, 3, 0.1, 0.5, 1e-3, true); // 7 samples: batches 3, 3, 1
        float[] global = spec.create(SEED).params();

        Network net = spec.withParams(global);
        net.setDropoutStream(Seeds.derive(seed, "dropout"), 0);
        org.badfl.engine.Sgd sgd = new org.badfl.engine.Sgd(0.1, 0.5, 1e-3);
        BatchSampler sampler = new BatchSampler(data, indices, 3, Seeds.derive(seed, "batches"));
        Batch batch = sampler.newBatch();
        double lastLoss = Double.NaN;
        int shortBatches = 0;
        for (int e = 0; e < settings.epochs(); e++) {
            sampler.startEpoch(e);
            while (sampler.next(batch, true)) {
                int n = batch.size();
                shortBatches += n < batch.capacity() ? 1 : 0;
                lastLoss = net.lossAndGradients(java.util.Arrays.copyOf(batch.x(), n * batch.imageSize()),
                    java.util.Arrays.copyOf(batch.y(), n), n);
                sgd.step(net);
            }
        }
        assertEquals(2, shortBatches);
        float[] copied = new float[global.length];
        for (int i = 0; i < global.length; i++) {
            copied[i] = net.params()[i] - global[i];
        }

        ClientUpdate local = new LocalTrainer(settings).train(spec.build(), global, data, 4, indices, seed);
        assertArrayEquals(copied, local.delta(), "short last batch in its full-size buffer vs copied: bit for bit");
        assertEquals(lastLoss, local.lastLoss(), 0.0);

        try (EmulatedDevice dev = new EmulatedDevice(2); GpuTrainer trainer = new GpuTrainer(dev, spec, settings);
             DeviceBuffer delta = dev.allocFloats(global.length)) {
            trainer.setGlobal(global);
            GpuTrainer.Result r = trainer.trainClient(data, indices, ClientSeeds.of(seed), delta);
            assertEquals(settings.epochs() * 3, r.steps());
            assertEquals(settings.epochs() * indices.length, r.samples());
            assertEquals(lastLoss, r.lastLoss(), TrainingChecks.LOSS_TOL * lastLoss);
            Compare.close("client update", copied, dev.downloadFloats(delta, global.length),
                TrainingChecks.MODEL_TOL * TrainingChecks.maxAbs(copied), TrainingChecks.MODEL_EPS);
        }
    }

    /**
     * Aggregating the round's device rows in place moves only the kernel's O(d) input and output; the same updates as
     * host rows cross twice more (downloaded for the host view, uploaded again for the kernel).
     */
    @Test
    void deviceRowsMoveFewerBytesThanHostRows() {
        float[] global = SPEC.create(SEED).params();
        int d = global.length;
        int n = CLIENTS.length;
        try (EmulatedDevice dev = new EmulatedDevice(2);
             ClientTrainer trainer = new GpuClientTrainer(dev, SETTINGS, DATA, SPEC, Compute.serial());
             RoundUpdates onDevice = trainer.newRound(SPEC.layout(), n)) {
            trainer.train(global, tasks(), onDevice, (task, failure) -> { });
            DeviceAggregationKernels kernels = new DeviceAggregationKernels(dev);

            long before = moved(dev);
            float[] inPlace = global.clone();
            kernels.accumulate(onDevice, onDevice.sampleWeights(), inPlace);
            long devicePath = moved(dev) - before;
            assertEquals(2L * 4 * d + 8L * n, devicePath, "device rows: only the output (up and back) and the weights");

            before = moved(dev);
            RoundUpdates host = new HostRoundUpdates(SPEC.layout(), n);
            for (int i = 0; i < n; i++) {
                host.set(i, onDevice.clientId(i), onDevice.samples(i), onDevice.row(i).clone());
            }
            float[] viaHost = global.clone();
            kernels.accumulate(host, host.sampleWeights(), viaHost);
            long hostPath = moved(dev) - before;
            assertEquals(2L * 4 * n * d + 2L * 4 * d + 8L * n, hostPath,
                "host rows: downloaded, then uploaded for the kernel");
            assertArrayEquals(viaHost, inPlace, "same rows, same sums");
        }
    }

    @Test
    void trainingNeedsAGlobalModelAndFittingBuffers() {
        ModelSpec spec = Models.smallCnn("s", new Shape(1, 16, 16), 3, 2, 2, 4);
        Dataset data = SyntheticDataset.create(4, 3, 1, 16, 16, SEED);
        TrainingSettings settings = new TrainingSettings(1, 4, 0.1, 0, 0, false);
        try (EmulatedDevice dev = new EmulatedDevice(1); GpuTrainer trainer = new GpuTrainer(dev, spec, settings);
             DeviceBuffer small = dev.allocFloats(3); DeviceBuffer delta = dev.allocFloats(spec.layout().size())) {
            ClientSeeds seeds = ClientSeeds.of(1);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> trainer.trainClient(data, range(0, 4), seeds, delta));
            assertTrue(e.getMessage().contains("setGlobal"), e.getMessage());
            trainer.setGlobal(spec.create(1).params());
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> trainer.trainClient(data, range(0, 4), seeds, small));
            assertTrue(bad.getMessage().contains("delta output"), bad.getMessage());
            assertThrows(IllegalArgumentException.class, () -> trainer.setGlobal(new float[2]));
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> trainer.trainClient(data, new int[0], seeds, delta));
            assertTrue(none.getMessage().contains("at least one sample"), none.getMessage());
        }
    }

    @Test
    void clientSeedsKeepTheSimulatorsDerivations() {
        long seed = ClientSeeds.clientRound(7, 3, 11);
        assertEquals(Seeds.derive(7, "client", 3, 11), seed);
        assertEquals(new ClientSeeds(Seeds.derive(seed, "batches"), Seeds.derive(seed, "dropout")), ClientSeeds.of(seed));
        assertEquals(ClientSeeds.of(seed), ClientSeeds.forClient(7, 3, 11));
        assertEquals(Seeds.derive(5, "heatmaps:batches"), ClientSeeds.withPrefix(5, "heatmaps:").batches());
        assertEquals(Seeds.derive(5, "heatmaps:dropout"), ClientSeeds.withPrefix(5, "heatmaps:").dropout());
    }

    private static long moved(EmulatedDevice dev) {
        return dev.bytesToDevice() + dev.bytesToHost();
    }

    private static List<ClientTrainer.ClientTask> tasks() {
        List<ClientTrainer.ClientTask> tasks = new ArrayList<>();
        for (int i = 0; i < CLIENTS.length; i++) {
            tasks.add(new ClientTrainer.ClientTask(i, i, CLIENTS[i], CLIENTS[i].length,
                ClientSeeds.clientRound(SEED, 1, i), null, 0, null));
        }
        return tasks;
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
