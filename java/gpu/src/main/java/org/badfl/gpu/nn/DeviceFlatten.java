package org.badfl.gpu.nn;

import org.badfl.engine.Flatten;
import org.badfl.gpu.DeviceBuffer;

/** {@link Flatten} on the device: NCHW storage is already flat, so forward and backward pass their input through. */
public final class DeviceFlatten extends DeviceLayer {

    private int lastBatch;

    public DeviceFlatten(DeviceContext ctx, Flatten flatten) {
        super(ctx, flatten);
    }

    @Override
    public DeviceBuffer forward(DevicePass pass, DeviceBuffer in, int batch) {
        checkInput(in, batch);
        lastBatch = batch;
        return in;
    }

    @Override
    public DeviceBuffer backward(DevicePass pass, DeviceBuffer dOut, boolean needInputGrad) {
        checkGradient(dOut, lastBatch);
        return needInputGrad ? dOut : null;
    }
}
