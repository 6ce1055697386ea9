package org.badfl.gpu.nn;

import org.badfl.engine.Dropout;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.KernelArgs;
import org.badfl.util.Seeds;

/**
 * {@link Dropout} on the device ({@code kernels/dropout.cu}): the engine's stateless Philox mask
 * ({@link Dropout#keep}, key {@code Seeds.derive(seed, "dropout", stream)}), so a training step drops exactly the
 * elements the CPU drops; identity in evaluation (forward returns its input, backward its output gradient).
 */
public final class DeviceDropout extends DeviceLayer {

    private final double p;
    private final int stream;
    private final float scale;
    private final Workspace out;
    private final Workspace mask;
    private final Workspace dIn;
    private boolean lastTraining;
    private int lastBatch;

    public DeviceDropout(DeviceContext ctx, Dropout dropout) {
        super(ctx, dropout);
        this.p = dropout.probability();
        this.stream = dropout.stream();
        this.scale = (float) (1.0 / (1.0 - p));
        this.out = ctx.workspace();
        this.mask = ctx.workspace();
        this.dIn = ctx.workspace();
    }

    @Override
    public DeviceBuffer forward(DevicePass pass, DeviceBuffer in, int batch) {
        checkInput(in, batch);
        lastBatch = batch;
        lastTraining = pass.training() && p > 0;
        if (!lastTraining) {
            return in;
        }
        long n = (long) batch * inputShape().size();
        DeviceBuffer y = out.floats(n);
        long key = Seeds.derive(pass.dropoutSeed(), "dropout", stream);
        ctx.launch("dropout_forward_kernel", (n + 3) / 4, KernelArgs.create().ptr(in).ptr(y).ptr(mask.floats(n)).i64(n)
            .i64(key).i64(pass.dropoutStep()).f64(1.0 - p).f32(scale));
        return y;
    }

    @Override
    public DeviceBuffer backward(DevicePass pass, DeviceBuffer dOut, boolean needInputGrad) {
        checkGradient(dOut, lastBatch);
        if (!needInputGrad) {
            return null;
        }
        if (!lastTraining) {
            return dOut;
        }
        long n = (long) lastBatch * inputShape().size();
        DeviceBuffer dx = dIn.floats(n);
        ctx.launch("dropout_backward_kernel", n, KernelArgs.create().ptr(dOut).ptr(mask.current()).ptr(dx).i64(n));
        return dx;
    }

    @Override
    public void close() {
        out.close();
        mask.close();
        dIn.close();
    }
}
