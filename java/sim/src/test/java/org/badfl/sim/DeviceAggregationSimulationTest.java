package org.badfl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.DeviceInfo;
import org.badfl.gpu.Dim3;
import org.badfl.gpu.EmulatedDevice;
import org.badfl.gpu.KernelArgs;
import org.junit.jupiter.api.Test;

/**
 * {@code run --device emu} end to end for every baseline defense (one round each, one simulation): clients train on
 * the emulated device and the defense's heavy steps run there too. The device records which kernels each defense
 * launched; every defense must have launched its aggregation kernels (the CPU-vs-device agreement of each defense's
 * round is {@code org.badfl.gpu.DeviceAggregationKernelsTest}), and every round must end with a finite model.
 */
class DeviceAggregationSimulationTest {

    /** Kernel name prefixes each defense must launch during its round. */
    private static final Map<String, List<String>> EXPECTED = Map.of(
        "fedavg", List.of("weighted_sum_forward_kernel"),
        "median", List.of("coordinate_median"),
        "trimmed-mean", List.of("coordinate_trimmed_mean"),
        "rlr", List.of("sign_votes_forward_kernel", "weighted_sum_forward_kernel"),
        "krum", List.of("gram_forward_kernel"),
        "multi-krum", List.of("gram_forward_kernel", "weighted_sum_forward_kernel"),
        "flame", List.of("gram_forward_kernel", "weighted_sum_layer_scaled_forward_kernel", "gaussian_noise_forward_kernel"),
        "fltrust", List.of("gram_forward_kernel", "weighted_sum_layer_scaled_forward_kernel"),
        "norm-clipping", List.of("gram_forward_kernel", "weighted_sum_layer_scaled_forward_kernel"),
        "crfl", List.of("weighted_sum_forward_kernel", "gaussian_noise_forward_kernel"));

    @Test
    void everyBaselineDefenseAggregatesOnTheEmulatedDevice() {
        List<String> defenses = List.of("fedavg", "median", "trimmed-mean", "rlr", "krum", "multi-krum", "flame",
            "fltrust", "norm-clipping", "crfl");
        ScenarioConfig c = TestScenarios.tiny("constrain-and-scale", 1, defenses.toArray(new String[0]));
        c.rounds = 1;
        Map<String, Set<String>> launched = new ConcurrentHashMap<>();
        String[] current = {"?"};
        Simulation.Outcome outcome;
        try (EmulatedDevice emu = new EmulatedDevice(2)) {
            Device recording = new RecordingDevice(emu, kernel ->
                launched.computeIfAbsent(current[0], k -> new TreeSet<>()).add(kernel));
            outcome = Simulation.of(Scenario.prepare(c)).device(recording).listener(new SimulationListener() {
                @Override
                public void defenseStarted(String defense, int index, int count, int firstRound, int rounds,
                                           int clientsPerRound) {
                    current[0] = defense;
                }
            }).build().run();
        }
        assertEquals(defenses.size(), outcome.records().size());
        for (RoundRecord r : outcome.records()) {
            assertTrue(Double.isFinite(r.acc()), r.defense() + ": accuracy " + r.acc());
        }
        for (String defense : defenses) {
            Set<String> kernels = launched.getOrDefault(defense, Set.of());
            for (String prefix : EXPECTED.get(defense)) {
                assertTrue(kernels.stream().anyMatch(k -> k.startsWith(prefix)),
                    defense + " launched no " + prefix + "* on the device; it launched " + kernels);
            }
        }
    }

    /** A device that reports every kernel launch's name and forwards everything to the real device. */
    private record RecordingDevice(Device inner, java.util.function.Consumer<String> onLaunch) implements Device {

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public DeviceInfo info() {
            return inner.info();
        }

        @Override
        public DeviceBuffer alloc(long bytes) {
            return inner.alloc(bytes);
        }

        @Override
        public long bytesToDevice() {
            return inner.bytesToDevice();
        }

        @Override
        public long bytesToHost() {
            return inner.bytesToHost();
        }

        @Override
        public void copyToDevice(float[] src, int srcOffset, DeviceBuffer dst, int count) {
            inner.copyToDevice(src, srcOffset, dst, count);
        }

        @Override
        public void copyToDevice(int[] src, int srcOffset, DeviceBuffer dst, int count) {
            inner.copyToDevice(src, srcOffset, dst, count);
        }

        @Override
        public void copyToDevice(double[] src, int srcOffset, DeviceBuffer dst, int count) {
            inner.copyToDevice(src, srcOffset, dst, count);
        }

        @Override
        public void copyToDevice(byte[] src, int srcOffset, DeviceBuffer dst, int count) {
            inner.copyToDevice(src, srcOffset, dst, count);
        }

        @Override
        public void copyToHost(DeviceBuffer src, float[] dst, int dstOffset, int count) {
            inner.copyToHost(src, dst, dstOffset, count);
        }

        @Override
        public void copyToHost(DeviceBuffer src, int[] dst, int dstOffset, int count) {
            inner.copyToHost(src, dst, dstOffset, count);
        }

        @Override
        public void copyToHost(DeviceBuffer src, double[] dst, int dstOffset, int count) {
            inner.copyToHost(src, dst, dstOffset, count);
        }

        @Override
        public void copyToHost(DeviceBuffer src, byte[] dst, int dstOffset, int count) {
            inner.copyToHost(src, dst, dstOffset, count);
        }

        @Override
        public void copy(DeviceBuffer src, DeviceBuffer dst, long bytes) {
            inner.copy(src, dst, bytes);
        }

        @Override
        public void memset8(DeviceBuffer dst, int value) {
            inner.memset8(dst, value);
        }

        @Override
        public void memset32(DeviceBuffer dst, int bits) {
            inner.memset32(dst, bits);
        }

        @Override
        public void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
            onLaunch.accept(kernel);
            inner.launch(kernel, grid, block, sharedBytes, args);
        }

        @Override
        public void synchronize() {
            inner.synchronize();
        }

        @Override
        public void close() {
            // the test closes the real device
        }
    }
}
