package org.badfl.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Entry point of the GPU backend: the cached availability probe and opening devices by name.
 * <ul>
 *   <li>{@code "gpu"}: {@link CudaDevice} 0; IllegalStateException with the probe's reason if there is none.</li>
 *   <li>{@code "emu"}: {@link EmulatedDevice}, the kernels on the CPU (testing; slow).</li>
 *   <li>{@code "auto"}: the GPU if the probe says it is usable, else the emulation.</li>
 * </ul>
 * Training code that wants "GPU if present, else the Java CPU engine" checks {@link #probe()}{@code .available()}
 * instead, and tells the user the probe's reason when it falls back.
 */
public final class Devices {

    private static volatile GpuProbe probe;

    private Devices() {
    }

    /** The device named {@code gpu}, {@code emu} or {@code auto} (see the class comment). */
    public static Device open(String name) {
        return open(name, false);
    }

    /**
     * As {@link #open(String)}; {@code checkEachLaunch} makes a GPU synchronize after every launch so that a fault
     * names its kernel (the self-test uses it).
     */
    public static Device open(String name, boolean checkEachLaunch) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "gpu" -> {
                GpuProbe p = probe();
                if (!p.available()) {
                    throw new IllegalStateException("no usable GPU: " + p.reason());
                }
                return new CudaDevice(0, checkEachLaunch);
            }
            case "emu" -> {
                return new EmulatedDevice();
            }
            case "auto" -> {
                return probe().available() ? new CudaDevice(0, checkEachLaunch) : new EmulatedDevice();
            }
            default -> throw new IllegalArgumentException("device: expected gpu, emu or auto, found '" + name + "'");
        }
    }

    /** Probes once per JVM (later calls return the same object); never throws. */
    public static GpuProbe probe() {
        GpuProbe p = probe;
        if (p == null) {
            synchronized (Devices.class) {
                p = probe;
                if (p == null) {
                    p = runProbe();
                    probe = p;
                }
            }
        }
        return p;
    }

    private static GpuProbe runProbe() {
        boolean fatbin = Fatbin.present();
        long fatbinBytes = fatbin ? Fatbin.bytes().length : 0;
        String[] jcublas = probeJCublas();
        EmulatedDevice.LibraryStatus emu = EmulatedDevice.libraryStatus();
        String emuNote = emu.loaded() ? emu.location() : emu.problem();

        String reason = null;
        int driver = 0;
        List<DeviceInfo> devices = new ArrayList<>();
        try {
            CudaDevice.initDriver();
            driver = CudaDevice.driverVersion();
            int count = CudaDevice.deviceCount();
            for (int i = 0; i < count; i++) {
                devices.add(CudaDevice.describe(i));
            }
            if (count == 0) {
                reason = "the CUDA driver reports no device";
            }
        } catch (LinkageError e) {
            reason = "JCuda's driver binding does not load (" + oneLine(e) + "): no NVIDIA driver on this machine";
        } catch (RuntimeException e) {
            reason = "CUDA driver initialisation failed: " + oneLine(e);
        }
        if (reason == null && !fatbin) {
            reason = Fatbin.RESOURCE + " is missing from the jar (built without nvcc)";
        }
        if (reason == null) {
            // Load the module once: catches a GPU the fatbin has no code for (compute capability < 8.0).
            try (CudaDevice d = new CudaDevice(0, true)) {
                d.synchronize();
            } catch (RuntimeException | LinkageError e) {
                reason = "the kernels do not load on GPU 0: " + oneLine(e);
            }
        }
        return new GpuProbe(reason == null, reason, driver, List.copyOf(devices), fatbin, fatbinBytes,
            jcublas[0] != null, jcublas[0] != null ? jcublas[0] : jcublas[1], emu.loaded(), emuNote);
    }

    /** {loaded note or null, failure note}: JCublas2 needs libcublas.so.12, which CUDA 13 machines lack. */
    private static String[] probeJCublas() {
        try {
            jcuda.jcublas.JCublas2.initialize();
            return new String[] {"loaded", null};
        } catch (LinkageError | RuntimeException e) {
            return new String[] {null, oneLine(e)};
        }
    }

    private static final java.util.regex.Pattern MISSING_LIBRARY =
        java.util.regex.Pattern.compile("([\\w.+-]+\\.so[.0-9]*): cannot open shared object file");

    /**
     * One short line: JCuda's loader errors embed whole stack traces, of which the missing shared library is the
     * part worth reporting.
     */
    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable c = e.getCause();
        if (c != null && c.getMessage() != null && !m.contains(c.getMessage())) {
            m += ": " + c.getMessage();
        }
        java.util.regex.Matcher missing = MISSING_LIBRARY.matcher(m);
        if (missing.find()) {
            return missing.group(1) + " not found";
        }
        m = m.replaceAll("\\s+", " ").trim();
        return m.length() > 300 ? m.substring(0, 300) + " ..." : m;
    }
}
