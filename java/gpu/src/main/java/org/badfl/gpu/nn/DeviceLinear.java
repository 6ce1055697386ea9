package org.badfl.gpu.nn;

import org.badfl.engine.Linear;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.KernelArgs;

/**
 * {@link Linear} on the device: {@code Y = X·Wᵀ + b} (one GEMM, bias in its epilogue); backward
 * {@code dW = dYᵀ·X}, {@code db = Σ_b dY} ({@code kernels/linear.cu}, double, bit-identical to the engine),
 * {@code dX = dY·W}. Weight out x in, offsets from the engine layer.
 */
public final class DeviceLinear extends DeviceLayer {

    private final int inF;
    private final int outF;
    private final DeviceBuffer weight;
    private final DeviceBuffer bias;
    private final DeviceBuffer dWeight;
    private final DeviceBuffer dBias;
    private final Workspace out;
    private final Workspace dIn;
    private DeviceBuffer lastIn;
    private int lastBatch;

    public DeviceLinear(DeviceContext ctx, Linear linear, DeviceBuffer params, DeviceBuffer grads) {
        super(ctx, linear);
        this.inF = linear.inFeatures();
        this.outF = linear.outFeatures();
        this.weight = slice(params, linear.weightOffset(), outF * inF);
        this.bias = linear.hasBias() ? slice(params, linear.biasOffset(), outF) : null;
        this.dWeight = slice(grads, linear.weightOffset(), outF * inF);
        this.dBias = linear.hasBias() ? slice(grads, linear.biasOffset(), outF) : null;
        this.out = ctx.workspace();
        this.dIn = ctx.workspace();
    }

    @Override
    public DeviceBuffer forward(DevicePass pass, DeviceBuffer in, int batch) {
        checkInput(in, batch);
        DeviceBuffer y = out.floats((long) batch * outF);
        ctx.gemm().run(false, true, batch, outF, inF, in, inF, weight, inF, GemmOutput.rowMajor(y, outF), null, bias, false);
        lastIn = in;
        lastBatch = batch;
        return y;
    }

    @Override
    public DeviceBuffer backward(DevicePass pass, DeviceBuffer dOut, boolean needInputGrad) {
        int batch = lastBatch;
        checkGradient(dOut, batch);
        if (pass.paramGrads()) {
            ctx.gemm().sgemm(true, false, outF, inF, batch, dOut, outF, lastIn, inF, dWeight, inF, false);
            if (dBias != null) {
                ctx.launch("linear_bias_backward_kernel", outF, KernelArgs.create().ptr(dOut).i32(batch).i32(outF).ptr(dBias));
            }
        }
        if (!needInputGrad) {
            return null;
        }
        DeviceBuffer dx = dIn.floats((long) batch * inF);
        ctx.gemm().sgemm(false, false, batch, inF, outF, dOut, outF, weight, inF, dx, inF, false);
        return dx;
    }

    @Override
    public void close() {
        out.close();
        dIn.close();
    }
}
