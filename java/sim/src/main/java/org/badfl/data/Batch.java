package org.badfl.data;

/**
 * Reusable batch buffers filled by {@link BatchSampler#next}: images {@code x()} (size x C x H x W floats, NCHW
 * from index 0), labels {@code y()}, and which slots were poisoned. The arrays are the buffers themselves (not
 * copies) and are overwritten by the next fill; only the first {@link #size()} entries are valid.
 */
public final class Batch {

    private final float[] x;
    private final int[] y;
    private final boolean[] poisoned;
    private final int imageSize;
    int size;
    int poisonedCount;

    public Batch(int capacity, int imageSize) {
        if (capacity < 1 || imageSize < 1) {
            throw new IllegalArgumentException("batch: expected capacity >= 1 and image size >= 1, found " + capacity
                + " and " + imageSize);
        }
        this.x = new float[Math.multiplyExact(capacity, imageSize)];
        this.y = new int[capacity];
        this.poisoned = new boolean[capacity];
        this.imageSize = imageSize;
    }

    /** Image buffer (output of the sampler; valid for the first {@link #size()} images). */
    public float[] x() {
        return x;
    }

    /** Label buffer (valid for the first {@link #size()} entries). */
    public int[] y() {
        return y;
    }

    /** Whether slot i holds a poisoned sample. */
    public boolean poisoned(int i) {
        return poisoned[i];
    }

    boolean[] poisonedFlags() {
        return poisoned;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return y.length;
    }

    public int imageSize() {
        return imageSize;
    }

    public int poisonedCount() {
        return poisonedCount;
    }
}
