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
 *                   dx = gamma * istd * (dy - sum(dy)/n - xhat * sum(dy*xhat)/n)   (sums in double, dx in float)
 * eval:   y = gamma * (x - running_mean) / sqrt(running_var + eps) + beta;  dx = dy * gamma / sqrt(running_var + eps)
 * </pre>
 * The per-channel sums read the batch in memory order: fixed groups of {@link #GROUP_IMAGES} images run in
 * parallel, each adding its images' channel planes image by image (per plane, eight or four interleaved double
 * chains added pairwise); the group sums are then added in group order. Element-wise passes run over images.
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

    /** Images per group of the statistics passes (fixed, so the summation order depends on the batch only). */
    static final int GROUP_IMAGES = 4;

    private int groups(int batch) {
        return (batch + GROUP_IMAGES - 1) / GROUP_IMAGES;
    }

    /** Per-group partial sums, {@code groups x channels}, grown to the largest batch seen. */
    private double[] partialA = new double[0];
    private double[] partialB = new double[0];
    private float[] scale;
    private float[] shift;

    private void ensurePartials(int groups) {
        if (partialA.length < groups * channels) {
            partialA = new double[groups * channels];
            partialB = new double[groups * channels];
        }
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
        Compute compute = pass.compute();
        if (scale == null) {
            scale = new float[channels];
            shift = new float[channels];
        }
        if (training) {
            batchStatistics(compute, input, batch);
        }
        for (int c = 0; c < channels; c++) {
            if (!training) {
                mean[c] = params[meanOffset + c];
                istd[c] = 1.0 / Math.sqrt(params[varOffset + c] + EPS);
            }
            double gamma = params[weightOffset + c];
            scale[c] = (float) (gamma * istd[c]);
            shift[c] = (float) (params[biasOffset + c] - mean[c] * gamma * istd[c]);
        }
        int size = inputShape().size();
        compute.parallelFor(batch, b -> {
            for (int c = 0; c < channels; c++) {
                Loops.scaleShift(input, out, b * size + c * p, p, scale[c], shift[c]);
            }
        });
        lastIn = input;
        lastBatch = batch;
        lastTraining = training;
        return out;
    }

    /**
     * Batch mean and biased variance per channel (two passes, in double) into {@link #mean} / {@link #istd}, and
     * the running statistics update. The passes read the batch in memory order: image groups in parallel, each
     * summing its images' channel planes (eight chains per plane) image by image; the groups' partial sums are
     * then added in group order.
     */
    private void batchStatistics(Compute compute, float[] in, int batch) {
        int p = inputShape().plane();
        int size = inputShape().size();
        int groups = groups(batch);
        ensurePartials(groups);
        double[] sums = partialA;
        compute.parallelFor(groups, g -> {
            int b1 = Math.min(batch, (g + 1) * GROUP_IMAGES);
            for (int b = g * GROUP_IMAGES; b < b1; b++) {
                for (int c = 0; c < channels; c++) {
                    double v = sum8(in, b * size + c * p, p);
                    sums[g * channels + c] = b == g * GROUP_IMAGES ? v : sums[g * channels + c] + v;
                }
            }
        });
        double n = (double) batch * p;
        for (int c = 0; c < channels; c++) {
            mean[c] = addGroups(sums, groups, c) / n;
        }
        double[] squares = partialB;
        compute.parallelFor(groups, g -> {
            int b1 = Math.min(batch, (g + 1) * GROUP_IMAGES);
            for (int b = g * GROUP_IMAGES; b < b1; b++) {
                for (int c = 0; c < channels; c++) {
                    double v = squaredDeviations8(in, b * size + c * p, p, mean[c]);
                    squares[g * channels + c] = b == g * GROUP_IMAGES ? v : squares[g * channels + c] + v;
                }
            }
        });
        for (int c = 0; c < channels; c++) {
            double var = addGroups(squares, groups, c) / n;
            istd[c] = 1.0 / Math.sqrt(var + EPS);
            params[meanOffset + c] = (float) ((1 - MOMENTUM) * params[meanOffset + c] + MOMENTUM * mean[c]);
            params[varOffset + c] = (float) ((1 - MOMENTUM) * params[varOffset + c] + MOMENTUM * var * n / (n - 1));
        }
    }

    /** Sum over groups, in group order, of channel {@code c}'s partials. */
    private double addGroups(double[] partials, int groups, int c) {
        double sum = partials[c];
        for (int g = 1; g < groups; g++) {
            sum += partials[g * channels + c];
        }
        return sum;
    }

    @Override
    public float[] backward(Pass pass, float[] dOut, boolean needInputGrad) {
        int batch = lastBatch;
        checkGradient(dOut, batch);
        if (needInputGrad) {
            dIn = ensure(dIn, (long) batch * inputShape().size());
        }
        boolean paramGrads = pass.paramGrads();
        Compute compute = pass.compute();
        int p = inputShape().plane();
        int size = inputShape().size();
        if (!lastTraining && !paramGrads) {
            if (needInputGrad) {
                compute.parallelFor(batch, b -> {
                    for (int c = 0; c < channels; c++) {
                        Loops.scale(dOut, dIn, b * size + c * p, p, (float) (params[weightOffset + c] * istd[c]));
                    }
                });
            }
            return needInputGrad ? dIn : null;
        }
        // sum dy and sum dy * (x - mu) per channel, by image groups in memory order (as the forward statistics).
        int groups = groups(batch);
        ensurePartials(groups);
        double[] sumDy = partialA;
        double[] sumDyDev = partialB;
        float[] in = lastIn;
        compute.parallelFor(groups, g -> {
            int b1 = Math.min(batch, (g + 1) * GROUP_IMAGES);
            for (int b = g * GROUP_IMAGES; b < b1; b++) {
                boolean first = b == g * GROUP_IMAGES;
                for (int c = 0; c < channels; c++) {
                    int off = b * size + c * p;
                    int slot = g * channels + c;
                    double dy = sum8(dOut, off, p);
                    double dyDev = productDeviations4(dOut, in, off, p, mean[c]);
                    sumDy[slot] = first ? dy : sumDy[slot] + dy;
                    sumDyDev[slot] = first ? dyDev : sumDyDev[slot] + dyDev;
                }
            }
        });
        double n = (double) batch * p;
        for (int c = 0; c < channels; c++) {
            double dBeta = addGroups(sumDy, groups, c);
            double dGamma = addGroups(sumDyDev, groups, c) * istd[c]; // sum dy * xhat
            if (paramGrads) {
                grads[weightOffset + c] = (float) dGamma;
                grads[biasOffset + c] = (float) dBeta;
            }
            // Reuse the group-0 slots for the per-channel means the input gradient needs.
            sumDy[c] = dBeta / n;
            sumDyDev[c] = dGamma / n;
        }
        if (!needInputGrad) {
            return null;
        }
        if (!lastTraining) {
            compute.parallelFor(batch, b -> {
                for (int c = 0; c < channels; c++) {
                    Loops.scale(dOut, dIn, b * size + c * p, p, (float) (params[weightOffset + c] * istd[c]));
                }
            });
            return dIn;
        }
        compute.parallelFor(batch, b -> {
            for (int c = 0; c < channels; c++) {
                inputGradientPlane(dOut, in, b * size + c * p, p, mean[c], istd[c],
                    params[weightOffset + c] * istd[c], sumDy[c], sumDyDev[c]);
            }
        });
        return dIn;
    }

    /** dx = gamma istd (dy - mean(dy) - xhat mean(dy xhat)) on one channel plane, in float ({@link Loops}). */
    private void inputGradientPlane(float[] dOut, float[] in, int off, int p, double mu, double is, double k,
                                    double meanDy, double meanDyXhat) {
        Loops.batchNormInputGradient(dOut, in, dIn, off, p, (float) mu, (float) is, (float) k, (float) meanDy,
            (float) meanDyXhat);
    }

    /**
     * Sum of {@code x[off .. off+n)} in double over eight chains (value i to chain i % 8, chains added
     * pairwise): one chain would be bound by the latency of the add.
     */
    static double sum8(float[] x, int off, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            s0 += x[off + i];
            s1 += x[off + i + 1];
            s2 += x[off + i + 2];
            s3 += x[off + i + 3];
            s4 += x[off + i + 4];
            s5 += x[off + i + 5];
            s6 += x[off + i + 6];
            s7 += x[off + i + 7];
        }
        for (; i < n; i++) {
            s0 += x[off + i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** Sum of {@code (x - mu)^2} over {@code x[off .. off+n)} in double, chains as {@link #sum8}. */
    private static double squaredDeviations8(float[] x, int off, int n, double mu) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            double d0 = x[off + i] - mu;
            double d1 = x[off + i + 1] - mu;
            double d2 = x[off + i + 2] - mu;
            double d3 = x[off + i + 3] - mu;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < n; i++) {
            double d = x[off + i] - mu;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Sum of {@code dy * (x - mu)} over {@code [off, off+n)} in double, four chains as {@link #sum8}. */
    private static double productDeviations4(float[] dy, float[] x, int off, int n, double mu) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += dy[off + i] * (x[off + i] - mu);
            s1 += dy[off + i + 1] * (x[off + i + 1] - mu);
            s2 += dy[off + i + 2] * (x[off + i + 2] - mu);
            s3 += dy[off + i + 3] * (x[off + i + 3] - mu);
        }
        for (; i < n; i++) {
            s0 += dy[off + i] * (x[off + i] - mu);
        }
        return (s0 + s1) + (s2 + s3);
    }
}
