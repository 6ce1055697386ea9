package org.badfl.engine;

import java.util.SplittableRandom;
import org.badfl.engine.gemm.Gemm;

/**
 * 2-D convolution (cross-correlation, as {@code torch.nn.Conv2d}) with square kernel, stride, zero padding and
 * optional bias. Weight layout OIHW: element (o, c, ki, kj) at {@code weight[((o*C + c)*k + ki)*k + kj]};
 * parameters "NAME.weight" (outC x inC x k x k) and "NAME.bias" (outC).
 * <p>Computed as im2col + GEMM over a chunk of images at once: with {@code CKK = inC*k*k},
 * {@code P = OH*OW} and a chunk of {@code nb} images,
 * <pre>
 *   cols (CKK x nb*P)      = im2col(input chunk)              ({@link #im2col})
 *   Y    (outC x nb*P)     = W (outC x CKK) * cols            (Gemm)
 *   out[n][o][p]           = Y[o][n*P + p] + bias[o]
 * backward, with dY gathered from dOut the same way:
 *   dW  (+)= dY * cols^T     (chunks accumulate in a fixed order)
 *   db[o]  = sum over n, p of dOut[n][o][p]              (double accumulator)
 *   dCols  = W^T * dY ;  dIn = col2im(dCols)             ({@link #col2im})
 * </pre>
 * The chunk size depends only on the layer shape and batch ({@link #COLS_BUDGET}), never on the threads.
 */
public final class Conv2d extends Layer {

    /** Maximum floats in the im2col buffer; the batch is processed in chunks of images that fit (at least one). */
    static final long COLS_BUDGET = 1L << 23;

    private final int inC;
    private final int outC;
    private final int k;
    private final int stride;
    private final int pad;
    private final boolean hasBias;
    private final long colsBudget;
    private int weightOffset = -1;
    private int biasOffset = -1;

    private float[] out;
    private float[] dIn;
    private float[] cols;
    private float[] y;
    private float[] lastIn;
    private int lastBatch;
    /** First image of the chunk whose im2col is in {@link #cols}, or -1. */
    private int colsChunk = -1;

    /**
     * @param name     layer name (parameter prefix)
     * @param in       input shape (its channels are the input channels)
     * @param outC     output channels
     * @param kernel   kernel size (square)
     * @param stride   stride
     * @param padding  zero padding on every side
     * @param bias     whether the layer has a bias
     */
    public Conv2d(String name, Shape in, int outC, int kernel, int stride, int padding, boolean bias) {
        this(name, in, outC, kernel, stride, padding, bias, COLS_BUDGET);
    }

    /** As the public constructor, with the im2col budget in floats (tests use a small one to exercise chunking). */
    Conv2d(String name, Shape in, int outC, int kernel, int stride, int padding, boolean bias, long colsBudget) {
        super(name, in, outputShape(name, in, outC, kernel, stride, padding));
        this.colsBudget = colsBudget;
        this.inC = in.channels();
        this.outC = outC;
        this.k = kernel;
        this.stride = stride;
        this.pad = padding;
        this.hasBias = bias;
    }

