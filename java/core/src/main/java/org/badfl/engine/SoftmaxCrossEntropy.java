package org.badfl.engine;

/**
 * Softmax cross-entropy averaged over the batch, as {@code torch.nn.functional.cross_entropy(logits, labels)}
 * (reduction "mean"). Numerically stable: per row, with {@code m = max_j z_j},
 * {@code loss_b = log(sum_j exp(z_j - m)) - (z_y - m)}; the gradient is
 * {@code dz_j = (softmax_j - [j == y]) / batch}. Everything is computed in double and rounded once.
 */
public final class SoftmaxCrossEntropy {

    private SoftmaxCrossEntropy() {
    }

    /**
     * Mean loss over the batch, and its gradient with respect to the logits.
     *
     * @param logits  batch x classes, row-major (not modified)
     * @param labels  one class index per row, in [0, classes) (not modified)
     * @param dLogits output, batch x classes: gradient of the mean loss; may be null when only the loss is needed
     * @return the mean loss (NaN or infinite when a logit is)
     */
    public static double lossAndGradient(float[] logits, int[] labels, int batch, int classes, float[] dLogits) {
        checkLabels(labels, batch, classes);
        if (logits.length < (long) batch * classes) {
            throw new IllegalArgumentException("logits: expected " + ((long) batch * classes) + " values (batch " + batch
                + " x " + classes + " classes), found " + logits.length);
        }
        if (dLogits != null && dLogits.length < (long) batch * classes) {
            throw new IllegalArgumentException("dLogits: expected " + ((long) batch * classes) + " values, found " + dLogits.length);
        }
        double total = 0;
        for (int b = 0; b < batch; b++) {
            int row = b * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, logits[row + j]);
            }
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                sum += Math.exp(logits[row + j] - max);
            }
            double logSum = Math.log(sum);
            total += logSum - (logits[row + labels[b]] - max);
            if (dLogits != null) {
                for (int j = 0; j < classes; j++) {
                    double softmax = Math.exp(logits[row + j] - max - logSum);
                    dLogits[row + j] = (float) ((softmax - (j == labels[b] ? 1.0 : 0.0)) / batch);
                }
            }
        }
        return total / batch;
    }

    static void checkLabels(int[] labels, int batch, int classes) {
        if (labels == null || labels.length < batch) {
            throw new IllegalArgumentException("labels: expected " + batch + " labels, found "
                + (labels == null ? "null" : labels.length));
        }
        for (int b = 0; b < batch; b++) {
            if (labels[b] < 0 || labels[b] >= classes) {
                throw new IllegalArgumentException("labels[" + b + "] = " + labels[b] + ", expected a class in [0, "
                    + classes + ")");
            }
        }
    }
}
