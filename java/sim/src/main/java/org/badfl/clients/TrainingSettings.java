package org.badfl.clients;

/**
 * Hyperparameters of one client's local training in one round: E epochs over the client's shard in batches, SGD
 * with learning rate, momentum and weight decay (torch.optim.SGD semantics, a fresh optimiser every round), and
 * whether inputs are normalised with the training statistics.
 */
public record TrainingSettings(int epochs, int batchSize, double lr, double momentum, double weightDecay,
                               boolean normalize) {

    public TrainingSettings {
        if (epochs < 1) {
            throw new IllegalArgumentException("local epochs: expected >= 1, found " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("local batch size: expected >= 1, found " + batchSize);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("local learning rate: expected a finite number > 0, found " + lr);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("local momentum: expected [0, 1), found " + momentum);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("local weight decay: expected a finite number >= 0, found " + weightDecay);
        }
    }

    /** The same settings with other epochs and learning rate (poison training). */
    public TrainingSettings with(int newEpochs, double newLr) {
        return new TrainingSettings(newEpochs, batchSize, newLr, momentum, weightDecay, normalize);
    }
}
