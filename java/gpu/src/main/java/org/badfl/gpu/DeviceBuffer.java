package org.badfl.gpu;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A range of device memory: a whole allocation ({@link Device#alloc}) or a slice of one. Closing the allocation
 * frees it (closing a slice does nothing); any later use of it or of its slices fails with a clear message.
 * Offsets and sizes are in bytes; the {@code Floats}/{@code Ints}/{@code Doubles} helpers count elements.
 */
public final class DeviceBuffer implements AutoCloseable {

    /** Bits written into outputs before a checked launch: a NaN no kernel produces (kernels' NaN is 0x7fc00000). */
    public static final int POISON_BITS = 0xFFFFFFFF;


    /** One device allocation, shared by the buffer that owns it and all its slices. */
    static final class Allocation {
        final AbstractDevice device;
        final Object ref; // the device's handle: Long (emulator address) or jcuda CUdeviceptr
        final long bytes;
        final AtomicBoolean freed = new AtomicBoolean();

        Allocation(AbstractDevice device, Object ref, long bytes) {
            this.device = device;
            this.ref = ref;
            this.bytes = bytes;
        }
    }

    private final Allocation allocation;
    private final long offset;
    private final long bytes;
    private final boolean owner;

    DeviceBuffer(Allocation allocation, long offset, long bytes, boolean owner) {
        this.allocation = allocation;
        this.offset = offset;
        this.bytes = bytes;
        this.owner = owner;
    }

    /** Size in bytes. */
    public long bytes() {
        return bytes;
    }

    /** Number of whole floats (or ints): bytes / 4. */
    public long floats() {
        return bytes / 4;
    }

    /** The device this memory belongs to. */
    public Device device() {
        return allocation.device;
    }

    /** True for a slice (closing it does not free memory). */
    public boolean isSlice() {
        return !owner;
    }

    /** True once the allocation was freed (by closing its owner or its device). */
    public boolean isFreed() {
        return allocation.freed.get();
    }

    /** The bytes {@code [byteOffset, byteOffset + byteLength)} of this buffer, sharing its memory. */
    public DeviceBuffer slice(long byteOffset, long byteLength) {
        checkLive("slice");
        if (byteOffset < 0 || byteLength < 0 || byteOffset > bytes - byteLength) {
            throw new IllegalArgumentException("slice [" + byteOffset + ", " + byteOffset + " + " + byteLength
                + ") of a device buffer of " + bytes + " bytes: out of range");
        }
        return new DeviceBuffer(allocation, offset + byteOffset, byteLength, false);
    }

    /** Elements {@code [first, first + count)} of a float (or int) buffer. */
    public DeviceBuffer sliceFloats(long first, long count) {
        return slice(first * 4, count * 4);
    }

    /** Elements {@code [first, first + count)} of a double (or long) buffer. */
    public DeviceBuffer sliceDoubles(long first, long count) {
        return slice(first * 8, count * 8);
    }

    /** Frees the allocation if this buffer owns it; idempotent. */
    @Override
    public void close() {
        if (owner) {
            allocation.device.free(this);
        }
    }

    Allocation allocation() {
        return allocation;
    }

    /** Byte offset of this buffer inside its allocation. */
    long offset() {
        return offset;
    }

    void checkLive(String operation) {
        if (allocation.freed.get()) {
            throw new IllegalStateException(operation + ": device buffer of " + bytes + " bytes was already freed");
        }
    }

    @Override
    public String toString() {
        return "DeviceBuffer[" + bytes + " bytes" + (owner ? "" : " at +" + offset) + " on " + allocation.device.name()
            + (isFreed() ? ", freed" : "") + "]";
    }
}
