package org.badfl.gpu;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * One named check of a device against values computed in Java: a kernel against its CPU reference, or a piece
 * of the execution model (barriers, shared memory, atomics, warp operations). The body throws
 * {@link CheckFailure} on a wrong result. Checks are shared by the JUnit suite and {@code ./badfl gpu selftest}.
 *
 * @param name e.g. "median n=7 d=33 block=128"
 * @param body runs the check on a device (which it must not close)
 */
public record DeviceCheck(String name, Consumer<Device> body) {

    public DeviceCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
    }

    public void run(Device device) {
        body.accept(device);
    }

    @Override
    public String toString() {
        return name;
    }
}
