package org.badfl.gpu.nn;

import java.util.Objects;
import org.badfl.engine.ParamLayout;
import org.badfl.engine.Sgd;
import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.Dim3;
import org.badfl.gpu.KernelArgs;

/**
 * {@link Sgd} on the device ({@code kernels/sgd.cu}): torch.optim.SGD with momentum and weight decay
 * ({@code v = μv + g + wd·w; w -= lr·v}) on the trainable ranges of a flat parameter buffer only, element for
 * element the engine's float arithmetic (bit-identical). The velocity lives on the device, allocated (zero) on the
 * first step; one optimiser per model being trained; {@link #reset()} zeroes it (a fresh optimiser per round).
 */
public final class DeviceSgd implements AutoCloseable {

    private static final int MAX_BLOCKS = 4096;

    private final Sgd hyper; // validates and holds lr, momentum, weight decay exactly as the engine's optimiser
    private DeviceBuffer velocity;
    private DeviceBuffer ranges;
    private ParamLayout rangesLayout;
    private int rangeCount;
    private int longestRange;
    private int blockSize = DeviceContext.DEFAULT_BLOCK;

    /** Same arguments and checks as {@link Sgd#Sgd(double, double, double)}. */
    public DeviceSgd(double learningRate, double momentum, double weightDecay) {
        this.hyper = new Sgd(learningRate, momentum, weightDecay);
    }

    /** A device optimiser with the hyperparameters of {@code sgd} (not its velocity). */
    public static DeviceSgd of(Sgd sgd) {
        Objects.requireNonNull(sgd, "sgd");
        return new DeviceSgd(sgd.learningRate(), sgd.momentum(), sgd.weightDecay());
    }

    public float learningRate() {
        return hyper.learningRate();
    }

    public void setLearningRate(double learningRate) {
        hyper.setLearningRate(learningRate);
    }

    public float momentum() {
        return hyper.momentum();
    }

    public float weightDecay() {
        return hyper.weightDecay();
    }

    /** Threads per block of the update kernel (1..1024; does not change results). */
    public DeviceSgd setBlockSize(int blockSize) {
        if (blockSize < 1 || blockSize > 1024) {
            throw new IllegalArgumentException("blockSize: expected 1..1024, found " + blockSize);
        }
        this.blockSize = blockSize;
        return this;
    }

    /** Zeroes the velocity (a new round of local training starts from zero momentum). */
    public void reset() {
        if (velocity != null) {
            velocity.device().memset32(velocity, 0);
        }
    }

    /** One step on a network's device parameters with its current device gradients. */
    public void step(GpuNetwork network) {
        step(network.layout(), network.paramsBuffer(), network.gradsBuffer());
    }

    /** One step on {@code params} (modified) with {@code grads} (not modified), both laid out by {@code layout}. */
    public void step(ParamLayout layout, DeviceBuffer params, DeviceBuffer grads) {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(params, "parameters");
        Objects.requireNonNull(grads, "gradients");
        if (params.floats() < layout.size() || grads.floats() < layout.size()) {
            throw new IllegalArgumentException("SGD: expected " + layout.size() + " parameters and gradients (layout), found "
                + params.floats() + " and " + grads.floats());
        }
        Device device = params.device();
        prepare(device, layout);
        if (rangeCount == 0) {
            return;
        }
        boolean momentum = hyper.momentum() != 0f;
        if (momentum && velocity == null) {
            velocity = device.allocFloats(layout.size());
            device.memset32(velocity, 0);
        }
        // every thread walks all ranges: enough threads for the longest one, each other range costs a loop test
        int blocks = (int) Math.max(1, Math.min(MAX_BLOCKS, ((long) longestRange + blockSize - 1) / blockSize));
        device.launch("sgd_forward_kernel", Dim3.of(blocks), Dim3.of(blockSize), 0,
            KernelArgs.create().ptr(params).ptr(grads).ptr(momentum ? velocity : null).ptr(ranges).i32(rangeCount)
                .f32(hyper.learningRate()).f32(hyper.momentum()).f32(hyper.weightDecay()));
    }

    /** Uploads the trainable ranges once per layout; checks that the velocity matches it. */
    private void prepare(Device device, ParamLayout layout) {
        if (velocity != null && (velocity.floats() != layout.size() || velocity.device() != device)) {
            throw new IllegalArgumentException("SGD: this optimiser's velocity has " + velocity.floats() + " values on "
                + velocity.device().name() + ", the layout has " + layout.size() + "; use one optimiser per model");
        }
        if (rangesLayout == layout && ranges != null && ranges.device() == device) {
            return;
        }
        if (ranges != null) {
            ranges.close();
        }
        int[] r = layout.trainableRanges();
        rangeCount = r.length / 2;
        longestRange = 0;
        for (int i = 0; i < r.length; i += 2) {
            longestRange = Math.max(longestRange, r[i + 1] - r[i]);
        }
        ranges = device.upload(r.length == 0 ? new int[] {0, 0} : r);
        rangesLayout = layout;
    }

    @Override
    public void close() {
        if (velocity != null) {
            velocity.close();
            velocity = null;
        }
        if (ranges != null) {
            ranges.close();
            ranges = null;
            rangesLayout = null;
        }
    }
}
