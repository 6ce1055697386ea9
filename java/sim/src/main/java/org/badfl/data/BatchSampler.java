package org.badfl.data;

import java.util.SplittableRandom;
import org.badfl.util.Seeds;

/**
 * Mini-batches over one client's samples for local training, optionally poisoned. Each epoch visits the
 * client's samples once in a seeded random order, in batches of {@code batchSize} (the last one smaller when
 * the count does not divide; PyTorch's {@code drop_last=False}). With a {@link Poisoning}, each batch of b
 * samples gets round(ratio * b) poisoned slots: which slots is drawn from the seed; trigger poisoning applies
 * the trigger to the slot's own sample, edge-case poisoning fills the slot with the next sample of a seeded
 * per-epoch order of the edge-case pool; either way the slot's label becomes the target. Poisoning happens in
 * [0,1] pixel space; normalisation (on request) comes after. Label-flip poisoning draws nothing: every sample whose
 * label the map changes is relabelled.
 *
 * <p>Randomness: epoch e's order uses {@code Seeds.derive(seed, "batch-order", e)}, slot choice in batch j of
 * epoch e {@code Seeds.derive(seed, "poison-slots", e, j)}, the edge-case order {@code Seeds.derive(seed,
 * "edge-order", e)}; batches are a pure function of (data, indices, batch size, poisoning, seed, epoch).
 * Not thread-safe (one sampler per client and thread).
 */
public final class BatchSampler {

    private final Dataset data;
    private final int[] indices;
    private final int batchSize;
    private final Poisoning poisoning;
    private final long seed;
    private int[] order;
    private int epoch = -1;
    private int position;
    private int batchNumber;
    private int[] edgeOrder;
    private int edgePosition;

    /** Clean batches. */
    public BatchSampler(Dataset data, int[] indices, int batchSize, long seed) {
        this(data, indices, batchSize, null, seed);
    }

    /**
     * @param data      the dataset the indices refer to (not modified)
     * @param indices   the client's sample indices (copied)
     * @param batchSize samples per batch (>= 1)
     * @param poisoning null for clean batches
     * @param seed      the client's seed for this round
     */
    public BatchSampler(Dataset data, int[] indices, int batchSize, Poisoning poisoning, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size: expected >= 1, found " + batchSize);
        }
        for (int i : indices) {
            if (i < 0 || i >= data.size()) {
                throw new IllegalArgumentException("client indices: expected within 0.." + (data.size() - 1) + " of "
                    + data.name() + ", found " + i);
            }
        }
        if (poisoning != null) {
            poisoning.checkFits(data);
        }
        this.data = data;
        this.indices = indices.clone();
        this.batchSize = batchSize;
        this.poisoning = poisoning;
        this.seed = seed;
    }

    /** A batch buffer sized for this sampler. */
    public Batch newBatch() {
        return new Batch(batchSize, data.imageSize());
    }

    public int batchesPerEpoch() {
        return (indices.length + batchSize - 1) / batchSize;
    }

    public int samples() {
        return indices.length;
    }

    /** Starts epoch {@code epoch} (any non-negative number; the order depends only on it and the seed). */
    public void startEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch: expected >= 0, found " + epoch);
        }
        this.epoch = epoch;
        this.order = indices.clone();
        IidPartitioner.shuffle(order, new SplittableRandom(Seeds.derive(seed, "batch-order", epoch)));
        this.position = 0;
        this.batchNumber = 0;
        if (poisoning != null && poisoning.edgeSamples() != null) {
            edgeOrder = new int[poisoning.edgeSamples().size()];
            for (int i = 0; i < edgeOrder.length; i++) {
                edgeOrder[i] = i;
            }
            IidPartitioner.shuffle(edgeOrder, new SplittableRandom(Seeds.derive(seed, "edge-order", epoch)));
            edgePosition = 0;
        }
    }

    /**
     * Fills {@code batch} (output) with the next batch of the epoch; false (batch untouched) when the epoch is
     * over. With {@code normalize} the images are normalised with the data's statistics after poisoning.
     */
    public boolean next(Batch batch, boolean normalize) {
        if (order == null) {
            throw new IllegalStateException("batch sampler: call startEpoch before next");
        }
        if (batch.capacity() < batchSize || batch.imageSize() != data.imageSize()) {
            throw new IllegalArgumentException("batch buffer: expected capacity >= " + batchSize + " and image size "
                + data.imageSize() + ", found " + batch.capacity() + " and " + batch.imageSize());
        }
        if (position >= order.length) {
            return false;
        }
        int b = Math.min(batchSize, order.length - position);
        float[] x = batch.x();
        int[] y = batch.y();
        boolean[] flags = batch.poisonedFlags();
        data.fillBatch(order, position, b, x, y, false);
        java.util.Arrays.fill(flags, 0, b, false);
        int poisoned = 0;
        if (poisoning != null && poisoning.isLabelFlip()) {
            for (int s = 0; s < b; s++) {
                int flipped = poisoning.flippedLabel(y[s]);
                if (flipped != y[s]) {
                    y[s] = flipped;
                    flags[s] = true;
                    poisoned++;
                }
            }
        } else if (poisoning != null) {
            poisoned = Math.min(b, poisoning.poisonedPerBatch(b));
            int[] slots = chooseSlots(b, poisoned, new SplittableRandom(
                Seeds.derive(seed, "poison-slots", epoch, batchNumber)));
            int n = data.imageSize();
            for (int k = 0; k < poisoned; k++) {
                int s = slots[k];
                if (poisoning.isTrigger()) {
                    poisoning.trigger().applyInPlace(x, s * n);
                } else {
                    poisoning.edgeSamples().copyImage(edgeOrder[edgePosition], x, s * n);
                    edgePosition = (edgePosition + 1) % edgeOrder.length;
                }
                y[s] = poisoning.target();
                flags[s] = true;
            }
        }
        if (normalize) {
            data.normalization().applyInPlace(x, 0, b, data.height() * data.width());
        }
        batch.size = b;
        batch.poisonedCount = poisoned;
        position += b;
        batchNumber++;
        return true;
    }

    /** {@code k} distinct slots of {0..b-1}: the first k of a partial Fisher-Yates shuffle. */
    static int[] chooseSlots(int b, int k, SplittableRandom rng) {
        int[] all = new int[b];
        for (int i = 0; i < b; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(b - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, k);
    }
}
