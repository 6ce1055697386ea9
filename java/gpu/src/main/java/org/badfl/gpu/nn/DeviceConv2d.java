package org.badfl.gpu.nn;

import org.badfl.engine.Conv2d;
import org.badfl.engine.Shape;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.Dim3;
import org.badfl.gpu.KernelArgs;

/**
 * {@link Conv2d} on the device ({@code kernels/conv2d.cu} + {@link DeviceGemm}): im2col over a chunk of images,
 * one GEMM writing NCHW with the bias in its epilogue; backward gathers the output gradient into a channel-major
 * matrix, dW (+)= dY·colsᵀ (split-K), dCols = Wᵀ·dY and col2im. Chunks hold as many images as the context's
 * im2col budget allows; the last chunk's columns are reused by the backward when no other convolution overwrote
 * them (as the engine does). Weight layout OIHW, offsets from the engine layer.
 */
public final class DeviceConv2d extends DeviceLayer {

    private final int inC;
    private final int outC;
    private final int k;
    private final int stride;
    private final int pad;
    private final DeviceBuffer weight;
    private final DeviceBuffer bias;
    private final DeviceBuffer dWeight;
    private final DeviceBuffer dBias;
    private final Workspace out;
    private final Workspace dIn;
    private DeviceBuffer lastIn;
    private int lastBatch;

    /** Identifies the im2col columns of one chunk of one forward input. */
    private record ColsKey(DeviceConv2d layer, DeviceBuffer in, int first, int count) {
    }

    public DeviceConv2d(DeviceContext ctx, Conv2d conv, DeviceBuffer params, DeviceBuffer grads) {
        super(ctx, conv);
        this.inC = conv.inChannels();
        this.outC = conv.outChannels();
        this.k = conv.kernel();
        this.stride = conv.stride();
        this.pad = conv.padding();
        int weights = outC * inC * k * k;
        this.weight = slice(params, conv.weightOffset(), weights);
        this.bias = conv.hasBias() ? slice(params, conv.biasOffset(), outC) : null;
        this.dWeight = slice(grads, conv.weightOffset(), weights);
        this.dBias = conv.hasBias() ? slice(grads, conv.biasOffset(), outC) : null;
        this.out = ctx.workspace();
        this.dIn = ctx.workspace();
    }

    private int ckk() {
        return inC * k * k;
    }

    /** Images per chunk: within the im2col budget, and few enough that every index of a chunk fits in an int. */
    private int chunk(int batch) {
        long perImage = (long) ckk() * outputShape().plane();
        int fit = (int) Math.max(1, Integer.MAX_VALUE / Math.max(perImage, Math.max(inputShape().size(), outputShape().size())));
        return Math.min(ctx.chunkImages(perImage, batch), fit);
    }

    /** im2col of images [first, first + nb) of {@code in} into the context's column workspace. */
    private DeviceBuffer im2col(DeviceBuffer in, int first, int nb) {
        Shape s = inputShape();
        Shape o = outputShape();
        int n = nb * o.plane();
        DeviceBuffer cols = ctx.cols((long) ckk() * n);
        ctx.launch("conv2d_im2col_forward_kernel", (long) nb * inC * o.plane(),
            KernelArgs.create().ptr(in.sliceFloats((long) first * s.size(), (long) nb * s.size())).i32(nb).i32(inC)
                .i32(s.height()).i32(s.width()).i32(k).i32(stride).i32(pad).i32(o.height()).i32(o.width())
                .ptr(cols).i32(n));
        ctx.colsOwner = new ColsKey(this, in, first, nb);
        return cols;
    }

    /** Grid of the column x row gather kernel: x over the columns, y over the rows (both grid-stride). */
    private Dim3 columnsByRows(int columns, int rows) {
        return new Dim3((int) Math.min(DeviceContext.MAX_GRID_BLOCKS, (columns + ctx.blockSize() - 1L) / ctx.blockSize()),
            Math.min(rows, 65535), 1);
    }

    @Override
    public DeviceBuffer forward(DevicePass pass, DeviceBuffer in, int batch) {
        checkInput(in, batch);
        Shape o = outputShape();
        int p = o.plane();
        int chunk = chunk(batch);
        DeviceBuffer y = out.floats((long) batch * o.size());
        for (int b0 = 0; b0 < batch; b0 += chunk) {
            int nb = Math.min(chunk, batch - b0);
            int n = nb * p;
            DeviceBuffer cols = im2col(in, b0, nb);
            ctx.gemm().run(false, false, outC, n, ckk(), weight, ckk(), cols, n,
                GemmOutput.nchw(y.sliceFloats((long) b0 * o.size(), (long) nb * o.size()), outC, p), bias, null, false);
        }
        lastIn = in;
        lastBatch = batch;
        return y;
    }

    @Override
    public DeviceBuffer backward(DevicePass pass, DeviceBuffer dOut, boolean needInputGrad) {
        int batch = lastBatch;
        checkGradient(dOut, batch);
        if (!needInputGrad && !pass.paramGrads()) {
            return null;
        }
        Shape s = inputShape();
        Shape o = outputShape();
        int p = o.plane();
        int ckk = ckk();
        int chunk = chunk(batch);
        DeviceBuffer dx = needInputGrad ? dIn.floats((long) batch * s.size()) : null;
        int lastChunk = ((batch - 1) / chunk) * chunk;
        // Last chunk first: its columns may still be in the workspace from the forward.
        for (int b0 = lastChunk; b0 >= 0; b0 -= chunk) {
            int nb = Math.min(chunk, batch - b0);
            int n = nb * p;
            DeviceBuffer dy = ctx.dy((long) outC * n);
            ctx.device().launch("conv2d_gather_backward_kernel", columnsByRows(n, outC), Dim3.of(ctx.blockSize()), 0,
                KernelArgs.create().ptr(dOut.sliceFloats((long) b0 * o.size(), (long) nb * o.size())).i32(nb).i32(outC)
                    .i32(p).ptr(dy));
            if (pass.paramGrads()) {
                DeviceBuffer cols = ctx.colsOwner != null && ctx.colsOwner.equals(new ColsKey(this, lastIn, b0, nb))
                    ? ctx.cols((long) ckk * n) : im2col(lastIn, b0, nb);
                ctx.gemm().run(false, true, outC, ckk, n, dy, n, cols, n, GemmOutput.rowMajor(dWeight, ckk), null, null,
                    b0 != lastChunk);
            }
            if (needInputGrad) {
                DeviceBuffer dcols = ctx.cols((long) ckk * n);
                ctx.colsOwner = null; // the workspace now holds dCols
                ctx.gemm().run(true, false, ckk, n, outC, weight, ckk, dy, n, GemmOutput.rowMajor(dcols, n), null, null, false);
                ctx.launch("conv2d_col2im_backward_kernel", DeviceContext.elements("layer " + name() + " input gradient",
                        (long) nb * s.size()),
                    KernelArgs.create().ptr(dcols).i32(n).i32(nb).i32(inC).i32(s.height()).i32(s.width()).i32(k)
                        .i32(stride).i32(pad).i32(o.height()).i32(o.width())
                        .ptr(dx.sliceFloats((long) b0 * s.size(), (long) nb * s.size())));
            }
        }
        if (pass.paramGrads() && dBias != null) {
            ctx.launchPerChannel("conv2d_bias_backward_kernel", outC,
                KernelArgs.create().ptr(dOut).i32(batch).i32(outC).i32(p).ptr(dBias));
        }
        return dx;
    }

    @Override
    public void close() {
        out.close();
        dIn.close();
    }
}
