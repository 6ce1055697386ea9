package org.badfl.engine;

import java.util.List;

/**
 * Naive double-precision forward pass of any {@link Network} built from the engine's layer types, written
 * independently of the engine's float code (direct convolution, explicit window loops, two-pass BatchNorm
 * statistics): the reference for the float forward and, through central differences, for the float backward.
 * <p>It also records the smallest distance to a kink seen during the pass ({@link #kinkMargin}): |input| of every
 * ReLU, and the gap between the largest and second-largest value of every max-pool window (windows whose maximum
 * is exactly 0 come from ReLU-clamped regions, whose kink is already measured at the ReLU). Finite differences
 * with step h are only valid where this margin is far larger than h times the size of the perturbation's effect.
 */
final class DoubleReference {

    private final double[] p;
    private final boolean training;
    private final long dropoutSeed;
    private final long dropoutStep;
    double kinkMargin = Double.POSITIVE_INFINITY;

    DoubleReference(double[] params, boolean training, long dropoutSeed, long dropoutStep) {
        this.p = params;
        this.training = training;
        this.dropoutSeed = dropoutSeed;
        this.dropoutStep = dropoutStep;
    }

    double[] forward(List<Layer> layers, double[] x, int batch) {
        double[] a = x;
        for (Layer layer : layers) {
            a = forward(layer, a, batch);
        }
        return a;
    }

