package org.badfl.gpu.nn;

import org.badfl.engine.MaxPool2d;
import org.badfl.engine.Shape;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.KernelArgs;

/**
 * {@link MaxPool2d} on the device ({@code kernels/maxpool2d.cu}): same winners as the engine (first maximum in
 * row-major window order, NaN wins), backward as a gather over the windows containing each input position (output
 * order, no atomics). Bit-identical to the engine.
 */
public final class DeviceMaxPool2d extends DeviceLayer {

    private final int k;
    private final int stride;
    private final Workspace out;
    private final Workspace argmax;
    private final Workspace dIn;
    private int lastBatch;

    public DeviceMaxPool2d(DeviceContext ctx, MaxPool2d pool) {
        super(ctx, pool);
        this.k = pool.kernel();
        this.stride = pool.stride();
        this.out = ctx.workspace();
        this.argmax = ctx.workspace();
        this.dIn = ctx.workspace();
    }

    @Override
    public DeviceBuffer forward(DevicePass pass, DeviceBuffer in, int batch) {
        checkInput(in, batch);
        Shape s = inputShape();
        Shape o = outputShape();
        int planes = batch * s.channels();
        DeviceContext.elements("layer " + name() + " input", (long) planes * s.plane()); // kernels index in 32 bits
        long n = (long) planes * o.plane();
        DeviceBuffer y = out.floats(n);
        ctx.launch("maxpool2d_forward_kernel", n, KernelArgs.create().ptr(in).i32(planes).i32(s.height()).i32(s.width())
            .i32(k).i32(stride).i32(o.height()).i32(o.width()).ptr(y).ptr(argmax.ints(n)));
        lastBatch = batch;
        return y;
    }

    @Override
    public DeviceBuffer backward(DevicePass pass, DeviceBuffer dOut, boolean needInputGrad) {
        checkGradient(dOut, lastBatch);
        if (!needInputGrad) {
            return null;
        }
        Shape s = inputShape();
        Shape o = outputShape();
        int planes = lastBatch * s.channels();
        long n = (long) planes * s.plane();
        DeviceBuffer dx = dIn.floats(n);
        ctx.launch("maxpool2d_backward_kernel", n, KernelArgs.create().ptr(dOut).ptr(argmax.current()).i32(planes)
            .i32(s.height()).i32(s.width()).i32(k).i32(stride).i32(o.height()).i32(o.width()).ptr(dx));
        return dx;
    }

    @Override
    public void close() {
        out.close();
        argmax.close();
        dIn.close();
    }
}
