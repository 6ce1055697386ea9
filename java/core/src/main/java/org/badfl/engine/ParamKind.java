package org.badfl.engine;

/** What a slice of the flat parameter buffer holds. Defenses read this to decide what to compare or clip. */
public enum ParamKind {
    /** Trainable weight (conv kernel, linear matrix, BatchNorm gamma). */
    WEIGHT,
    /** Trainable bias (conv/linear bias, BatchNorm beta). */
    BIAS,
    /** BatchNorm running mean: not trained by SGD, updated in train-mode forward; averaged by FedAvg. */
    BN_RUNNING_MEAN,
    /** BatchNorm running variance: as {@link #BN_RUNNING_MEAN}. */
    BN_RUNNING_VAR;

    /** True for the parameters SGD trains (and that similarity-based defenses compare). */
    public boolean trainable() {
        return this == WEIGHT || this == BIAS;
    }
}
