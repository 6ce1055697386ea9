package org.badfl.gpu;

import java.util.Arrays;
import java.util.Objects;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;
import org.badfl.server.RoundUpdates;
import org.badfl.server.UpdateValidator;

/**
 * {@link RoundUpdates} whose rows live on a device: one n×d buffer, row i written in place by the client that
 * trained there ({@link #slot}, then {@link #receiveOnDevice}), so that an update never leaves the device between
 * training and aggregation. {@link DeviceAggregationKernels} reads the rows in place ({@link #deviceRows}).
 * <ul>
 *   <li>Rows received on the host ({@link #receive}: clients that trained on the CPU, a tampered update) are kept as
 *       received, for the validator, and uploaded into their slot once, when the device rows are first needed.</li>
 *   <li>The host view ({@link #row}, {@link #rows}) is downloaded once per row, when first asked for, for defenses
 *       whose logic runs on the host.</li>
 *   <li>The NaN/Inf scan of the validator runs on the device: a row's squared norm summed in double (the Gram
 *       kernel, exact float products) is finite exactly when every value is; only a row found bad is downloaded, to
 *       name its first non-finite value.</li>
 *   <li>{@link #select} views share the buffer; the device rows of a view that is not a contiguous run of slots
 *       are gathered by device-to-device copies.</li>
 * </ul>
 * Thread-safe for filling distinct slots; the views and the host view are synchronised on the shared storage.
 * {@link #close} on the round's updates (not a view) frees the device buffer.
 */
public final class DeviceRoundUpdates implements RoundUpdates {

    /** What the round's updates and all their views share. */
    private static final class Storage {
        final GpuAggregation aggregation;
        final Device device;
        final ParamLayout layout;
        final int d;
        final DeviceBuffer buffer;
        final boolean[] onDevice;
        final boolean[] uploaded;
        final float[][] received;
        final float[][] hostView;
        final int[] clientIds;
        final long[] samples;

        Storage(GpuAggregation aggregation, ParamLayout layout, int slots) {
            this.aggregation = aggregation;
            this.device = aggregation.device();
            this.layout = layout;
            this.d = layout.size();
            this.buffer = device.allocFloats(Math.max(1, (long) slots * d));
            this.onDevice = new boolean[slots];
            this.uploaded = new boolean[slots];
            this.received = new float[slots][];
            this.hostView = new float[slots][];
            this.clientIds = new int[slots];
            this.samples = new long[slots];
            Arrays.fill(clientIds, -1);
        }

        DeviceBuffer slot(int s) {
            return buffer.sliceFloats((long) s * d, d);
        }

        /** Row s on the device (uploading a host-received row once). */
        synchronized void ensureOnDevice(int s) {
            if (onDevice[s] || uploaded[s]) {
                return;
            }
            float[] r = received[s];
            if (r == null || r.length != d) {
                throw new IllegalStateException("update slot " + s + " holds no valid update (validate the updates first)");
            }
            device.copyToDevice(r, 0, slot(s), d);
            uploaded[s] = true;
        }

        /** Row s on the host: as received, or downloaded once. */
        synchronized float[] host(int s) {
            if (!onDevice[s]) {
                return received[s];
            }
            if (hostView[s] == null) {
                hostView[s] = device.downloadFloats(slot(s), d);
            }
            return hostView[s];
        }
    }

    private final Storage storage;
    private final int[] slots;
    private final boolean owner;

    /** Empty updates of {@code slots} rows of {@code layout.size()} floats on {@code aggregation}'s device. */
    public DeviceRoundUpdates(GpuAggregation aggregation, ParamLayout layout, int slots) {
        Objects.requireNonNull(aggregation, "aggregation");
        Objects.requireNonNull(layout, "layout");
        if (slots < 0) {
            throw new IllegalArgumentException("slots must be >= 0, got " + slots);
        }
        this.storage = new Storage(aggregation, layout, slots);
        this.slots = new int[slots];
        Arrays.setAll(this.slots, i -> i);
        this.owner = true;
    }

    private DeviceRoundUpdates(Storage storage, int[] slots) {
        this.storage = storage;
        this.slots = slots;
        this.owner = false;
    }

    /** The device the rows live on. */
    public Device device() {
        return storage.device;
    }

    /**
     * Row {@code i}'s place on the device ({@link ParamLayout#size()} floats), for a trainer to write the update
     * into; then {@link #receiveOnDevice}.
     */
    public DeviceBuffer slot(int i) {
        return storage.slot(slots[Objects.checkIndex(i, slots.length)]);
    }

    /** Marks row {@code i} as received: client {@code clientId}'s update is in {@link #slot}(i). */
    public void receiveOnDevice(int i, int clientId, long samples) {
        int s = slots[Objects.checkIndex(i, slots.length)];
        synchronized (storage) {
            storage.onDevice[s] = true;
            storage.uploaded[s] = false;
            storage.received[s] = null;
            storage.hostView[s] = null;
            storage.clientIds[s] = clientId;
            storage.samples[s] = samples;
        }
    }

