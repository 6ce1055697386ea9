package org.badfl.clients;

import org.badfl.data.Batch;
import org.badfl.data.BatchSampler;

/**
 * The one local-training loop every trainer runs: E epochs over the sampler's batches (epoch e in its seeded
 * order, the last batch of an epoch short), one optimiser step per batch. The batch is passed as the sampler's
 * full-size buffer with its {@link Batch#size()}: the model reads only the first {@code size} images and labels,
 * so nothing copies a short batch.
 */
final class TrainingLoop {

    /** One optimiser step on a batch; returns the batch loss before the step. */
    @FunctionalInterface
    interface Step {
        double apply(Batch batch);
    }

    /**
     * What the loop did.
     *
     * @param steps    optimiser steps (batches)
     * @param samples  images seen
     * @param meanLoss mean of the steps' batch losses; NaN with no step
     * @param lastLoss the last step's batch loss; NaN with no step
     */
    record Result(int steps, int samples, double meanLoss, double lastLoss) {
    }

    private TrainingLoop() {
    }

    static Result run(BatchSampler sampler, int epochs, boolean normalize, Step step) {
        if (epochs < 1) {
            throw new IllegalArgumentException("local epochs: expected >= 1, found " + epochs);
        }
        Batch batch = sampler.newBatch();
        int steps = 0;
        int samples = 0;
        double lossSum = 0;
        double last = Double.NaN;
        for (int epoch = 0; epoch < epochs; epoch++) {
            sampler.startEpoch(epoch);
            while (sampler.next(batch, normalize)) {
                last = step.apply(batch);
                lossSum += last;
                steps++;
                samples += batch.size();
            }
        }
        return new Result(steps, samples, steps == 0 ? Double.NaN : lossSum / steps, last);
    }
}
