package org.badfl.gpu.nn;

import java.util.Objects;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.KernelArgs;

/**
 * {@link org.badfl.engine.SoftmaxCrossEntropy} on the device ({@code kernels/softmax_cross_entropy.cu}): per-row
 * losses and the gradient of the mean loss in double, the rows' losses added on the host in row order and divided
 * by the batch (the engine's order). Labels are checked on the host before they are uploaded.
 */
public final class DeviceSoftmaxCrossEntropy implements AutoCloseable {

    private final DeviceContext ctx;
    private final Workspace rowLoss;
    private int lastBatch;

    public DeviceSoftmaxCrossEntropy(DeviceContext ctx) {
        this.ctx = Objects.requireNonNull(ctx, "device context");
        this.rowLoss = ctx.workspace();
    }

    /**
     * Mean loss over {@code batch} rows of {@code logits} (batch x classes, not modified) with {@code labels}
     * (batch ints on the device, each in [0, classes)); writes d(mean loss)/d(logits) into {@code dLogits} unless
     * it is null. Waits for the device (the loss comes back to the host).
     */
    public double lossAndGradient(DeviceBuffer logits, DeviceBuffer labels, int batch, int classes, DeviceBuffer dLogits) {
        launch(logits, labels, batch, classes, dLogits);
        return lastLoss();
    }

    /**
     * As {@link #lossAndGradient} without waiting: the per-row losses stay on the device until {@link #lastLoss()}.
     */
    public void launch(DeviceBuffer logits, DeviceBuffer labels, int batch, int classes, DeviceBuffer dLogits) {
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(labels, "labels");
        if (batch < 1 || classes < 1) {
            throw new IllegalArgumentException("softmax cross-entropy: expected batch and classes >= 1, found " + batch + " and " + classes);
        }
        long n = (long) batch * classes;
        if (logits.floats() < n || labels.floats() < batch || (dLogits != null && dLogits.floats() < n)) {
            throw new IllegalArgumentException("softmax cross-entropy: buffers too small for batch " + batch + " x " + classes
                + " classes (logits " + logits.floats() + ", labels " + labels.floats() + ", dLogits "
                + (dLogits == null ? "none" : dLogits.floats()) + ")");
        }
        DeviceBuffer losses = rowLoss.doubles(batch);
        ctx.launch("softmax_cross_entropy_forward_kernel", batch,
            KernelArgs.create().ptr(logits).ptr(labels).i32(batch).i32(classes).ptr(losses).ptr(dLogits));
        lastBatch = batch;
    }

    /** Mean of the per-row losses of the last launch, added in row order (waits for the device); NaN before any. */
    public double lastLoss() {
        if (lastBatch == 0) {
            return Double.NaN;
        }
        double[] rows = ctx.device().downloadDoubles(rowLoss.current(), lastBatch);
        double total = 0;
        for (double r : rows) {
            total += r;
        }
        return total / lastBatch;
    }

    @Override
    public void close() {
        rowLoss.close();
    }
}
