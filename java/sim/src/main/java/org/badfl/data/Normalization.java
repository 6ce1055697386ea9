package org.badfl.data;

import java.util.Arrays;

/**
 * Per-channel normalisation applied when a batch is filled: {@code x_norm = (x - mean[c]) / std[c]}, the
 * convention of torchvision's {@code Normalize} (MNIST: mean 0.1307, std 0.3081 over the 60,000 training
 * images). Datasets keep pixels in [0,1]; triggers are applied in that pixel space, before normalisation,
 * so a trigger pixel of 1.0 means "white" whatever the statistics.
 *
 * <p>The statistics of a train/test pair are those of the training split (population std over all pixels of
 * each channel); the test split and every subset share them. A channel with zero spread gets std 1 so that
 * normalisation stays finite. Immutable.
 */
public final class Normalization {

    private final float[] mean;
    private final float[] std;

    public Normalization(float[] mean, float[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("normalisation: expected one mean and one std per channel, found "
                + mean.length + " means and " + std.length + " stds");
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c]) || !(std[c] > 0) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException("normalisation channel " + c
                    + ": expected a finite mean and a finite std > 0, found mean " + mean[c] + ", std " + std[c]);
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** Identity normalisation (mean 0, std 1) for {@code channels} channels. */
    public static Normalization identity(int channels) {
        float[] m = new float[channels];
        float[] s = new float[channels];
        Arrays.fill(s, 1f);
        return new Normalization(m, s);
    }

    /**
     * Per-channel mean and population std of {@code images} (n images of {@code channels x pixelsPerChannel}
     * floats, NCHW; not modified). Sums in double, in index order, so the result is reproducible.
     */
    static Normalization of(float[] images, int n, int channels, int pixelsPerChannel) {
        float[] mean = new float[channels];
        float[] std = new float[channels];
        if (n == 0) {
            return identity(channels);
        }
        int imageSize = channels * pixelsPerChannel;
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            double sumSq = 0;
            for (int i = 0; i < n; i++) {
                int base = i * imageSize + c * pixelsPerChannel;
                for (int p = 0; p < pixelsPerChannel; p++) {
                    double v = images[base + p];
                    sum += v;
                    sumSq += v * v;
                }
            }
            double count = (double) n * pixelsPerChannel;
            double m = sum / count;
            double var = Math.max(0, sumSq / count - m * m);
            mean[c] = (float) m;
            std[c] = var > 0 ? (float) Math.sqrt(var) : 1f;
        }
        return new Normalization(mean, std);
    }

    public int channels() {
        return mean.length;
    }

    public float mean(int channel) {
        return mean[channel];
    }

    public float std(int channel) {
        return std[channel];
    }

    /** Normalises {@code count} images of {@code channels x pixelsPerChannel} floats in place, from {@code offset}. */
    public void applyInPlace(float[] images, int offset, int count, int pixelsPerChannel) {
        int channels = mean.length;
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < channels; c++) {
                int base = offset + (i * channels + c) * pixelsPerChannel;
                float m = mean[c];
                float s = std[c];
                for (int p = 0; p < pixelsPerChannel; p++) {
                    images[base + p] = (images[base + p] - m) / s;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std);
    }
}
