package org.badfl.gpu;

/**
 * A CUDA device as the engine sees it: memory, copies and launches of the kernels in {@code kernels/*.cu} by name.
 * Two implementations run the same kernel sources: {@link CudaDevice} (a GPU, through the JCuda driver API) and
 * {@link EmulatedDevice} (the CPU, through the JNI build of {@code native/}). Obtain one from {@link Devices#open}.
 * <p>Launches are asynchronous on a GPU and ordered: copies to the host and {@link #synchronize()} wait for every
 * earlier launch; an error inside a kernel surfaces there at the latest. Contents of a new allocation are
 * unspecified (the emulation fills them with 0xFF bytes, i.e. NaN, to expose unwritten outputs).
 * <p>Methods may be called from any thread. Whoever opens a device closes it; closing frees all its memory.
 */
public interface Device extends AutoCloseable {

    /** Device name, e.g. "NVIDIA H100 80GB HBM3" or "CPU emulation (4 threads)". */
    String name();

    /** Driver and hardware facts (compute capability, memory, limits). */
    DeviceInfo info();

    /** True for the CPU execution of the kernels. */
    default boolean emulated() {
        return info().emulated();
    }

    /** Allocates {@code bytes > 0} bytes of device memory (256-byte aligned). */
    DeviceBuffer alloc(long bytes);

    default DeviceBuffer allocFloats(long count) {
        return alloc(Math.multiplyExact(count, 4L));
    }

    default DeviceBuffer allocInts(long count) {
        return alloc(Math.multiplyExact(count, 4L));
    }

    default DeviceBuffer allocDoubles(long count) {
        return alloc(Math.multiplyExact(count, 8L));
    }

    /** Copies {@code src[srcOffset .. srcOffset + count)} to the start of {@code dst}. */
    void copyToDevice(float[] src, int srcOffset, DeviceBuffer dst, int count);

    void copyToDevice(int[] src, int srcOffset, DeviceBuffer dst, int count);

    void copyToDevice(double[] src, int srcOffset, DeviceBuffer dst, int count);

    void copyToDevice(byte[] src, int srcOffset, DeviceBuffer dst, int count);

    /** Copies {@code count} elements from the start of {@code src} to {@code dst[dstOffset ..]}; waits for launches. */
    void copyToHost(DeviceBuffer src, float[] dst, int dstOffset, int count);

    void copyToHost(DeviceBuffer src, int[] dst, int dstOffset, int count);

    void copyToHost(DeviceBuffer src, double[] dst, int dstOffset, int count);

    void copyToHost(DeviceBuffer src, byte[] dst, int dstOffset, int count);

    /** Copies the first {@code bytes} bytes of {@code src} to {@code dst} on the device. */
    void copy(DeviceBuffer src, DeviceBuffer dst, long bytes);

    /**
     * Bytes copied from the host to this device since it was opened (every {@code copyToDevice}); device-to-device
     * copies are not counted. For transfer accounting: a round's host↔device traffic is the difference of the
     * counters around it.
     */
    long bytesToDevice();

    /** Bytes copied from this device to the host since it was opened (every {@code copyToHost}). */
    long bytesToHost();

    /** Sets every byte of {@code dst} to {@code value & 0xFF}. */
    void memset8(DeviceBuffer dst, int value);

    /** Sets every 4-byte word of {@code dst} (size a multiple of 4) to {@code bits}, e.g. a float's raw bits. */
    void memset32(DeviceBuffer dst, int bits);

    /**
     * Launches kernel {@code kernel} (an {@code extern "C"} name from {@code kernels/*.cu}) on {@code grid} blocks
     * of {@code block} threads with {@code sharedBytes} bytes of dynamic shared memory.
     *
     * @throws IllegalArgumentException unknown kernel, invalid configuration, argument types that do not match
     *                                  the kernel (emulation), or a buffer from another device or already freed
     */
    void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args);

    /** Waits for every launch so far; reports the first asynchronous error. */
    void synchronize();

    /** Frees all memory of this device and releases it; later calls fail. */
    @Override
    void close();

    // ---- conveniences ----------------------------------------------------------------------------------------

    /** A new buffer holding a copy of {@code data}. */
    default DeviceBuffer upload(float[] data) {
        DeviceBuffer b = allocFloats(Math.max(1, data.length));
        copyToDevice(data, 0, b, data.length);
        return b;
    }

    default DeviceBuffer upload(int[] data) {
        DeviceBuffer b = allocInts(Math.max(1, data.length));
        copyToDevice(data, 0, b, data.length);
        return b;
    }

    default DeviceBuffer upload(double[] data) {
        DeviceBuffer b = allocDoubles(Math.max(1, data.length));
        copyToDevice(data, 0, b, data.length);
        return b;
    }

    default float[] downloadFloats(DeviceBuffer src, int count) {
        float[] out = new float[count];
        copyToHost(src, out, 0, count);
        return out;
    }

    default int[] downloadInts(DeviceBuffer src, int count) {
        int[] out = new int[count];
        copyToHost(src, out, 0, count);
        return out;
    }

    default double[] downloadDoubles(DeviceBuffer src, int count) {
        double[] out = new double[count];
        copyToHost(src, out, 0, count);
        return out;
    }
}
