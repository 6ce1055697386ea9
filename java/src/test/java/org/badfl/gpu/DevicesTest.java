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
}
