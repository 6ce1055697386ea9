package org.badfl.gpu;

/** Devices shared by the GPU-backend tests (opened once per JVM, never closed: the JVM's exit frees them). */
public final class TestDevices {

    private static EmulatedDevice emulated;
    private static CudaDevice gpu;

    private TestDevices() {
    }

    /** The CPU emulation with 2 worker threads (so blocks do run concurrently). Fails if the library is missing. */
    public static synchronized EmulatedDevice emulated() {
        if (emulated == null) {
            emulated = new EmulatedDevice(2);
        }
        return emulated;
    }

    /** GPU 0 with every launch checked; call only when {@link Devices#probe()} says it is available. */
    public static synchronized CudaDevice gpu() {
        if (gpu == null) {
            gpu = new CudaDevice(0, true);
        }
        return gpu;
    }
}
