package org.badfl.server;

import java.util.Arrays;
import java.util.Objects;
import org.badfl.engine.ParamLayout;

/**
 * The updates of one aggregation round: n rows Δ_i = W_i − G of {@link #dimension()} floats each, with the
 * client id and sample count of each row. Every defense reads this one representation; nothing copies it.
 * <p>Rows are filled by slot as clients finish ({@link #set}); the slot, not the finishing order, fixes a
 * row's position, so aggregation order never depends on thread timing. A row array is owned by this object
 * once set (the caller must not reuse it). {@link #select} makes a view over a subset of rows, sharing them.
 * <p>Why one {@code float[]} per row rather than one n×d array: a Java array holds at most 2³¹ − 1 elements,
 * and a round of n = 100 ResNet18 updates is 1.1·10⁹ floats (4.5 GB), so one array cannot hold it; rows are
 * the natural chunking (a client's update arrives as one vector, is validated as one, and is stored without
 * a copy). The aggregation kernels ({@code org.badfl.server.kernels}) read rows chunk by chunk over
 * coordinates: each task takes a fixed range of coordinates and streams that range of every row, so the
 * access pattern is the same as with a row-major n×d block, at memory speed, and no kernel copies the rows.
 */
public final class RoundUpdates {

    private final ParamLayout layout;
    private final float[][] rows;
    private final int[] clientIds;
    private final long[] sampleCounts;

    /** Empty updates with {@code slots} rows to be filled by {@link #set}. */
    public RoundUpdates(ParamLayout layout, int slots) {
        this.layout = Objects.requireNonNull(layout, "layout");
        if (slots < 0) {
            throw new IllegalArgumentException("slots must be >= 0, got " + slots);
        }
        this.rows = new float[slots][];
        this.clientIds = new int[slots];
        this.sampleCounts = new long[slots];
        Arrays.fill(clientIds, -1);
    }

    private RoundUpdates(ParamLayout layout, float[][] rows, int[] clientIds, long[] sampleCounts) {
        this.layout = layout;
        this.rows = rows;
        this.clientIds = clientIds;
        this.sampleCounts = sampleCounts;
    }

    /**
     * Puts client {@code clientId}'s update (length = layout size, checked) with its sample count in a slot.
     * Thread-safe for distinct slots.
     */
    public void set(int slot, int clientId, long samples, float[] delta) {
        Objects.checkIndex(slot, rows.length);
        Objects.requireNonNull(delta, "delta");
        if (delta.length != layout.size()) {
            throw new IllegalArgumentException("update of client " + clientId + ": expected " + layout.size()
                + " values, found " + delta.length);
        }
        if (samples < 0) {
            throw new IllegalArgumentException("update of client " + clientId + ": negative sample count " + samples);
        }
        rows[slot] = delta;
        clientIds[slot] = clientId;
        sampleCounts[slot] = samples;
    }

    /**
     * Stores client {@code clientId}'s update exactly as received, without any check (wrong length, negative
     * sample count and null are all kept), for {@link UpdateValidator} to judge. Thread-safe for distinct slots.
     * Rows stored this way must go through the validator before any {@link Defense} sees them.
     */
    public void receive(int slot, int clientId, long samples, float[] delta) {
        Objects.checkIndex(slot, rows.length);
        rows[slot] = delta;
        clientIds[slot] = clientId;
        sampleCounts[slot] = samples;
    }

    /** Row i as stored, possibly null (slot never filled) or of the wrong length (see {@link #receive}). */
    float[] rawRow(int i) {
        return rows[i];
    }

    /** A view over the given slots, in that order, sharing the row arrays (no copy). */
    public RoundUpdates select(int[] slots) {
        float[][] r = new float[slots.length][];
        int[] ids = new int[slots.length];
        long[] counts = new long[slots.length];
        for (int i = 0; i < slots.length; i++) {
            int s = slots[i];
            Objects.checkIndex(s, rows.length);
            r[i] = rows[s];
            ids[i] = clientIds[s];
            counts[i] = sampleCounts[s];
        }
        return new RoundUpdates(layout, r, ids, counts);
    }

    public ParamLayout layout() {
        return layout;
    }

    /** Number of rows (n). */
    public int size() {
        return rows.length;
    }

    /** Length of each row (d). */
    public int dimension() {
        return layout.size();
    }

    /** Row i (not a copy; the caller must not modify it unless it owns the round). */
    public float[] row(int i) {
        float[] r = rows[i];
        if (r == null) {
            throw new IllegalStateException("update slot " + i + " was never filled");
        }
        return r;
    }

    /** The row arrays (not a copy). */
    public float[][] rows() {
        for (int i = 0; i < rows.length; i++) {
            row(i);
        }
        return rows;
    }

    public int clientId(int i) {
        return clientIds[i];
    }

    public long samples(int i) {
        return sampleCounts[i];
    }

    /** Total sample count over all rows. */
    public long totalSamples() {
        long t = 0;
        for (long c : sampleCounts) {
            t += c;
        }
        return t;
    }

    /** FedAvg weights p_i = n_i / Σ n_j (uniform when all counts are 0). */
    public double[] sampleWeights() {
        double[] w = new double[rows.length];
        long total = totalSamples();
        for (int i = 0; i < w.length; i++) {
            w[i] = total > 0 ? (double) sampleCounts[i] / total : 1.0 / w.length;
        }
        return w;
    }
}
