package org.badfl.gpu.nn;

import org.badfl.engine.BatchNorm2d;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.KernelArgs;

/**
 * {@link BatchNorm2d} on the device ({@code kernels/batchnorm2d.cu}): PyTorch semantics exactly as the engine
 * (momentum 0.1, biased variance for normalising, unbiased for the running variance, eps 1e-5, statistics in
 * double); train-mode forwards update the running statistics in the model's flat buffer. Per-channel sums are
 * block reductions (double), so results differ from the engine's sequential sums only by double reassociation.
 */
public final class DeviceBatchNorm2d extends DeviceLayer {

    private final int channels;
    private final DeviceBuffer gamma;
    private final DeviceBuffer beta;
    private final DeviceBuffer runningMean;
    private final DeviceBuffer runningVar;
    private final DeviceBuffer dGamma;
    private final DeviceBuffer dBeta;
    private final DeviceBuffer stats;   // double [mu, istd] per channel
    private final DeviceBuffer affine;  // float [scale, shift] per channel
    private final DeviceBuffer sums;    // double [Σdy, Σdy·xhat] per channel
    private final Workspace out;
    private final Workspace dIn;
    private DeviceBuffer lastIn;
    private int lastBatch;
    private boolean lastTraining;

    public DeviceBatchNorm2d(DeviceContext ctx, BatchNorm2d bn, DeviceBuffer params, DeviceBuffer grads) {
        super(ctx, bn);
        this.channels = bn.channels();
        this.gamma = slice(params, bn.weightOffset(), channels);
        this.beta = slice(params, bn.biasOffset(), channels);
        this.runningMean = slice(params, bn.runningMeanOffset(), channels);
        this.runningVar = slice(params, bn.runningVarOffset(), channels);
        this.dGamma = slice(grads, bn.weightOffset(), channels);
        this.dBeta = slice(grads, bn.biasOffset(), channels);
        this.stats = ctx.device().allocDoubles(2L * channels);
        this.affine = ctx.device().allocFloats(2L * channels);
        this.sums = ctx.device().allocDoubles(2L * channels);
        this.out = ctx.workspace();
        this.dIn = ctx.workspace();
    }

    @Override
    public DeviceBuffer forward(DevicePass pass, DeviceBuffer in, int batch) {
        checkInput(in, batch);
        int p = inputShape().plane();
        DeviceContext.elements("layer " + name() + " input", (long) batch * inputShape().size());
        if (pass.training() && (long) batch * p < 2) {
            throw new IllegalArgumentException("layer " + name() + ": BatchNorm2d in training needs more than 1 value"
                + " per channel, got batch " + batch + " x " + inputShape());
        }
        ctx.launchPerChannel("batchnorm2d_stats_forward_kernel", channels,
            KernelArgs.create().ptr(in).i32(batch).i32(channels).i32(p).i32(pass.training() ? 1 : 0).ptr(gamma).ptr(beta)
                .ptr(runningMean).ptr(runningVar).ptr(stats).ptr(affine));
        long n = (long) batch * inputShape().size();
        DeviceBuffer y = out.floats(n);
        ctx.launch("batchnorm2d_forward_kernel", n,
            KernelArgs.create().ptr(in).ptr(y).i32(batch).i32(channels).i32(p).ptr(affine));
        lastIn = in;
        lastBatch = batch;
        lastTraining = pass.training();
        return y;
    }

    @Override
    public DeviceBuffer backward(DevicePass pass, DeviceBuffer dOut, boolean needInputGrad) {
        int batch = lastBatch;
        checkGradient(dOut, batch);
        int p = inputShape().plane();
        boolean paramGrads = pass.paramGrads();
        if (lastTraining || paramGrads) {
            ctx.launchPerChannel("batchnorm2d_reduce_backward_kernel", channels,
                KernelArgs.create().ptr(lastIn).ptr(dOut).i32(batch).i32(channels).i32(p).ptr(stats).ptr(sums)
                    .ptr(paramGrads ? dGamma : null).ptr(paramGrads ? dBeta : null));
        }
        if (!needInputGrad) {
            return null;
        }
        long n = (long) batch * inputShape().size();
        DeviceBuffer dx = dIn.floats(n);
        ctx.launch("batchnorm2d_backward_kernel", n,
            KernelArgs.create().ptr(lastIn).ptr(dOut).ptr(dx).i32(batch).i32(channels).i32(p).i32(lastTraining ? 1 : 0)
                .ptr(gamma).ptr(stats).ptr(sums).ptr(affine));
        return dx;
    }

    @Override
    public void close() {
        stats.close();
        affine.close();
        sums.close();
        out.close();
        dIn.close();
    }
}
