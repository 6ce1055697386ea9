package org.badfl.server;

import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;

/**
 * The updates of one aggregation round: n rows Δ_i = W_i − G of {@link #dimension()} floats each, with the
 * client id and sample count of each row. Every defense reads this one representation; nothing copies it.
 * <p>Where the rows live is the implementation's business: {@link HostRoundUpdates} holds host arrays (the CPU
 * trainer's), a device implementation ({@code org.badfl.gpu.DeviceRoundUpdates}) keeps the rows where the clients
 * trained, so that the device's aggregation kernels read them in place. {@link #row} and {@link #rows} are the
 * host view every defense may ask for (a device implementation downloads it once, when first asked); the
 * {@link org.badfl.server.AggregationKernels} overloads that take a {@code RoundUpdates} let a kernel use
 * the rows where they are.
 * <p>Rows are filled by slot ({@link #set}, {@link #receive}); the slot, not the finishing order, fixes a row's
 * position, so aggregation order never depends on thread timing. Rows are read-only once received.
 */
public interface RoundUpdates extends AutoCloseable {

    ParamLayout layout();

    /** Number of rows (n). */
    int size();

    /** Length of each row (d). */
    default int dimension() {
        return layout().size();
    }

    int clientId(int i);

    long samples(int i);

    /**
     * Puts client {@code clientId}'s update (length = layout size, checked) with its sample count in a slot.
     * Thread-safe for distinct slots.
     */
    void set(int slot, int clientId, long samples, float[] delta);

    /**
     * Stores client {@code clientId}'s update exactly as received, without any check (wrong length, negative
     * sample count and null are all kept), for {@link UpdateValidator} to judge. Thread-safe for distinct slots.
     * Rows stored this way must go through the validator before any {@link Defense} sees them.
     */
    void receive(int slot, int clientId, long samples, float[] delta);

    /** Length of row i as received; −1 when the slot was never filled. */
    int receivedLength(int i);

    /**
     * Row i as received, on the host: null when the slot was never filled, possibly of the wrong length (see
     * {@link #receive}). Not a copy for host rows.
     */
    float[] receivedRow(int i);

    /**
     * For each of the given slots, the index of the first NaN or ±Infinity of its row, or −1 when every value is
     * finite; −1 also for a slot never filled or of the wrong length (the validator rejects those first).
     * The answer does not depend on {@code compute}'s thread count.
     */
    int[] firstNonFinite(int[] slots, Compute compute);

    /** A view over the given slots, in that order, sharing the rows (no copy of a row). */
    RoundUpdates select(int[] slots);

    /** Row i on the host (not a copy; read-only). */
    float[] row(int i);

    /** The rows on the host (not a copy; read-only). */
    float[][] rows();

    /** Total sample count over all rows. */
    default long totalSamples() {
        long t = 0;
        for (int i = 0; i < size(); i++) {
            t += samples(i);
        }
        return t;
    }

    /** FedAvg weights p_i = n_i / Σ n_j (uniform when all counts are 0). */
    default double[] sampleWeights() {
        int n = size();
        double[] w = new double[n];
        long total = totalSamples();
        for (int i = 0; i < n; i++) {
            w[i] = total > 0 ? (double) samples(i) / total : 1.0 / n;
        }
        return w;
    }

    /**
     * Frees what the round's rows hold outside the Java heap (a device implementation: its device memory) once the
     * round is aggregated; host rows hold nothing to free. A {@link #select} view shares its rows and frees nothing.
     */
    @Override
    default void close() {
    }
}
