package org.badfl.server;

import java.util.Arrays;
import java.util.Objects;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;

/**
 * {@link RoundUpdates} with host rows: one {@code float[]} per row, as the CPU trainer produces them.
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
public final class HostRoundUpdates implements RoundUpdates {

    private final ParamLayout layout;
    private final float[][] rows;
    private final int[] clientIds;
    private final long[] sampleCounts;

    /** Empty updates with {@code slots} rows to be filled by {@link #set}. */
    public HostRoundUpdates(ParamLayout layout, int slots) {
        this.layout = Objects.requireNonNull(layout, "layout");
        if (slots < 0) {
            throw new IllegalArgumentException("slots must be >= 0, got " + slots);
        }
        this.rows = new float[slots][];
        this.clientIds = new int[slots];
        this.sampleCounts = new long[slots];
        Arrays.fill(clientIds, -1);
    }

    private HostRoundUpdates(ParamLayout layout, float[][] rows, int[] clientIds, long[] sampleCounts) {
        this.layout = layout;
        this.rows = rows;
        this.clientIds = clientIds;
        this.sampleCounts = sampleCounts;
    }

    /**
     * Puts client {@code clientId}'s update (length = layout size, checked) with its sample count in a slot.
     * Thread-safe for distinct slots.
     */
    @Override
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
    @Override
    public void receive(int slot, int clientId, long samples, float[] delta) {
        Objects.checkIndex(slot, rows.length);
        rows[slot] = delta;
        clientIds[slot] = clientId;
        sampleCounts[slot] = samples;
    }

    @Override
    public float[] receivedRow(int i) {
        return rows[i];
    }

    @Override
    public int receivedLength(int i) {
        return rows[i] == null ? -1 : rows[i].length;
    }

    @Override
    public int[] firstNonFinite(int[] slots, Compute compute) {
        int[] out = new int[slots.length];
        compute.parallelFor(slots.length, k -> {
            float[] r = rows[slots[k]];
            out[k] = r == null || r.length != layout.size() ? -1 : UpdateValidator.firstNonFinite(r);
        });
        return out;
    }

    /** A view over the given slots, in that order, sharing the row arrays (no copy). */
    @Override
    public HostRoundUpdates select(int[] slots) {
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
        return new HostRoundUpdates(layout, r, ids, counts);
    }

    @Override
    public ParamLayout layout() {
        return layout;
    }

    /** Number of rows (n). */
    @Override
    public int size() {
        return rows.length;
    }

    /** Row i (not a copy; the caller must not modify it unless it owns the round). */
    @Override
    public float[] row(int i) {
        float[] r = rows[i];
        if (r == null) {
            throw new IllegalStateException("update slot " + i + " was never filled");
        }
        return r;
    }

    /** The row arrays (not a copy). */
    @Override
    public float[][] rows() {
        for (int i = 0; i < rows.length; i++) {
            row(i);
        }
        return rows;
    }

    @Override
    public int clientId(int i) {
        return clientIds[i];
    }

    @Override
    public long samples(int i) {
        return sampleCounts[i];
    }
}