    double[] forward(Layer layer, double[] x, int batch) {
        if (layer instanceof Conv2d c) {
            return conv(c, x, batch);
        } else if (layer instanceof Linear l) {
            return linear(l, x, batch);
        } else if (layer instanceof ReLU) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                kinkMargin = Math.min(kinkMargin, Math.abs(x[i]));
                y[i] = Math.max(x[i], 0);
            }
            return y;
        } else if (layer instanceof MaxPool2d m) {
            return maxPool(m, x, batch);
        } else if (layer instanceof BatchNorm2d bn) {
            return batchNorm(bn, x, batch);
        } else if (layer instanceof Dropout d) {
            if (!training || d.probability() == 0) {
                return x.clone();
            }
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = Dropout.keep(dropoutSeed, dropoutStep, d.stream(), i, d.probability()) ? x[i] / (1 - d.probability()) : 0;
            }
            return y;
        } else if (layer instanceof Flatten) {
            return x.clone();
        } else if (layer instanceof GlobalAvgPool g) {
            Shape s = g.inputShape();
            double[] y = new double[batch * s.channels()];
            for (int q = 0; q < y.length; q++) {
                double sum = 0;
                for (int i = 0; i < s.plane(); i++) {
                    sum += x[q * s.plane() + i];
                }
                y[q] = sum / s.plane();
            }
            return y;
        } else if (layer instanceof BasicBlock b) {
            double[] h = forward(b.conv1(), x, batch);
            h = forward(b.bn1(), h, batch);
            h = forward(layer.children().get(2), h, batch); // relu1
            h = forward(b.conv2(), h, batch);
            h = forward(b.bn2(), h, batch);
            double[] skip = b.hasProjection() ? forward(b.shortcutBn(), forward(b.shortcutConv(), x, batch), batch) : x;
            double[] sum = new double[h.length];
            for (int i = 0; i < h.length; i++) {
                sum[i] = h[i] + skip[i];
            }
            return forward(layer.children().get(layer.children().size() - 1), sum, batch); // output relu
        }
        throw new IllegalArgumentException("no reference for " + layer.describe());
    }

    private double[] conv(Conv2d c, double[] x, int batch) {
        Shape in = c.inputShape();
        Shape out = c.outputShape();
        int k = c.kernel();
        double[] y = new double[batch * out.size()];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < out.channels(); o++) {
                for (int oh = 0; oh < out.height(); oh++) {
                    for (int ow = 0; ow < out.width(); ow++) {
                        double sum = c.hasBias() ? p[c.biasOffset() + o] : 0;
                        for (int ci = 0; ci < in.channels(); ci++) {
                            for (int ki = 0; ki < k; ki++) {
                                for (int kj = 0; kj < k; kj++) {
                                    int ih = oh * c.stride() - c.padding() + ki;
                                    int iw = ow * c.stride() - c.padding() + kj;
                                    if (ih < 0 || iw < 0 || ih >= in.height() || iw >= in.width()) {
                                        continue;
                                    }
                                    double w = p[c.weightOffset() + ((o * in.channels() + ci) * k + ki) * k + kj];
                                    sum += w * x[((n * in.channels() + ci) * in.height() + ih) * in.width() + iw];
                                }
                            }
                        }
                        y[((n * out.channels() + o) * out.height() + oh) * out.width() + ow] = sum;
                    }
                }
            }
        }
        return y;
    }

    private double[] linear(Linear l, double[] x, int batch) {
        int in = l.inFeatures();
        int out = l.outFeatures();
        double[] y = new double[batch * out];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < out; o++) {
                double sum = l.hasBias() ? p[l.biasOffset() + o] : 0;
                for (int i = 0; i < in; i++) {
                    sum += p[l.weightOffset() + o * in + i] * x[n * in + i];
                }
                y[n * out + o] = sum;
            }
        }
        return y;
    }

    private double[] maxPool(MaxPool2d m, double[] x, int batch) {
        Shape in = m.inputShape();
        Shape out = m.outputShape();
        double[] y = new double[batch * out.size()];
        for (int q = 0; q < batch * in.channels(); q++) {
            for (int oh = 0; oh < out.height(); oh++) {
                for (int ow = 0; ow < out.width(); ow++) {
                    double best = Double.NEGATIVE_INFINITY;
                    double second = Double.NEGATIVE_INFINITY;
                    for (int ki = 0; ki < m.kernel(); ki++) {
                        for (int kj = 0; kj < m.kernel(); kj++) {
                            double v = x[q * in.plane() + (oh * m.stride() + ki) * in.width() + ow * m.stride() + kj];
                            if (v > best) {
                                second = best;
                                best = v;
                            } else if (v > second) {
                                second = v;
                            }
                        }
                    }
                    if (best != 0 && m.kernel() > 1) {
                        kinkMargin = Math.min(kinkMargin, best - second);
                    }
                    y[q * out.plane() + oh * out.width() + ow] = best;
                }
            }
        }
        return y;
    }

    private double[] batchNorm(BatchNorm2d bn, double[] x, int batch) {
        Shape s = bn.inputShape();
        double[] y = new double[x.length];
        int count = batch * s.plane();
        for (int c = 0; c < s.channels(); c++) {
            double mean;
            double var;
            if (training) {
                double sum = 0;
                for (int n = 0; n < batch; n++) {
                    for (int i = 0; i < s.plane(); i++) {
                        sum += x[(n * s.channels() + c) * s.plane() + i];
                    }
                }
                mean = sum / count;
                double sq = 0;
                for (int n = 0; n < batch; n++) {
                    for (int i = 0; i < s.plane(); i++) {
                        double d = x[(n * s.channels() + c) * s.plane() + i] - mean;
                        sq += d * d;
                    }
                }
                var = sq / count;
            } else {
                mean = p[bn.runningMeanOffset() + c];
                var = p[bn.runningVarOffset() + c];
            }
            double gamma = p[bn.weightOffset() + c];
            double beta = p[bn.biasOffset() + c];
            for (int n = 0; n < batch; n++) {
                for (int i = 0; i < s.plane(); i++) {
                    int idx = (n * s.channels() + c) * s.plane() + i;
                    y[idx] = gamma * (x[idx] - mean) / Math.sqrt(var + 1e-5) + beta;
                }
            }
        }
        return y;
    }

    /** Mean softmax cross-entropy in double. */
    static double crossEntropy(double[] logits, int[] labels, int classes) {
        double total = 0;
        for (int b = 0; b < labels.length; b++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, logits[b * classes + j]);
            }
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                sum += Math.exp(logits[b * classes + j] - max);
            }
            total += Math.log(sum) + max - logits[b * classes + labels[b]];
        }
        return total / labels.length;
    }
}
