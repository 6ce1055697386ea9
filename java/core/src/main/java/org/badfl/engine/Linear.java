package org.badfl.engine;

import org.badfl.engine.gemm.Gemm;

/**
 * Fully connected layer {@code y = x W^T + b} as {@code torch.nn.Linear}: the input image is read as a flat
 * vector of {@code C*H*W} features (NCHW order, i.e. what {@code torch.flatten(x, 1)} gives).
 * Parameters "NAME.weight" (out x in, row-major) and "NAME.bias" (out).
 * <pre>
 *   forward:  Y (B x out) = X (B x in) * W^T ;  Y[b][o] += bias[o]
 *   backward: dW (out x in) = dY^T * X ;  db[o] = sum_b dY[b][o] (double) ;  dX (B x in) = dY * W
 * </pre>
 */
public final class Linear extends Layer {

    private final int inF;
    private final int outF;
    private final boolean hasBias;
    private int weightOffset = -1;
    private int biasOffset = -1;
    private float[] out;
    private float[] dIn;
    private float[] lastIn;
    private int lastBatch;

    public Linear(String name, Shape in, int outFeatures, boolean bias) {
        super(name, in, checkedOut(name, outFeatures));
        this.inF = in.size();
        this.outF = outFeatures;
        this.hasBias = bias;
    }

    private static Shape checkedOut(String name, int outFeatures) {
        if (outFeatures < 1) {
            throw new IllegalArgumentException("layer " + name + ": Linear needs >= 1 output features, got " + outFeatures);
        }
        return Shape.flat(outFeatures);
    }

    public int inFeatures() {
        return inF;
    }

    public int outFeatures() {
        return outF;
    }

    public boolean hasBias() {
        return hasBias;
    }

    /** Offset of the (out x in) weight in the flat buffer. */
    public int weightOffset() {
        return weightOffset;
    }

    /** Offset of the bias, or -1 without bias. */
    public int biasOffset() {
        return biasOffset;
    }

    @Override
    public String describe() {
        return "Linear(" + inF + ", " + outF + (hasBias ? "" : ", no bias") + ")";
    }

    @Override
    public long macsPerImage() {
        return (long) inF * outF;
    }

    @Override
    protected void declare(ParamLayout.Builder layout) {
        weightOffset = layout.add(name() + ".weight", outF * inF, ParamKind.WEIGHT);
        if (hasBias) {
            biasOffset = layout.add(name() + ".bias", outF, ParamKind.BIAS);
        }
    }

    @Override
    protected void initialise(long seed) {
        fillUniform(params, weightOffset, outF * inF, inF, initRandom(seed, name() + ".weight"));
        if (hasBias) {
            fillUniform(params, biasOffset, outF, inF, initRandom(seed, name() + ".bias"));
        }
    }

    @Override
    public float[] forward(Pass pass, float[] input, int batch) {
        checkInput(input, batch);
        out = ensure(out, (long) batch * outF);
        Compute compute = pass.compute();
        Gemm.sgemm(compute, false, true, batch, outF, inF, input, 0, inF, params, weightOffset, inF, out, 0, outF, false);
        if (hasBias) {
            compute.parallelFor(batch, b -> {
                int row = b * outF;
                for (int o = 0; o < outF; o++) {
                    out[row + o] += params[biasOffset + o];
                }
            });
        }
        lastIn = input;
        lastBatch = batch;
        return out;
    }

    @Override
    public float[] backward(Pass pass, float[] dOut, boolean needInputGrad) {
        int batch = lastBatch;
        checkGradient(dOut, batch);
        Compute compute = pass.compute();
        if (pass.paramGrads()) {
            Gemm.sgemm(compute, true, false, outF, inF, batch, dOut, 0, outF, lastIn, 0, inF, grads, weightOffset, inF, false);
            if (hasBias) {
                compute.parallelFor(outF, o -> {
                    double sum = 0;
                    for (int b = 0; b < batch; b++) {
                        sum += dOut[b * outF + o];
                    }
                    grads[biasOffset + o] = (float) sum;
                });
            }
        }
        if (!needInputGrad) {
            return null;
        }
        dIn = ensure(dIn, (long) batch * inF);
        Gemm.sgemm(compute, false, false, batch, inF, outF, dOut, 0, outF, params, weightOffset, inF, dIn, 0, inF, false);
        return dIn;
    }
}
