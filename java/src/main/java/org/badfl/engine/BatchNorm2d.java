package org.badfl.engine;

/**
 * Batch normalisation over (N, H, W) per channel, as {@code torch.nn.BatchNorm2d(C)} (eps 1e-5, momentum 0.1,
 * affine, tracking running statistics; no {@code num_batches_tracked}). Parameters, in state_dict order:
 * "NAME.weight" (gamma, WEIGHT), "NAME.bias" (beta, BIAS), "NAME.running_mean" and "NAME.running_var"
 * (kinds BN_RUNNING_*, not trained, never touched by backward).
 * <pre>
 * train:  mu = mean(x), var = mean((x - mu)^2)  (biased, normalises)      sums over n = N*H*W in double
 *         y = gamma * (x - mu) / sqrt(var + eps) + beta
 *         running_mean = (1 - m) * running_mean + m * mu
 *         running_var  = (1 - m) * running_var  + m * var * n / (n - 1)    (unbiased)
 *         backward: xhat = (x - mu) * istd,  dgamma = sum dy*xhat,  dbeta = sum dy,
 *                   dx = gamma * istd * (dy - sum(dy)/n - xhat * sum(dy*xhat)/n)
 * eval:   y = gamma * (x - running_mean) / sqrt(running_var + eps) + beta;  dx = dy * gamma / sqrt(running_var + eps)
 * </pre>
 * Work is split over channels; each channel's sums run in a fixed order.
 */
public final class BatchNorm2d extends Layer {

    public static final double EPS = 1e-5;
    public static final double MOMENTUM = 0.1;

    private final int channels;
    private int weightOffset = -1;
    private int biasOffset = -1;
    private int meanOffset = -1;
    private int varOffset = -1;

    private float[] out;
    private float[] dIn;
    private float[] lastIn;
    private int lastBatch;
    private boolean lastTraining;
    /** Per channel: mean and 1/sqrt(var + eps) used by the last forward (batch or running statistics). */
    private double[] mean;
    private double[] istd;

    public BatchNorm2d(String name, Shape shape) {
        super(name, shape, shape);
        this.channels = shape.channels();
        this.mean = new double[channels];
        this.istd = new double[channels];
    }

    public int channels() {
        return channels;
    }

    public int weightOffset() {
        return weightOffset;
    }

    public int biasOffset() {
        return biasOffset;
    }

    public int runningMeanOffset() {
        return meanOffset;
    }

    public int runningVarOffset() {
        return varOffset;
    }

    @Override
    public String describe() {
        return "BatchNorm2d(" + channels + ")";
    }

    @Override
    protected void declare(ParamLayout.Builder layout) {
        weightOffset = layout.add(name() + ".weight", channels, ParamKind.WEIGHT);
        biasOffset = layout.add(name() + ".bias", channels, ParamKind.BIAS);
        meanOffset = layout.add(name() + ".running_mean", channels, ParamKind.BN_RUNNING_MEAN);
        varOffset = layout.add(name() + ".running_var", channels, ParamKind.BN_RUNNING_VAR);
    }

    @Override
    protected void initialise(long seed) {
        java.util.Arrays.fill(params, weightOffset, weightOffset + channels, 1f);
        java.util.Arrays.fill(params, biasOffset, biasOffset + channels, 0f);
        java.util.Arrays.fill(params, meanOffset, meanOffset + channels, 0f);
        java.util.Arrays.fill(params, varOffset, varOffset + channels, 1f);
    }

    @Override
    public float[] forward(Pass pass, float[] input, int batch) {
        checkInput(input, batch);
        int p = inputShape().plane();
        long count = (long) batch * p;
        if (pass.training() && count < 2) {
            throw new IllegalArgumentException("layer " + name() + ": BatchNorm2d in training needs more than 1 value"
                + " per channel, got batch " + batch + " x " + inputShape());
        }
        out = ensure(out, (long) batch * inputShape().size());
        boolean training = pass.training();
        pass.compute().parallelFor(channels, c -> forwardChannel(input, batch, c, training));
        lastIn = input;
        lastBatch = batch;
        lastTraining = training;
        return out;
    }

