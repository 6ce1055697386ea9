package org.badfl.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The probe, device selection and the fatbin in the jar. */
class DevicesTest {

    @Test
    void probeIsCachedAndExplainsUnavailability() {
        GpuProbe p = Devices.probe();
        assertSame(p, Devices.probe());
        assertTrue(p.emulatorLoadable(), p.emulatorNote());
        if (p.available()) {
            assertEquals(null, p.reason());
            assertTrue(!p.devices().isEmpty());
        } else {
            assertNotNull(p.reason());
            assertTrue(p.report().contains("GPU: unavailable: " + p.reason()), p.report());
        }
    }

    @Test
    void openSelectsByName() {
        assertThrows(IllegalArgumentException.class, () -> Devices.open("tpu"));
        try (Device emu = Devices.open("emu")) {
            assertTrue(emu.emulated());
        }
        try (Device auto = Devices.open("auto")) {
            assertEquals(!Devices.probe().available(), auto.emulated());
        }
        if (!Devices.probe().available()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Devices.open("gpu"));
            assertTrue(e.getMessage().contains(Devices.probe().reason()), e.getMessage());
        }
    }

    @Test
    void fatbinHoldsEveryKernelTheEmulatorRegisters() {
        Assumptions.assumeTrue(Fatbin.present(), "badfl.fatbin not built here (no nvcc)");
        for (String kernel : TestDevices.emulated().kernels().keySet()) {
            assertTrue(Fatbin.mentions(kernel), kernel + " is registered in native/ but missing from badfl.fatbin");
        }
        assertTrue(!Fatbin.mentions("no_such_kernel"));
    }

    @Test
    void trainingDeviceSaysWhereTrainingRunsAndWhy() {
        try (TrainingDevice cpu = TrainingDevice.select("cpu")) {
            assertTrue(cpu.onCpu());
            assertEquals("training on the CPU (Java engine)", cpu.message());
        }
        try (TrainingDevice emu = TrainingDevice.select("EMU")) {
            assertTrue(!emu.onCpu() && emu.device().emulated());
            assertTrue(emu.message().contains("CPU emulation") && emu.message().contains("slow"), emu.message());
        }
        try (TrainingDevice auto = TrainingDevice.select("auto")) {
            if (Devices.probe().available()) {
                assertTrue(!auto.onCpu() && !auto.device().emulated());
            } else {
                assertTrue(auto.onCpu());
                assertTrue(auto.message().contains("no usable GPU (" + Devices.probe().reason() + ")"), auto.message());
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingDevice.select("tpu"));
        assertTrue(e.getMessage().contains("expected gpu, emu, cpu or auto, found 'tpu'"), e.getMessage());
        if (!Devices.probe().available()) {
            assertThrows(IllegalStateException.class, () -> TrainingDevice.select("gpu"));
        }
    }
}
