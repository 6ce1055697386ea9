package org.badfl.engine;

import java.util.Objects;

/**
 * How one forward or backward pass through the layers runs. {@link Network} creates one per call; code that
 * drives {@link Layer}s directly (tests, a reader of the CPU specification) creates its own.
 *
 * @param compute     threads for the pass (the layers split work by problem size only, so results do not
 *                    depend on its thread count)
 * @param training    forward: BatchNorm uses batch statistics and updates its running statistics, Dropout drops;
 *                    otherwise BatchNorm uses running statistics and Dropout is the identity
 * @param paramGrads  backward: write parameter gradients (false for saliency maps, which must not touch them)
 * @param guided      backward: ReLU passes a gradient only where its forward input was &gt; 0 <em>and</em> the
 *                    upstream gradient is &gt; 0 (guided backpropagation, Springenberg et al. 2015, eq. in sec. 3.4)
 * @param dropoutSeed forward: seed of the dropout masks (see {@link Dropout#keep})
 * @param dropoutStep forward: step counter of the dropout masks (one value per training forward)
 */
public record Pass(Compute compute, boolean training, boolean paramGrads, boolean guided,
                   long dropoutSeed, long dropoutStep) {

    public Pass {
        Objects.requireNonNull(compute, "compute");
    }

    /** A training pass (forward in train mode, backward writing parameter gradients). */
    public static Pass train(Compute compute, long dropoutSeed, long dropoutStep) {
        return new Pass(compute, true, true, false, dropoutSeed, dropoutStep);
    }

    /** An inference pass (eval-mode forward; backward, if any, writes parameter gradients). */
    public static Pass eval(Compute compute) {
        return new Pass(compute, false, true, false, 0L, 0L);
    }
}