    @Override
    public void set(int i, int clientId, long samples, float[] delta) {
        Objects.requireNonNull(delta, "delta");
        if (delta.length != storage.d) {
            throw new IllegalArgumentException("update of client " + clientId + ": expected " + storage.d
                + " values, found " + delta.length);
        }
        if (samples < 0) {
            throw new IllegalArgumentException("update of client " + clientId + ": negative sample count " + samples);
        }
        receive(i, clientId, samples, delta);
    }

    @Override
    public void receive(int i, int clientId, long samples, float[] delta) {
        int s = slots[Objects.checkIndex(i, slots.length)];
        synchronized (storage) {
            storage.onDevice[s] = false;
            storage.uploaded[s] = false;
            storage.received[s] = delta;
            storage.hostView[s] = null;
            storage.clientIds[s] = clientId;
            storage.samples[s] = samples;
        }
    }

    @Override
    public ParamLayout layout() {
        return storage.layout;
    }

    @Override
    public int size() {
        return slots.length;
    }

    @Override
    public int clientId(int i) {
        return storage.clientIds[slots[i]];
    }

    @Override
    public long samples(int i) {
        return storage.samples[slots[i]];
    }

    @Override
    public int receivedLength(int i) {
        int s = slots[i];
        synchronized (storage) {
            if (storage.onDevice[s]) {
                return storage.d;
            }
            return storage.received[s] == null ? -1 : storage.received[s].length;
        }
    }

    @Override
    public float[] receivedRow(int i) {
        return storage.host(slots[i]);
    }

    @Override
    public int[] firstNonFinite(int[] which, Compute compute) {
        int[] out = new int[which.length];
        Arrays.fill(out, -1);
        int[] deviceRows = new int[which.length];
        int[] position = new int[which.length];
        int m = 0;
        for (int k = 0; k < which.length; k++) {
            int s = slots[which[k]];
            boolean device;
            float[] host;
            synchronized (storage) {
                device = storage.onDevice[s];
                host = storage.received[s];
            }
            if (device) {
                deviceRows[m] = which[k];
                position[m++] = k;
            } else if (host != null && host.length == storage.d) {
                out[k] = UpdateValidator.firstNonFinite(host);
            }
        }
        if (m > 0) {
            int[] picked = Arrays.copyOf(deviceRows, m);
            double[] gram;
            try (DeviceRows rows = select(picked).deviceRows()) {
                gram = storage.aggregation.gram(rows, new int[] {0, storage.d});
            }
            for (int r = 0; r < m; r++) {
                if (!Double.isFinite(gram[r * m + r])) { // a sum of exact squares of finite floats is finite
                    out[position[r]] = UpdateValidator.firstNonFinite(receivedRow(picked[r]));
                }
            }
        }
        return out;
    }

    @Override
    public DeviceRoundUpdates select(int[] which) {
        int[] s = new int[which.length];
        for (int k = 0; k < which.length; k++) {
            s[k] = slots[Objects.checkIndex(which[k], slots.length)];
        }
        return new DeviceRoundUpdates(storage, s);
    }

    @Override
    public float[] row(int i) {
        float[] r = storage.host(slots[i]);
        if (r == null) {
            throw new IllegalStateException("update slot " + i + " was never filled");
        }
        return r;
    }

    @Override
    public float[][] rows() {
        float[][] out = new float[slots.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = row(i);
        }
        return out;
    }

    /**
     * The rows on the device as one n×d matrix, for the aggregation kernels; close it after use. A contiguous run of
     * slots is a view of the round's buffer (closing it frees nothing); other selections are gathered into a new
     * buffer by device-to-device copies. Rows received on the host are uploaded into their slot first (once).
     *
     * @throws IllegalStateException when a row was never filled or is malformed (validate first)
     */
    public DeviceRows deviceRows() {
        int n = slots.length;
        int d = storage.d;
        if (n == 0) {
            throw new IllegalStateException("device rows: the updates hold no row");
        }
        boolean contiguous = true;
        for (int k = 0; k < n; k++) {
            storage.ensureOnDevice(slots[k]);
            contiguous &= slots[k] == slots[0] + k;
        }
        if (contiguous) {
            return DeviceRows.of(storage.buffer.sliceFloats((long) slots[0] * d, (long) n * d), n, d);
        }
        DeviceBuffer gathered = storage.device.allocFloats((long) n * d);
        for (int k = 0; k < n; k++) {
            storage.device.copy(storage.slot(slots[k]), gathered.sliceFloats((long) k * d, d), 4L * d);
        }
        return DeviceRows.of(gathered, n, d);
    }

    /** Frees the device buffer (the round's updates only; a view frees nothing). */
    @Override
    public void close() {
        if (owner) {
            storage.buffer.close();
        }
    }
}
