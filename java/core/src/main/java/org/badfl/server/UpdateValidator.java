package org.badfl.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;

/**
 * Judges received updates before any {@link Defense} sees them, so that a client can neither stop the round nor
 * put a non-finite value into G: a malformed update is rejected with its reason recorded, and the round goes on
 * with the others.
 * <p>An update is rejected when (checked in this order, the first failure is the reason):
 * <ol>
 *   <li>its slot was never filled (no update received);</li>
 *   <li>its client id also appears in another slot: every row carrying that id is rejected, because the server
 *       cannot tell which one is genuine (authenticating clients is the transport's job);</li>
 *   <li>its length differs from the layout's;</li>
 *   <li>its sample count is ≤ 0 (FedAvg weight p_i = n_i/Σn_j would be 0 or negative) or above
 *       {@link #maxSamplesPerClient()} (so that Σn_j cannot overflow and one client cannot claim any weight it
 *       likes beyond a plausible data set size);</li>
 *   <li>it holds a NaN or ±Infinity (the reason names the first such index, its layer and its value);</li>
 *   <li>only when the server sets a bound ({@link #UpdateValidator(long, double)}; off by default): its L2 norm,
 *       summed in double, exceeds {@link #maxUpdateNorm()}.</li>
 * </ol>
 * <p>Without a norm bound, finite but huge values (an update of norm 1e30) are accepted here: their norms are finite
 * in double (a finite float squared is at most 1.2e77), and every defense must cope with them; {@link #findNonFinite}
 * then guards the output (see {@link RoundAggregator}). The bound is a server policy on top of that (a federation
 * that knows its honest updates stay below some norm), not a defense: it judges each update alone.
 * <p>Rejections are not flagged ({@link ClientVerdict#flagged()} false): malformed is not a judgement of intent.
 */
public final class UpdateValidator {

    /** Default {@link #maxSamplesPerClient()}: 2^31 − 1, more than any data set a client can hold here. */
    public static final long DEFAULT_MAX_SAMPLES = Integer.MAX_VALUE;

    private final long maxSamplesPerClient;
    private final double maxUpdateNorm;

    /** A validator with {@link #DEFAULT_MAX_SAMPLES} and no norm bound. */
    public UpdateValidator() {
        this(DEFAULT_MAX_SAMPLES);
    }

    /**
     * @param maxSamplesPerClient largest sample count a client may report, in [1, 2^40] (the bound keeps Σn_j
     *                            far from overflow for any number of clients a round can hold)
     */
    public UpdateValidator(long maxSamplesPerClient) {
        this(maxSamplesPerClient, Double.POSITIVE_INFINITY);
    }

    /**
     * @param maxSamplesPerClient as in {@link #UpdateValidator(long)}
     * @param maxUpdateNorm       largest L2 norm an update may have, &gt; 0; {@link Double#POSITIVE_INFINITY} = no
     *                            bound (the default)
     */
    public UpdateValidator(long maxSamplesPerClient, double maxUpdateNorm) {
        if (maxSamplesPerClient < 1 || maxSamplesPerClient > (1L << 40)) {
            throw new IllegalArgumentException("maxSamplesPerClient must be in [1, 2^40], got " + maxSamplesPerClient);
        }
        if (!(maxUpdateNorm > 0)) {
            throw new IllegalArgumentException("maxUpdateNorm must be > 0 (or +Infinity for no bound), got "
                + maxUpdateNorm);
        }
        this.maxSamplesPerClient = maxSamplesPerClient;
        this.maxUpdateNorm = maxUpdateNorm;
    }

    public long maxSamplesPerClient() {
        return maxSamplesPerClient;
    }

    /** The bound on an update's L2 norm; {@link Double#POSITIVE_INFINITY} when there is none. */
    public double maxUpdateNorm() {
        return maxUpdateNorm;
    }

    /**
     * The outcome of validating one round's received updates.
     *
     * @param accepted      view over the accepted rows in slot order ({@link RoundUpdates#select}, no copy)
     * @param acceptedSlots slot of each accepted row in the received updates
     * @param rejected      one verdict per rejected row, in slot order
     * @param rejectedSlots slot of each rejected row
     */
    public record Validation(RoundUpdates accepted, int[] acceptedSlots, List<ClientVerdict> rejected,
                             int[] rejectedSlots) {

        public Validation {
            rejected = List.copyOf(rejected);
        }

        /** True when no row was rejected. */
        public boolean allAccepted() {
            return rejected.isEmpty();
        }

        /** Number of received rows (accepted + rejected). */
        public int receivedCount() {
            return acceptedSlots.length + rejectedSlots.length;
        }
    }

