package org.badfl.engine;

/**
 * Max pooling ({@code torch.nn.MaxPool2d(kernel, stride)}, no padding, floor mode): each output is the maximum
 * of a k x k window; the first maximum in row-major window order wins ties and a NaN wins over numbers, as in
 * PyTorch's CPU kernel. Backward routes each output gradient to the input position that won (windows may
 * overlap when stride &lt; kernel: contributions add, in output order).
 */
public final class MaxPool2d extends Layer {

    /** Per-thread scratch of the 2x2 kernel (one output plane's intermediate values). */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private final int k;
    private final int stride;
    private float[] out;
    private float[] dIn;
    /** Winning input index within its channel plane, per output element. */
    private int[] argmax;
    private int lastBatch;

    public MaxPool2d(String name, Shape in, int kernel, int stride) {
        super(name, in, outputShape(name, in, kernel, stride));
        this.k = kernel;
        this.stride = stride;
    }

    private static Shape outputShape(String name, Shape in, int k, int stride) {
        if (k < 1 || stride < 1) {
            throw new IllegalArgumentException("layer " + name + ": MaxPool2d needs kernel and stride >= 1, got k="
                + k + " s=" + stride);
        }
        if (in.height() < k || in.width() < k) {
            throw new IllegalArgumentException("layer " + name + ": MaxPool2d kernel " + k + " does not fit input "
                + in + "; expected height and width >= " + k);
        }
        return new Shape(in.channels(), (in.height() - k) / stride + 1, (in.width() - k) / stride + 1);
    }

    public int kernel() {
        return k;
    }

    public int stride() {
        return stride;
    }

    @Override
    public String describe() {
        return "MaxPool2d(k=" + k + ", s=" + stride + ")";
    }

    @Override
    public float[] forward(Pass pass, float[] input, int batch) {
        checkInput(input, batch);
        Shape s = inputShape();
        Shape o = outputShape();
        int planes = batch * s.channels();
        out = ensure(out, (long) planes * o.plane());
        if (argmax == null || argmax.length < planes * o.plane()) {
            argmax = new int[planes * o.plane()];
        }
        pass.compute().parallelRange(planes, 16, (start, end) -> {
            for (int q = start; q < end; q++) {
                forwardPlane(input, q * s.plane(), s.height(), s.width(), k, stride, o.height(), o.width(),
                    out, argmax, q * o.plane());
            }
        });
        lastBatch = batch;
        return out;
    }

    /** Max pooling of one channel plane starting at {@code inOff}; writes outputs and winners from {@code outOff}. */
    public static void forwardPlane(float[] in, int inOff, int height, int width, int k, int stride, int outH, int outW,
                                    float[] out, int[] argmax, int outOff) {
        if (k == 2 && stride == 2) {
            // Without branches on the data (which window value wins is unpredictable), same result.
            float[] scratch = SCRATCH.get();
            if (scratch.length < Loops.poolScratch(outH, outW)) {
                scratch = new float[Loops.poolScratch(outH, outW)];
                SCRATCH.set(scratch);
            }
            Loops.maxPool2x2(in, inOff, width, outH, outW, out, argmax, outOff, scratch);
            return;
        }
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int h0 = oh * stride;
                int w0 = ow * stride;
                int best = h0 * width + w0;
                float max = in[inOff + best];
                if (max == max) { // a NaN propagates: once one has won, the window is done
                    for (int ki = 0; ki < k; ki++) {
                        int rowIdx = (h0 + ki) * width + w0;
                        for (int kj = 0; kj < k; kj++) {
                            float v = in[inOff + rowIdx + kj];
                            if (v > max || (v != v && max == max)) {
                                max = v;
                                best = rowIdx + kj;
                            }
                        }
                    }
                }
                out[outOff + oh * outW + ow] = max;
                argmax[outOff + oh * outW + ow] = best;
            }
        }
    }

    @Override
    public float[] backward(Pass pass, float[] dOut, boolean needInputGrad) {
        checkGradient(dOut, lastBatch);
        if (!needInputGrad) {
            return null;
        }
        Shape s = inputShape();
        int op = outputShape().plane();
        int planes = lastBatch * s.channels();
        dIn = ensure(dIn, (long) planes * s.plane());
        pass.compute().parallelRange(planes, 16, (start, end) -> {
            for (int q = start; q < end; q++) {
                int inOff = q * s.plane();
                java.util.Arrays.fill(dIn, inOff, inOff + s.plane(), 0f);
                int outOff = q * op;
                for (int i = 0; i < op; i++) {
                    dIn[inOff + argmax[outOff + i]] += dOut[outOff + i];
                }
            }
        });
        return dIn;
    }
}
