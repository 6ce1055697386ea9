package org.badfl.gpu.nn;

import java.util.Objects;
import org.badfl.engine.BasicBlock;
import org.badfl.engine.BatchNorm2d;
import org.badfl.engine.Conv2d;
import org.badfl.engine.Dropout;
import org.badfl.engine.Flatten;
import org.badfl.engine.GlobalAvgPool;
import org.badfl.engine.Layer;
import org.badfl.engine.Linear;
import org.badfl.engine.MaxPool2d;
import org.badfl.engine.ReLU;
import org.badfl.engine.Shape;
import org.badfl.gpu.DeviceBuffer;

/**
 * The device version of one engine {@link Layer}: same hyperparameters (read from the engine layer's getters),
 * same parameter offsets in the model's flat buffers, same contract as {@link Layer#forward}/{@link Layer#backward}
 * on device buffers:
 * <ul>
 * <li>{@link #forward} reads {@code batch·inputShape().size()} floats of {@code in} (not modified, referenced until
 *     the backward) and returns a layer-owned output (or {@code in} itself for shape-only layers), overwritten by
 *     the next forward;</li>
 * <li>{@link #backward} overwrites this layer's gradient slices when {@link DevicePass#paramGrads()} and returns the
 *     input gradient (layer-owned) when {@code needInputGrad}, else null.</li>
 * </ul>
 * Workspaces grow to the largest batch seen. Not thread-safe; launches go to the context's device in order.
 */
public abstract class DeviceLayer implements AutoCloseable {

    protected final DeviceContext ctx;
    private final Layer layer;

    protected DeviceLayer(DeviceContext ctx, Layer layer) {
        this.ctx = Objects.requireNonNull(ctx, "device context");
        this.layer = Objects.requireNonNull(layer, "layer");
    }

    /**
     * The device layer for an engine layer of a network whose flat buffers are {@code params} and {@code grads}
     * on the context's device.
     *
     * @throws IllegalArgumentException for a layer type without a device implementation
     */
    public static DeviceLayer of(DeviceContext ctx, Layer layer, DeviceBuffer params, DeviceBuffer grads) {
        if (layer instanceof Conv2d c) {
            return new DeviceConv2d(ctx, c, params, grads);
        } else if (layer instanceof Linear l) {
            return new DeviceLinear(ctx, l, params, grads);
        } else if (layer instanceof BatchNorm2d b) {
            return new DeviceBatchNorm2d(ctx, b, params, grads);
        } else if (layer instanceof ReLU r) {
            return new DeviceReLU(ctx, r);
        } else if (layer instanceof MaxPool2d m) {
            return new DeviceMaxPool2d(ctx, m);
        } else if (layer instanceof Dropout d) {
            return new DeviceDropout(ctx, d);
        } else if (layer instanceof Flatten f) {
            return new DeviceFlatten(ctx, f);
        } else if (layer instanceof GlobalAvgPool g) {
            return new DeviceGlobalAvgPool(ctx, g);
        } else if (layer instanceof BasicBlock b) {
            return new DeviceBasicBlock(ctx, b, params, grads);
        }
        throw new IllegalArgumentException("layer " + layer.name() + " (" + layer.describe() + ", "
            + layer.getClass().getSimpleName() + ") has no GPU implementation; supported: Conv2d, Linear, BatchNorm2d, "
            + "ReLU, MaxPool2d, Dropout, Flatten, GlobalAvgPool, BasicBlock");
    }

    /** The engine layer this mirrors. */
    public Layer layer() {
        return layer;
    }

    public String name() {
        return layer.name();
    }

    public Shape inputShape() {
        return layer.inputShape();
    }

    public Shape outputShape() {
        return layer.outputShape();
    }

    public abstract DeviceBuffer forward(DevicePass pass, DeviceBuffer in, int batch);

    public abstract DeviceBuffer backward(DevicePass pass, DeviceBuffer dOut, boolean needInputGrad);

    /** Frees this layer's workspaces (not the model's parameter buffers). */
    @Override
    public void close() {
    }

    /** Checks a forward input: batch >= 1 and enough floats. */
    protected final void checkInput(DeviceBuffer in, int batch) {
        Objects.requireNonNull(in, "layer " + name() + ": input");
        if (batch < 1) {
            throw new IllegalArgumentException("layer " + name() + ": batch must be >= 1, got " + batch);
        }
        long needed = (long) batch * inputShape().size();
        if (in.floats() < needed) {
            throw new IllegalArgumentException("layer " + name() + ": input of batch " + batch + " x " + inputShape()
                + " needs " + needed + " floats, the device buffer holds " + in.floats());
        }
    }

    /** Checks a backward input against the last forward's batch. */
    protected final void checkGradient(DeviceBuffer dOut, int batch) {
        if (batch < 1) {
            throw new IllegalStateException("layer " + name() + ": backward called before forward");
        }
        Objects.requireNonNull(dOut, "layer " + name() + ": output gradient");
        long needed = (long) batch * outputShape().size();
        if (dOut.floats() < needed) {
            throw new IllegalArgumentException("layer " + name() + ": output gradient of batch " + batch + " x "
                + outputShape() + " needs " + needed + " floats, the device buffer holds " + dOut.floats());
        }
    }

    /** The slice {@code [offset, offset + length)} of a flat buffer, or null for offset -1 (no such parameter). */
    static DeviceBuffer slice(DeviceBuffer flat, int offset, int length) {
        return offset < 0 || flat == null ? null : flat.sliceFloats(offset, length);
    }
}