    /**
     * Validates every received row.
     *
     * @param received the updates as received ({@link RoundUpdates#receive} or {@link RoundUpdates#set}); not
     *                 modified
     * @param compute  threads for the NaN/Inf scan (rows are scanned in parallel; the result does not depend on
     *                 the thread count)
     */
    public Validation validate(RoundUpdates received, Compute compute) {
        int n = received.size();
        ParamLayout layout = received.layout();
        String[] reasons = new String[n];

        // Steps 1-4: cheap per-row checks and duplicate ids.
        Map<Integer, List<Integer>> slotsById = new HashMap<>();
        for (int i = 0; i < n; i++) {
            if (received.receivedLength(i) >= 0) {
                slotsById.computeIfAbsent(received.clientId(i), k -> new ArrayList<>()).add(i);
            }
        }
        for (int i = 0; i < n; i++) {
            int length = received.receivedLength(i);
            if (length < 0) {
                reasons[i] = "no update received (slot " + i + " never filled)";
                continue;
            }
            List<Integer> sameId = slotsById.get(received.clientId(i));
            if (sameId.size() > 1) {
                reasons[i] = "client id " + received.clientId(i) + " appears in " + sameId.size() + " slots " + sameId
                    + "; the server cannot tell which update is genuine";
            } else if (length != layout.size()) {
                reasons[i] = "wrong length: expected " + layout.size() + " values, found " + length;
            } else if (received.samples(i) <= 0) {
                reasons[i] = "sample count must be > 0, found " + received.samples(i);
            } else if (received.samples(i) > maxSamplesPerClient) {
                reasons[i] = "sample count " + received.samples(i) + " exceeds the bound " + maxSamplesPerClient;
            }
        }

        // Step 5: NaN/Inf scan of the rows that passed so far (where the rows live: host rows in parallel, device
        // rows on the device; only a row found bad is brought to the host, to name its value).
        int candidates = 0;
        for (String r : reasons) {
            if (r == null) {
                candidates++;
            }
        }
        int[] scanned = new int[candidates];
        for (int i = 0, k = 0; i < n; i++) {
            if (reasons[i] == null) {
                scanned[k++] = i;
            }
        }
        int[] firstBad = received.firstNonFinite(scanned, compute);
        for (int k = 0; k < scanned.length; k++) {
            if (firstBad[k] >= 0) {
                reasons[scanned[k]] = describe(received.receivedRow(scanned[k]), firstBad[k], layout);
            }
        }

        // Step 6 (only with a bound): the L2 norm of each finite row, in double and in index order.
        if (maxUpdateNorm != Double.POSITIVE_INFINITY) {
            for (int i = 0; i < n; i++) {
                if (reasons[i] == null) {
                    double norm = l2Norm(received.receivedRow(i));
                    if (norm > maxUpdateNorm) {
                        reasons[i] = "L2 norm " + norm + " exceeds the server's bound " + maxUpdateNorm;
                    }
                }
            }
        }

        return collect(received, reasons);
    }

    private static Validation collect(RoundUpdates received, String[] reasons) {
        int n = reasons.length;
        int rejectedCount = 0;
        for (String r : reasons) {
            if (r != null) {
                rejectedCount++;
            }
        }
        int[] acceptedSlots = new int[n - rejectedCount];
        int[] rejectedSlots = new int[rejectedCount];
        List<ClientVerdict> rejected = new ArrayList<>(rejectedCount);
        int a = 0;
        int r = 0;
        for (int i = 0; i < n; i++) {
            if (reasons[i] == null) {
                acceptedSlots[a++] = i;
            } else {
                rejectedSlots[r++] = i;
                rejected.add(ClientVerdict.rejected(received.clientId(i), false, "invalid update: " + reasons[i]));
            }
        }
        return new Validation(received.select(acceptedSlots), acceptedSlots, rejected, rejectedSlots);
    }

    private static double l2Norm(float[] row) {
        double sum = 0;
        for (float v : row) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum);
    }

    /** Index of the first NaN or ±Infinity in {@code values}, or −1 when all are finite. */
    public static int firstNonFinite(float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Output guard: describes the first non-finite value of a model vector, e.g.
     * "Infinity at index 5 (fc.bias[1])", or empty when every value is finite.
     */
    public static Optional<String> findNonFinite(float[] values, ParamLayout layout) {
        int i = firstNonFinite(values);
        return i < 0 ? Optional.empty() : Optional.of(describe(values, i, layout));
    }

    private static String describe(float[] values, int index, ParamLayout layout) {
        return values[index] + " at index " + index + " (" + position(layout, index) + ")";
    }

    /** "layer[offset-in-layer]" for a flat index. */
    static String position(ParamLayout layout, int index) {
        for (ParamLayout.Entry e : layout.entries()) {
            if (index >= e.offset() && index < e.end()) {
                return e.name() + "[" + (index - e.offset()) + "]";
            }
        }
        return "outside the layout";
    }
}
