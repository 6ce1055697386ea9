package org.badfl.gpu.nn;

/**
 * How one forward or backward pass through the device layers runs: the device counterpart of
 * {@link org.badfl.engine.Pass} (same meaning of every flag; no thread pool - the device is the parallelism).
 *
 * @param training    forward: BatchNorm uses batch statistics and updates its running statistics, Dropout drops
 * @param paramGrads  backward: write parameter gradients (false for saliency maps)
 * @param guided      backward: ReLUs pass gradient only where input &gt; 0 and upstream gradient &gt; 0
 * @param dropoutSeed forward: seed of the dropout masks ({@link org.badfl.engine.Dropout#keep})
 * @param dropoutStep forward: step counter of the dropout masks
 */
public record DevicePass(boolean training, boolean paramGrads, boolean guided, long dropoutSeed, long dropoutStep) {

    /** A training pass (train-mode forward, backward writing parameter gradients). */
    public static DevicePass train(long dropoutSeed, long dropoutStep) {
        return new DevicePass(true, true, false, dropoutSeed, dropoutStep);
    }

    /** An inference pass (eval-mode forward; backward, if any, writes parameter gradients). */
    public static DevicePass eval() {
        return new DevicePass(false, true, false, 0L, 0L);
    }
}
