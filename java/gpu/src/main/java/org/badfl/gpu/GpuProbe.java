package org.badfl.gpu;

import java.util.List;

/**
 * What the GPU backend can use on this machine, found once per JVM by {@link Devices#probe()} without throwing.
 *
 * @param available        a GPU can be opened and the fatbin loads on GPU 0
 * @param reason           why not (null when available), e.g. "libcuda.so.1 cannot be loaded (no NVIDIA driver)"
 * @param driverVersion    CUDA driver API version (0 if the driver did not load)
 * @param devices          the CUDA devices found (empty if none)
 * @param fatbinPresent    the jar carries {@link Fatbin#RESOURCE}
 * @param fatbinBytes      its size (0 if absent)
 * @param jcublasLoadable  JCublas2 and libcublas.so.12 load (optional: our own kernels are the required path)
 * @param jcublasNote      why JCublas does not load, or "loaded"
 * @param emulatorLoadable the CPU emulation's JNI library loads
 * @param emulatorNote     where it was loaded from, or why not
 */
public record GpuProbe(boolean available, String reason, int driverVersion, List<DeviceInfo> devices,
                       boolean fatbinPresent, long fatbinBytes, boolean jcublasLoadable, String jcublasNote,
                       boolean emulatorLoadable, String emulatorNote) {

    /** Multi-line human-readable report ({@code ./badfl gpu info}). */
    public String report() {
        StringBuilder s = new StringBuilder();
        s.append("GPU: ").append(available ? "available" : "unavailable: " + reason).append('\n');
        s.append("CUDA driver: ").append(driverVersion > 0
            ? (driverVersion / 1000) + "." + (driverVersion % 1000) / 10 + " (" + driverVersion + ")" : "not loaded").append('\n');
        if (devices.isEmpty()) {
            s.append("devices: none\n");
        }
        for (int i = 0; i < devices.size(); i++) {
            DeviceInfo d = devices.get(i);
            s.append(String.format(java.util.Locale.ROOT,
                "device %d: %s, compute capability %s, %.1f GiB, %d SMs, %d KiB shared memory per block (opt-in)%n",
                i, d.name(), d.computeCapability(), d.totalMemoryBytes() / (double) (1L << 30), d.multiprocessors(),
                d.maxSharedBytesPerBlock() / 1024));
        }
        s.append("fatbin: ").append(fatbinPresent
            ? Fatbin.RESOURCE + " (" + fatbinBytes + " bytes; sm_80, sm_90, compute_90 PTX)"
            : "missing (" + Fatbin.RESOURCE + " not in the jar: built without nvcc)").append('\n');
        s.append("JCublas: ").append(jcublasLoadable ? "loadable" : "not loadable (optional): " + jcublasNote).append('\n');
        s.append("CPU emulation: ").append(emulatorLoadable ? "loadable (" + emulatorNote + ")" : "not loadable: " + emulatorNote)
            .append('\n');
        return s.toString();
    }
}
