package org.badfl.gpu.nn;

import org.badfl.engine.GlobalAvgPool;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.KernelArgs;

/**
 * {@link GlobalAvgPool} on the device ({@code kernels/global_avg_pool.cu}): per plane mean summed in double in
 * index order; backward spreads {@code dy / (H·W)}. Bit-identical to the engine.
 */
public final class DeviceGlobalAvgPool extends DeviceLayer {

    private final Workspace out;
    private final Workspace dIn;
    private int lastBatch;

    public DeviceGlobalAvgPool(DeviceContext ctx, GlobalAvgPool pool) {
        super(ctx, pool);
        this.out = ctx.workspace();
        this.dIn = ctx.workspace();
    }

    @Override
    public DeviceBuffer forward(DevicePass pass, DeviceBuffer in, int batch) {
        checkInput(in, batch);
        int planes = batch * inputShape().channels();
        DeviceContext.elements("layer " + name() + " input", (long) batch * inputShape().size());
        DeviceBuffer y = out.floats(planes);
        ctx.launch("global_avg_pool_forward_kernel", planes,
            KernelArgs.create().ptr(in).i32(planes).i32(inputShape().plane()).ptr(y));
        lastBatch = batch;
        return y;
    }

    @Override
    public DeviceBuffer backward(DevicePass pass, DeviceBuffer dOut, boolean needInputGrad) {
        checkGradient(dOut, lastBatch);
        if (!needInputGrad) {
            return null;
        }
        int planes = lastBatch * inputShape().channels();
        long n = (long) planes * inputShape().plane();
        DeviceBuffer dx = dIn.floats(n);
        ctx.launch("global_avg_pool_backward_kernel", n,
            KernelArgs.create().ptr(dOut).i32(planes).i32(inputShape().plane()).ptr(dx));
        return dx;
    }

    @Override
    public void close() {
        out.close();
        dIn.close();
    }
}
