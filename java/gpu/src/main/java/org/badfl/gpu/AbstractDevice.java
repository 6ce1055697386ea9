package org.badfl.gpu;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Argument checking and memory bookkeeping shared by both devices, so that a wrong call fails with the same
 * message on the emulation as on a GPU. Subclasses implement the raw operations on validated arguments.
 */
abstract class AbstractDevice implements Device {

    private final java.util.concurrent.atomic.AtomicLong bytesIn = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong bytesOut = new java.util.concurrent.atomic.AtomicLong();

    /** CUDA's limits on a launch (every sm_80/sm_90 device). */
    static final int MAX_THREADS_PER_BLOCK = 1024;

    private final Set<DeviceBuffer.Allocation> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    // ---- raw operations on validated arguments ---------------------------------------------------------------
    abstract Object allocRaw(long bytes);

    abstract void freeRaw(Object ref);

    /** Host array (float[], int[], double[] or byte[]) bytes → device. */
    abstract void copyInRaw(Object array, long arrayByteOffset, DeviceBuffer dst, long bytes);

    abstract void copyOutRaw(DeviceBuffer src, Object array, long arrayByteOffset, long bytes);

    abstract void copyRaw(DeviceBuffer src, DeviceBuffer dst, long bytes);

    abstract void memset8Raw(DeviceBuffer dst, int value);

    abstract void memset32Raw(DeviceBuffer dst, int bits);

    abstract void launchRaw(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args);

    abstract void synchronizeRaw();

    abstract void closeRaw();

    // ---- Device ----------------------------------------------------------------------------------------------
    @Override
    public final DeviceBuffer alloc(long bytes) {
        checkOpen("alloc");
        if (bytes <= 0) {
            throw new IllegalArgumentException("device allocation size must be > 0 bytes, got " + bytes);
        }
        DeviceBuffer.Allocation a = new DeviceBuffer.Allocation(this, allocRaw(bytes), bytes);
        live.add(a);
        return new DeviceBuffer(a, 0, bytes, true);
    }

    /** Frees the allocation of an owning buffer (idempotent). */
    final void free(DeviceBuffer owner) {
        DeviceBuffer.Allocation a = owner.allocation();
        if (a.freed.compareAndSet(false, true)) {
            live.remove(a);
            if (!closed) {
                freeRaw(a.ref);
            }
        }
    }

    /** Number of allocations not yet freed. */
    public final int liveAllocations() {
        return live.size();
    }

    @Override
    public final void copyToDevice(float[] src, int srcOffset, DeviceBuffer dst, int count) {
        copyIn(src, src == null ? 0 : src.length, srcOffset, 4, dst, count);
    }

    @Override
    public final void copyToDevice(int[] src, int srcOffset, DeviceBuffer dst, int count) {
        copyIn(src, src == null ? 0 : src.length, srcOffset, 4, dst, count);
    }

    @Override
    public final void copyToDevice(double[] src, int srcOffset, DeviceBuffer dst, int count) {
        copyIn(src, src == null ? 0 : src.length, srcOffset, 8, dst, count);
    }

    @Override
    public final void copyToDevice(byte[] src, int srcOffset, DeviceBuffer dst, int count) {
        copyIn(src, src == null ? 0 : src.length, srcOffset, 1, dst, count);
    }

    @Override
    public final void copyToHost(DeviceBuffer src, float[] dst, int dstOffset, int count) {
        copyOut(src, dst, dst == null ? 0 : dst.length, dstOffset, 4, count);
    }

    @Override
    public final void copyToHost(DeviceBuffer src, int[] dst, int dstOffset, int count) {
        copyOut(src, dst, dst == null ? 0 : dst.length, dstOffset, 4, count);
    }

    @Override
    public final void copyToHost(DeviceBuffer src, double[] dst, int dstOffset, int count) {
        copyOut(src, dst, dst == null ? 0 : dst.length, dstOffset, 8, count);
    }

    @Override
    public final void copyToHost(DeviceBuffer src, byte[] dst, int dstOffset, int count) {
        copyOut(src, dst, dst == null ? 0 : dst.length, dstOffset, 1, count);
    }

    private void copyIn(Object array, int length, int offset, int elementBytes, DeviceBuffer dst, int count) {
        checkOpen("copy to device");
        Objects.requireNonNull(array, "host source array");
        checkHostRange("copy to device: source", length, offset, count);
        checkBuffer("copy to device", dst);
        checkFits("copy to device", (long) count * elementBytes, dst);
        if (count > 0) {
            copyInRaw(array, (long) offset * elementBytes, dst, (long) count * elementBytes);
            bytesIn.addAndGet((long) count * elementBytes);
        }
    }

