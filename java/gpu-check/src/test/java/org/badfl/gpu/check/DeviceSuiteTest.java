package org.badfl.gpu.check;

import org.badfl.gpu.Device;
import org.badfl.gpu.Devices;
import org.badfl.gpu.GpuProbe;
import org.badfl.gpu.TestDevices;
import org.badfl.gpu.check.DeviceCheck;
import org.badfl.gpu.check.DeviceSelfTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The GPU backend's checks ({@link DeviceSelfTest#checks}: execution model, every aggregation kernel against its
 * Java reference at several block sizes and odd sizes, poisoned outputs) on the CPU emulation - always, this is
 * how CI tests the kernels - and on the real GPU when this machine has one (skipped with the probe's reason
 * otherwise). Tolerances are documented per check in {@link AggregationChecks}.
 */
class DeviceSuiteTest {

    private static Stream<DynamicTest> tests(Device device) {
        List<DeviceCheck> checks = DeviceSelfTest.checks(DeviceSelfTest.DEFAULT_SEED);
        return checks.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Assumptions.assumeTrue(c.runsOn(device), "GPU-only check (tensor cores): not runnable on " + device.name());
            c.run(device);
        }));
    }

    @TestFactory
    Stream<DynamicTest> emulatedDevice() {
        return tests(TestDevices.emulated());
    }

    @TestFactory
    Stream<DynamicTest> cudaDevice() {
        GpuProbe probe = Devices.probe();
        if (!probe.available()) {
            // one visible skipped test carrying the reason (a skipped factory would not show in the report)
            return Stream.of(DynamicTest.dynamicTest("CUDA device checks",
                () -> Assumptions.assumeTrue(false, "no GPU for the CUDA device checks: " + probe.reason())));
        }
        return tests(TestDevices.gpu());
    }
}