    private void forwardChannel(float[] in, int batch, int c, boolean training) {
        int p = inputShape().plane();
        int stride = inputShape().size();
        double mu;
        double is;
        if (training) {
            double n = (double) batch * p;
            double sum = 0;
            for (int b = 0; b < batch; b++) {
                int off = b * stride + c * p;
                for (int i = 0; i < p; i++) {
                    sum += in[off + i];
                }
            }
            mu = sum / n;
            double sq = 0;
            for (int b = 0; b < batch; b++) {
                int off = b * stride + c * p;
                for (int i = 0; i < p; i++) {
                    double d = in[off + i] - mu;
                    sq += d * d;
                }
            }
            double var = sq / n;
            is = 1.0 / Math.sqrt(var + EPS);
            params[meanOffset + c] = (float) ((1 - MOMENTUM) * params[meanOffset + c] + MOMENTUM * mu);
            params[varOffset + c] = (float) ((1 - MOMENTUM) * params[varOffset + c] + MOMENTUM * var * n / (n - 1));
        } else {
            mu = params[meanOffset + c];
            is = 1.0 / Math.sqrt(params[varOffset + c] + EPS);
        }
        mean[c] = mu;
        istd[c] = is;
        double gamma = params[weightOffset + c];
        float scale = (float) (gamma * is);
        float shift = (float) (params[biasOffset + c] - mu * gamma * is);
        for (int b = 0; b < batch; b++) {
            int off = b * stride + c * p;
            for (int i = 0; i < p; i++) {
                out[off + i] = in[off + i] * scale + shift;
            }
        }
    }

    @Override
    public float[] backward(Pass pass, float[] dOut, boolean needInputGrad) {
        int batch = lastBatch;
        checkGradient(dOut, batch);
        if (needInputGrad) {
            dIn = ensure(dIn, (long) batch * inputShape().size());
        }
        boolean paramGrads = pass.paramGrads();
        pass.compute().parallelFor(channels, c -> backwardChannel(dOut, batch, c, needInputGrad, paramGrads));
        return needInputGrad ? dIn : null;
    }

    private void backwardChannel(float[] dOut, int batch, int c, boolean needInputGrad, boolean paramGrads) {
        int p = inputShape().plane();
        int stride = inputShape().size();
        double mu = mean[c];
        double is = istd[c];
        double gamma = params[weightOffset + c];
        if (!lastTraining && !paramGrads) {
            if (needInputGrad) {
                scaleGradient(dOut, batch, c, (float) (gamma * is));
            }
            return;
        }
        double sumDy = 0;
        double sumDyXhat = 0;
        float[] in = lastIn;
        for (int b = 0; b < batch; b++) {
            int off = b * stride + c * p;
            for (int i = 0; i < p; i++) {
                double dy = dOut[off + i];
                sumDy += dy;
                sumDyXhat += dy * ((in[off + i] - mu) * is);
            }
        }
        if (paramGrads) {
            grads[weightOffset + c] = (float) sumDyXhat;
            grads[biasOffset + c] = (float) sumDy;
        }
        if (!needInputGrad) {
            return;
        }
        if (!lastTraining) {
            scaleGradient(dOut, batch, c, (float) (gamma * is));
            return;
        }
        double n = (double) batch * p;
        double meanDy = sumDy / n;
        double meanDyXhat = sumDyXhat / n;
        double k = gamma * is;
        for (int b = 0; b < batch; b++) {
            int off = b * stride + c * p;
            for (int i = 0; i < p; i++) {
                double xhat = (in[off + i] - mu) * is;
                dIn[off + i] = (float) (k * (dOut[off + i] - meanDy - xhat * meanDyXhat));
            }
        }
    }

    private void scaleGradient(float[] dOut, int batch, int c, float scale) {
        int p = inputShape().plane();
        int stride = inputShape().size();
        for (int b = 0; b < batch; b++) {
            int off = b * stride + c * p;
            for (int i = 0; i < p; i++) {
                dIn[off + i] = dOut[off + i] * scale;
            }
        }
    }
}
