package org.badfl.engine;

/**
 * Stochastic gradient descent with momentum and weight decay, with the semantics of {@code torch.optim.SGD}
 * (dampening 0, no Nesterov), element-wise in float:
 * <pre>
 *   d = g + weightDecay * w
 *   v = momentum * v + d        (v starts at 0, so the first step has v = d, as PyTorch's buffer clone)
 *   w = w - lr * v              (with momentum 0: w = w - lr * d, no velocity kept)
 * </pre>
 * Only trainable slices ({@link ParamLayout#trainableRanges()}) are touched: BatchNorm running statistics are
 * never decayed or stepped. The velocity belongs to this optimiser (one per model being trained); it is
 * allocated on the first step and must then always see the same layout size; {@link #reset()} zeroes it.
 */
public final class Sgd {

    private float learningRate;
    private final float momentum;
    private final float weightDecay;
    private float[] velocity;

    /**
     * @param learningRate &gt; 0
     * @param momentum     in [0, 1)
     * @param weightDecay  &gt;= 0 (L2 penalty coefficient, PyTorch's {@code weight_decay})
     */
    public Sgd(double learningRate, double momentum, double weightDecay) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("SGD learning rate must be > 0 and finite, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("SGD weight decay must be >= 0 and finite, got " + weightDecay);
        }
        this.learningRate = (float) learningRate;
        this.momentum = (float) momentum;
        this.weightDecay = (float) weightDecay;
    }

    public float learningRate() {
        return learningRate;
    }

    /** Changes the learning rate for later steps (learning-rate schedules). */
    public void setLearningRate(double learningRate) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("SGD learning rate must be > 0 and finite, got " + learningRate);
        }
        this.learningRate = (float) learningRate;
    }

    public float momentum() {
        return momentum;
    }

    public float weightDecay() {
        return weightDecay;
    }

    /** Forgets the velocity (a new round of local training starts from zero momentum, as a fresh optimiser). */
    public void reset() {
        if (velocity != null) {
            java.util.Arrays.fill(velocity, 0f);
        }
    }

    /** One step on a network's parameters with its current gradients, on its {@link Network#compute()}. */
    public void step(Network network) {
        step(network.layout(), network.params(), network.grads(), network.compute());
    }

    /**
     * One step on {@code params} (modified) with {@code grads} (not modified), both laid out by {@code layout}.
     */
    public void step(ParamLayout layout, float[] params, float[] grads, Compute compute) {
        layout.checkLength("SGD parameters", params);
        layout.checkLength("SGD gradients", grads);
        if (momentum != 0f) {
            if (velocity == null) {
                velocity = new float[layout.size()];
            } else if (velocity.length != layout.size()) {
                throw new IllegalArgumentException("SGD: this optimiser's velocity has " + velocity.length
                    + " values, the layout has " + layout.size() + "; use one optimiser per model");
            }
        }
        int[] ranges = layout.trainableRanges();
        for (int r = 0; r < ranges.length; r += 2) {
            int from = ranges[r];
            int length = ranges[r + 1] - from;
            compute.parallelRange(length, Layer.ELEMENT_GRAIN, (start, end) -> update(params, grads, from + start, from + end));
        }
    }

    private void update(float[] w, float[] g, int start, int end) {
        float lr = learningRate;
        float mu = momentum;
        float wd = weightDecay;
        float[] v = velocity;
        if (mu == 0f) {
            for (int i = start; i < end; i++) {
                float d = g[i] + wd * w[i];
                w[i] -= lr * d;
            }
        } else {
            Loops.sgdMomentum(w, g, v, start, end, lr, mu, wd);
        }
    }
}
