package org.badfl.gpu;

/**
 * JNI entry points of {@code libbadfl_cudaemu.so} ({@code native/emu_jni.cpp}). Addresses are the emulated
 * device's 64-bit handles. Errors arrive as IllegalArgumentException (bad input), IllegalStateException
 * (a launch that failed while running) or OutOfMemoryError. Load the library first: {@link EmulatedDevice#load()}.
 */
final class EmuNative {

    private EmuNative() {
    }

    /** Most worker threads a launch may use. */
    static native int maxThreads();

    /** Pairs {name0, signature0, name1, signature1, ...} of the registered kernels. */
    static native String[] kernels();

    static native long alloc(long bytes);

    static native void free(long address);

    static native void copyToDevice(Object array, long arrayByteOffset, long dst, long bytes);

    static native void copyToHost(long src, Object array, long arrayByteOffset, long bytes);

    static native void copyDeviceToDevice(long src, long dst, long bytes);

    static native void memset8(long dst, int value, long bytes);

    static native void memset32(long dst, int value, long count);

    static native long liveAllocations();

    static native long liveBytes();

    static native void launch(String kernel, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
                              String signature, byte[] args, int threads);
}
