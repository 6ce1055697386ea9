package org.badfl.gpu.nn;

import java.util.Objects;
import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceBuffer;

/**
 * A device buffer that grows to the largest size asked for and is then reused, so that a training loop allocates
 * nothing per step (the engine's workspace rule). Growing discards the contents. Element sizes: 4 bytes (floats,
 * ints) or 8 (doubles).
 */
public final class Workspace implements AutoCloseable {


    private final Device device;
    private final boolean poison;
    private DeviceBuffer buffer;

    public Workspace(Device device) {
        this(device, false);
    }

    /** With {@code poison}, new buffers are filled with {@link DeviceBuffer#POISON_BITS} (checks catch unwritten outputs). */
    public Workspace(Device device, boolean poison) {
        this.device = Objects.requireNonNull(device, "device");
        this.poison = poison;
    }

    /** A buffer of at least {@code count} floats (or ints); its first {@code count} elements are the caller's. */
    public DeviceBuffer floats(long count) {
        return bytes(Math.multiplyExact(Math.max(1, count), 4L));
    }

    public DeviceBuffer ints(long count) {
        return floats(count);
    }

    public DeviceBuffer doubles(long count) {
        return bytes(Math.multiplyExact(Math.max(1, count), 8L));
    }

    private DeviceBuffer bytes(long bytes) {
        if (buffer == null || buffer.bytes() < bytes) {
            if (buffer != null) {
                buffer.close();
            }
            buffer = null;
            buffer = device.alloc(bytes);
            if (poison) {
                device.memset32(buffer, DeviceBuffer.POISON_BITS);
            }
        }
        return buffer;
    }

    /** The current buffer, or null before the first request. */
    public DeviceBuffer current() {
        return buffer;
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.close();
            buffer = null;
        }
    }
}
