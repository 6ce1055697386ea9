package org.badfl.gpu.check;

import org.badfl.gpu.Device;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One named check of a device against values computed in Java: a kernel against its CPU reference, or a piece
 * of the execution model (barriers, shared memory, atomics, warp operations). The body throws
 * {@link CheckFailure} on a wrong result. Checks are shared by the JUnit suite and {@code ./badfl gpu selftest}.
 *
 * @param name    e.g. "median n=7 d=33 block=128"
 * @param body    runs the check on a device (which it must not close)
 * @param gpuOnly the check exercises code the CPU emulation cannot run (tensor-core instructions): it is skipped,
 *                and reported as skipped, on an emulated device
 */
public record DeviceCheck(String name, Consumer<Device> body, boolean gpuOnly) {

    public DeviceCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
    }

    /** A check that runs on every device. */
    public DeviceCheck(String name, Consumer<Device> body) {
        this(name, body, false);
    }

    /** Whether this check can run on {@code device} (false only for GPU-only checks on the emulation). */
    public boolean runsOn(Device device) {
        return !gpuOnly || !device.emulated();
    }

    public void run(Device device) {
        body.accept(device);
    }

    @Override
    public String toString() {
        return name;
    }
}