    private void copyOut(DeviceBuffer src, Object array, int length, int offset, int elementBytes, int count) {
        checkOpen("copy to host");
        Objects.requireNonNull(array, "host destination array");
        checkHostRange("copy to host: destination", length, offset, count);
        checkBuffer("copy to host", src);
        checkFits("copy to host", (long) count * elementBytes, src);
        if (count > 0) {
            copyOutRaw(src, array, (long) offset * elementBytes, (long) count * elementBytes);
            bytesOut.addAndGet((long) count * elementBytes);
        }
    }

    @Override
    public final long bytesToDevice() {
        return bytesIn.get();
    }

    @Override
    public final long bytesToHost() {
        return bytesOut.get();
    }

    @Override
    public final void copy(DeviceBuffer src, DeviceBuffer dst, long bytes) {
        checkOpen("device copy");
        checkBuffer("device copy source", src);
        checkBuffer("device copy destination", dst);
        if (bytes < 0) {
            throw new IllegalArgumentException("device copy: byte count must be >= 0, got " + bytes);
        }
        checkFits("device copy source", bytes, src);
        checkFits("device copy destination", bytes, dst);
        if (bytes > 0) {
            copyRaw(src, dst, bytes);
        }
    }

    @Override
    public final void memset8(DeviceBuffer dst, int value) {
        checkOpen("memset8");
        checkBuffer("memset8", dst);
        if (dst.bytes() > 0) {
            memset8Raw(dst, value);
        }
    }

    @Override
    public final void memset32(DeviceBuffer dst, int bits) {
        checkOpen("memset32");
        checkBuffer("memset32", dst);
        if (dst.bytes() % 4 != 0 || (dst.offset() & 3) != 0) {
            throw new IllegalArgumentException("memset32: buffer of " + dst.bytes() + " bytes at offset " + dst.offset()
                + " is not whole 4-byte words");
        }
        if (dst.bytes() > 0) {
            memset32Raw(dst, bits);
        }
    }

    @Override
    public final void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
        checkOpen("launch");
        Objects.requireNonNull(kernel, "kernel name");
        Objects.requireNonNull(grid, "grid");
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(args, "kernel arguments");
        if (block.volume() > MAX_THREADS_PER_BLOCK || block.z() > 64) {
            throw new IllegalArgumentException("kernel " + kernel + ": block " + block + " has " + block.volume()
                + " threads; expected at most " + MAX_THREADS_PER_BLOCK + " (and z <= 64)");
        }
        if (grid.y() > 65535 || grid.z() > 65535) {
            throw new IllegalArgumentException("kernel " + kernel + ": grid " + grid + " exceeds 65535 blocks in y or z");
        }
        int maxShared = info().maxSharedBytesPerBlock();
        if (sharedBytes < 0 || sharedBytes > maxShared) {
            throw new IllegalArgumentException("kernel " + kernel + ": " + sharedBytes
                + " bytes of dynamic shared memory requested, this device allows 0.." + maxShared);
        }
        for (KernelArgs.Arg a : args.list()) {
            if (a.code() == 'p' && a.value() != null) {
                checkBuffer("kernel " + kernel + " argument", (DeviceBuffer) a.value());
            }
        }
        launchRaw(kernel, grid, block, sharedBytes, args);
    }

    @Override
    public final void synchronize() {
        checkOpen("synchronize");
        synchronizeRaw();
    }

    @Override
    public final void close() {
        if (closed) {
            return;
        }
        for (DeviceBuffer.Allocation a : live) {
            if (a.freed.compareAndSet(false, true)) {
                try {
                    freeRaw(a.ref);
                } catch (RuntimeException e) {
                    // the device is going away; its memory with it
                }
            }
        }
        live.clear();
        closed = true;
        closeRaw();
    }

    final boolean isClosed() {
        return closed;
    }

    // ---- checks ----------------------------------------------------------------------------------------------
    final void checkOpen(String operation) {
        if (closed) {
            throw new IllegalStateException(operation + ": device " + name() + " is closed");
        }
    }

    private void checkBuffer(String what, DeviceBuffer b) {
        Objects.requireNonNull(b, what + ": device buffer");
        if (b.allocation().device != this) {
            throw new IllegalArgumentException(what + ": buffer belongs to device " + b.allocation().device.name()
                + ", not " + name());
        }
        b.checkLive(what);
    }

    private static void checkFits(String what, long bytes, DeviceBuffer b) {
        if (bytes > b.bytes()) {
            throw new IllegalArgumentException(what + ": " + bytes + " bytes do not fit a device buffer of " + b.bytes()
                + " bytes");
        }
    }

    private static void checkHostRange(String what, int length, int offset, int count) {
        if (offset < 0 || count < 0 || offset > length - count) {
            throw new IllegalArgumentException(what + " range [" + offset + ", " + offset + " + " + count
                + ") is outside the host array of length " + length);
        }
    }
}
