package org.badfl.gpu;

/**
 * What a device is: for a GPU the driver's answers, for the CPU emulation the emulator's limits.
 *
 * @param name                    e.g. "NVIDIA H100 80GB HBM3" or "CPU emulation (4 threads)"
 * @param emulated                true for the CPU execution of the kernels
 * @param computeMajor            compute capability, major (0 for the emulation)
 * @param computeMinor            compute capability, minor
 * @param totalMemoryBytes        device memory (the emulation: 0, meaning host memory)
 * @param multiprocessors         SM count (the emulation: its worker threads)
 * @param maxSharedBytesPerBlock  dynamic shared memory a launch may request (opt-in limit on a GPU)
 * @param driverVersion           CUDA driver API version, e.g. 12040 (0 for the emulation)
 */
public record DeviceInfo(String name, boolean emulated, int computeMajor, int computeMinor, long totalMemoryBytes,
                         int multiprocessors, int maxSharedBytesPerBlock, int driverVersion) {

    /** "8.0"-style compute capability, or "-" for the emulation. */
    public String computeCapability() {
        return emulated ? "-" : computeMajor + "." + computeMinor;
    }

    /** Driver version as "12.4", or "-". */
    public String driverVersionString() {
        return driverVersion <= 0 ? "-" : (driverVersion / 1000) + "." + (driverVersion % 1000) / 10;
    }
}
