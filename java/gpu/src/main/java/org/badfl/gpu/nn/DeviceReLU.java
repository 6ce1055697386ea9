package org.badfl.gpu.nn;

import org.badfl.engine.ReLU;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.KernelArgs;

/**
 * {@link ReLU} on the device ({@code kernels/relu.cu}): {@code y = max(x, 0)} (NaN propagates); backward plain
 * ({@code dy} where {@code x > 0}) or, in a guided pass, guided backpropagation ({@code dy} where {@code x > 0} and
 * {@code dy > 0}). Bit-identical to the engine.
 */
public final class DeviceReLU extends DeviceLayer {

    private final Workspace out;
    private final Workspace dIn;
    private DeviceBuffer lastIn;
    private int lastBatch;

    public DeviceReLU(DeviceContext ctx, ReLU relu) {
        super(ctx, relu);
        this.out = ctx.workspace();
        this.dIn = ctx.workspace();
    }

    @Override
    public DeviceBuffer forward(DevicePass pass, DeviceBuffer in, int batch) {
        checkInput(in, batch);
        long n = (long) batch * inputShape().size();
        DeviceBuffer y = out.floats(n);
        ctx.launch("relu_forward_kernel", n, KernelArgs.create().ptr(in).ptr(y).i64(n));
        lastIn = in;
        lastBatch = batch;
        return y;
    }

    @Override
    public DeviceBuffer backward(DevicePass pass, DeviceBuffer dOut, boolean needInputGrad) {
        checkGradient(dOut, lastBatch);
        if (!needInputGrad) {
            return null;
        }
        long n = (long) lastBatch * inputShape().size();
        DeviceBuffer dx = dIn.floats(n);
        ctx.launch(pass.guided() ? "relu_guided_backward_kernel" : "relu_backward_kernel", n,
            KernelArgs.create().ptr(lastIn).ptr(dOut).ptr(dx).i64(n));
        return dx;
    }

    @Override
    public void close() {
        out.close();
        dIn.close();
    }
}