    private static Shape outputShape(String name, Shape in, int outC, int k, int stride, int pad) {
        if (outC < 1 || k < 1 || stride < 1 || pad < 0) {
            throw new IllegalArgumentException("layer " + name + ": Conv2d needs outC, kernel, stride >= 1 and padding >= 0,"
                + " got outC=" + outC + " k=" + k + " s=" + stride + " p=" + pad);
        }
        int oh = Math.floorDiv(in.height() + 2 * pad - k, stride) + 1;
        int ow = Math.floorDiv(in.width() + 2 * pad - k, stride) + 1;
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("layer " + name + ": Conv2d kernel " + k + " (padding " + pad
                + ") does not fit input " + in + "; expected height and width >= " + (k - 2 * pad));
        }
        return new Shape(outC, oh, ow);
    }

    public int inChannels() {
        return inC;
    }

    public int outChannels() {
        return outC;
    }

    public int kernel() {
        return k;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return pad;
    }

    public boolean hasBias() {
        return hasBias;
    }

    /** Offset of the OIHW weight in the flat buffer. */
    public int weightOffset() {
        return weightOffset;
    }

    /** Offset of the bias in the flat buffer, or -1 without bias. */
    public int biasOffset() {
        return biasOffset;
    }

    @Override
    public String describe() {
        return "Conv2d(" + inC + ", " + outC + ", k=" + k + ", s=" + stride + ", p=" + pad + (hasBias ? "" : ", no bias") + ")";
    }

    @Override
    public long macsPerImage() {
        return (long) outputShape().size() * inC * k * k;
    }

    @Override
    protected void declare(ParamLayout.Builder layout) {
        weightOffset = layout.add(name() + ".weight", outC * inC * k * k, ParamKind.WEIGHT);
        if (hasBias) {
            biasOffset = layout.add(name() + ".bias", outC, ParamKind.BIAS);
        }
    }

    @Override
    protected void initialise(long seed) {
        int fanIn = inC * k * k;
        fillUniform(params, weightOffset, outC * fanIn, fanIn, initRandom(seed, name() + ".weight"));
        if (hasBias) {
            SplittableRandom rng = initRandom(seed, name() + ".bias");
            fillUniform(params, biasOffset, outC, fanIn, rng);
        }
    }

    /** Images per im2col chunk for this batch. */
    int chunkImages(int batch) {
        long perImage = (long) inC * k * k * outputShape().plane();
        return (int) Math.max(1, Math.min(batch, colsBudget / perImage));
    }

    @Override
    public float[] forward(Pass pass, float[] input, int batch) {
        checkInput(input, batch);
        Shape o = outputShape();
        int p = o.plane();
        int ckk = inC * k * k;
        int chunk = chunkImages(batch);
        out = ensure(out, (long) batch * o.size());
        cols = ensure(cols, (long) ckk * chunk * p);
        y = ensure(y, (long) outC * chunk * p);
        Compute compute = pass.compute();
        for (int b0 = 0; b0 < batch; b0 += chunk) {
            int nb = Math.min(chunk, batch - b0);
            int n = nb * p;
            fillCols(compute, input, b0, nb);
            Gemm.sgemm(compute, false, false, outC, n, ckk, params, weightOffset, ckk, cols, 0, n, y, 0, n, false);
            final int first = b0;
            compute.parallelFor(nb, j -> scatterOutput(first + j, j, n));
            colsChunk = b0;
        }
        lastIn = input;
        lastBatch = batch;
        return out;
    }

    private void fillCols(Compute compute, float[] input, int b0, int nb) {
        Shape s = inputShape();
        Shape o = outputShape();
        int n = nb * o.plane();
        compute.parallelFor(nb, j -> im2col(input, (b0 + j) * s.size(), inC, s.height(), s.width(), k, stride, pad,
            o.height(), o.width(), cols, j * o.plane(), n));
    }

    /** out[image][o][p] = Y[o][j*P + p] + bias[o]. */
    private void scatterOutput(int image, int j, int n) {
        int p = outputShape().plane();
        int base = image * outputShape().size();
        for (int oc = 0; oc < outC; oc++) {
            float b = hasBias ? params[biasOffset + oc] : 0f;
            int src = oc * n + j * p;
            int dst = base + oc * p;
            for (int i = 0; i < p; i++) {
                out[dst + i] = y[src + i] + b;
            }
        }
    }

    @Override
    public float[] backward(Pass pass, float[] dOut, boolean needInputGrad) {
        int batch = lastBatch;
        checkGradient(dOut, batch);
        if (!needInputGrad && !pass.paramGrads()) {
            return null;
        }
        Shape s = inputShape();
        Shape o = outputShape();
        int p = o.plane();
        int ckk = inC * k * k;
        int chunk = chunkImages(batch);
        Compute compute = pass.compute();
        if (needInputGrad) {
            dIn = ensure(dIn, (long) batch * s.size());
        }
        int lastChunk = ((batch - 1) / chunk) * chunk;
        // Chunks run last to first so the last forward chunk's im2col is reused; the order is fixed either way.
        for (int b0 = lastChunk; b0 >= 0; b0 -= chunk) {
            int nb = Math.min(chunk, batch - b0);
            int n = nb * p;
            final int first = b0;
            compute.parallelFor(nb, j -> gatherGradient(dOut, first + j, j, n));
            if (pass.paramGrads()) {
                if (colsChunk != b0) {
                    fillCols(compute, lastIn, b0, nb);
                    colsChunk = b0;
                }
                Gemm.sgemm(compute, false, true, outC, ckk, n, y, 0, n, cols, 0, n, grads, weightOffset, ckk,
                    b0 != lastChunk);
            }
            if (needInputGrad) {
                Gemm.sgemm(compute, true, false, ckk, n, outC, params, weightOffset, ckk, y, 0, n, cols, 0, n, false);
                colsChunk = -1; // cols now holds dCols
                compute.parallelFor(nb, j -> {
                    int off = (first + j) * s.size();
                    java.util.Arrays.fill(dIn, off, off + s.size(), 0f);
                    col2im(cols, j * p, n, inC, s.height(), s.width(), k, stride, pad, o.height(), o.width(), dIn, off);
                });
            }
        }
        if (pass.paramGrads() && hasBias) {
            compute.parallelFor(outC, oc -> {
                double sum = 0;
                for (int b = 0; b < batch; b++) {
                    int off = b * o.size() + oc * p;
                    for (int i = 0; i < p; i++) {
                        sum += dOut[off + i];
                    }
                }
                grads[biasOffset + oc] = (float) sum;
            });
        }
        return needInputGrad ? dIn : null;
    }

    /** Y[o][j*P + p] = dOut[image][o][p] (Y doubles as the dY buffer in backward). */
    private void gatherGradient(float[] dOut, int image, int j, int n) {
        int p = outputShape().plane();
        int base = image * outputShape().size();
        for (int oc = 0; oc < outC; oc++) {
            System.arraycopy(dOut, base + oc * p, y, oc * n + j * p, p);
        }
    }

    /** First output column whose input column {@code ow*stride + shift} is >= 0. */
    private static int firstValid(int shift, int stride) {
        return shift >= 0 ? 0 : (-shift + stride - 1) / stride;
    }

    /** One past the last output column whose input column {@code ow*stride + shift} is < width (capped at outW). */
    private static int endValid(int shift, int stride, int width, int outW) {
        int last = width - 1 - shift;
        return last < 0 ? 0 : Math.min(outW, last / stride + 1);
    }

    /**
     * im2col of one image: {@code cols[(c*k + ki)*k + kj][colOff + oh*OW + ow] = in[c][oh*s - pad + ki][ow*s - pad + kj]}
     * (0 outside the image), rows {@code ld} apart. Input {@code in} (not modified) starts at {@code inOff}.
     */
    public static void im2col(float[] in, int inOff, int channels, int height, int width, int k, int stride, int pad,
                              int outH, int outW, float[] cols, int colOff, int ld) {
        for (int c = 0; c < channels; c++) {
            int plane = inOff + c * height * width;
            for (int ki = 0; ki < k; ki++) {
                for (int kj = 0; kj < k; kj++) {
                    int row = ((c * k + ki) * k + kj) * ld + colOff;
                    int shift = kj - pad;
                    int lo = Math.min(firstValid(shift, stride), outW);
                    int hi = Math.max(lo, endValid(shift, stride, width, outW));
                    for (int oh = 0; oh < outH; oh++) {
                        int ih = oh * stride - pad + ki;
                        int dst = row + oh * outW;
                        if (ih < 0 || ih >= height) {
                            java.util.Arrays.fill(cols, dst, dst + outW, 0f);
                            continue;
                        }
                        int src = plane + ih * width + shift;
                        for (int ow = 0; ow < lo; ow++) {
                            cols[dst + ow] = 0f;
                        }
                        if (stride == 1) {
                            System.arraycopy(in, src + lo, cols, dst + lo, hi - lo);
                        } else {
                            for (int ow = lo; ow < hi; ow++) {
                                cols[dst + ow] = in[src + ow * stride];
                            }
                        }
                        for (int ow = hi; ow < outW; ow++) {
                            cols[dst + ow] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * Adjoint of {@link #im2col}: adds every {@code cols} entry of one image back onto the input position it was
     * copied from ({@code dIn} accumulates; zero it first). Summation order: rows (c, ki, kj), then (oh, ow).
     */
    public static void col2im(float[] cols, int colOff, int ld, int channels, int height, int width, int k, int stride,
                              int pad, int outH, int outW, float[] dIn, int inOff) {
        for (int c = 0; c < channels; c++) {
            int plane = inOff + c * height * width;
            for (int ki = 0; ki < k; ki++) {
                for (int kj = 0; kj < k; kj++) {
                    int row = ((c * k + ki) * k + kj) * ld + colOff;
                    int shift = kj - pad;
                    int lo = Math.min(firstValid(shift, stride), outW);
                    int hi = Math.max(lo, endValid(shift, stride, width, outW));
                    for (int oh = 0; oh < outH; oh++) {
                        int ih = oh * stride - pad + ki;
                        if (ih < 0 || ih >= height) {
                            continue;
                        }
                        int src = row + oh * outW;
                        int dst = plane + ih * width + shift;
                        for (int ow = lo; ow < hi; ow++) {
                            dIn[dst + ow * stride] += cols[src + ow];
                        }
                    }
                }
            }
        }
    }
}
