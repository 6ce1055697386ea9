package org.badfl.server.defenses;

import org.badfl.server.DefenseOptions;
import static org.badfl.server.defenses.DefenseSupport.fmt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.detect.KMeans;

/**
 * Auror (Shen, Tople, Saxena, "Auror: defending against poisoning attacks in collaborative deep learning
 * systems", ACSAC 2016, §5), as FLPoison implements it ({@code aggregators/auror.py}; we found no public code of
 * the authors):
 * <ol>
 *   <li>Indicative features: for every candidate coordinate, the clients' values are split into 2 clusters; the
 *       coordinate is indicative when the two centres are at least {@code threshold} apart. Candidates are the
 *       output layer (the last layout entry of kind WEIGHT and the BIAS entries right after it, as FLPoison) or
 *       all trainable coordinates. The set is recomputed in each of the first {@code find-rounds} rounds and then
 *       kept (this defense's state, {@link #saveState}/{@link #restoreState}).</li>
 *   <li>The updates restricted to the indicative coordinates are clustered by K-means with k = 2 ({@link KMeans},
 *       k-means++ with 10 seedings from the round seed); the larger cluster is benign (cluster 0 on ties, as
 *       FLPoison).</li>
 *   <li>G ← G + plain mean of the benign updates (every coordinate).</li>
 * </ol>
 * The 1-D split of step 1 is the exact 2-means optimum (the split of the sorted values with the least within-cluster
 * sum of squares, first on ties), which FLPoison's per-coordinate K-means (k-means++ and Lloyd, random_state 0)
 * approximates. Defaults threshold 0.002 and find-rounds 10 are FLPoison's (its docstring suggests 1e-4 for MNIST
 * LeNet-5 and 7e-4 for CIFAR-10 ResNet-18: the threshold is data- and learning-rate-dependent). With no indicative
 * feature, everybody is admitted and the note says so (FLPoison would fail on the empty feature set).
 * <p>Verdicts: the smaller cluster rejected and flagged, the larger accepted.
 */
public final class Auror implements Defense {

    /** Which coordinates may be indicative. */
    public enum Features { OUTPUT_LAYER, ALL }

    public static final double DEFAULT_THRESHOLD = 0.002;
    public static final int DEFAULT_FIND_ROUNDS = 10;

    private static final String STATE_PREFIX = "auror-indicative:";
    private static final int RESTARTS = 10;

    private final double threshold;
    private final int findRounds;
    private final Features features;
    private int roundsSeen;
    private int[] indicative;

    /**
     * @param threshold  minimum distance ≥ 0 between the two 1-D cluster centres of an indicative coordinate
     * @param findRounds rounds ≥ 1 in which the indicative set is recomputed (fixed afterwards)
     * @param features   candidate coordinates
     */
    public Auror(double threshold, int findRounds, Features features) {
        DefenseSupport.require(threshold >= 0 && Double.isFinite(threshold), "auror", "threshold", "finite and >= 0",
            threshold);
        DefenseSupport.require(findRounds >= 1, "auror", "find-rounds", ">= 1", findRounds);
        DefenseSupport.require(features != null, "auror", "features", "output-layer or all", features);
        this.threshold = threshold;
        this.findRounds = findRounds;
        this.features = features;
    }

    /** threshold 0.002, 10 finding rounds, output layer. */
    public Auror() {
        this(DEFAULT_THRESHOLD, DEFAULT_FIND_ROUNDS, Features.OUTPUT_LAYER);
    }

    /** Options {@code threshold} (0.002), {@code find-rounds} (10), {@code features=output-layer|all}. */
    public static Auror fromOptions(Map<String, String> options) {
        DefenseOptions o = new DefenseOptions("auror", options);
        Auror a = new Auror(o.getDouble("threshold", DEFAULT_THRESHOLD), o.getInt("find-rounds", DEFAULT_FIND_ROUNDS),
            o.getChoice("features", "output-layer", "output-layer", "all").equals("all") ? Features.ALL
                : Features.OUTPUT_LAYER);
        o.rejectUnknown();
        return a;
    }

    @Override
    public String name() {
        return "auror";
    }

    @Override
    public boolean flagsClients() {
        return true;
    }

    /** Candidate coordinate ranges {@code [s0, e0, ...]}. */
    public int[] candidateRanges(ParamLayout layout) {
        if (features == Features.ALL) {
            return layout.trainableRanges();
        }
        List<ParamLayout.Entry> entries = layout.entries();
        int last = -1;
        for (int e = 0; e < entries.size(); e++) {
            if (entries.get(e).kind() == ParamKind.WEIGHT && entries.get(e).length() > 0) {
                last = e;
            }
        }
        if (last < 0) {
            throw new IllegalArgumentException("auror: features=output-layer needs a layout entry of kind WEIGHT, the "
                + "layout has none (use features=all)");
        }
        int end = entries.get(last).end();
        for (int e = last + 1; e < entries.size() && entries.get(e).kind() == ParamKind.BIAS
            && entries.get(e).offset() == end; e++) {
            end = entries.get(e).end();
        }
        return new int[] {entries.get(last).offset(), end};
    }

    /** Distance between the centres of the optimal 2-means split of {@code values} (sorted in place); 0 for n &lt; 2. */
    static double splitGap(double[] values) {
        int n = values.length;
        if (n < 2) {
            return 0;
        }
        Arrays.sort(values);
        double total = 0;
        double totalSquares = 0;
        for (double v : values) {
            total += v;
            totalSquares += v * v;
        }
        double left = 0;
        double leftSquares = 0;
        double best = Double.POSITIVE_INFINITY;
        double gap = 0;
        for (int k = 1; k < n; k++) {
            left += values[k - 1];
            leftSquares += values[k - 1] * values[k - 1];
            double right = total - left;
            double sse = (leftSquares - left * left / k) + (totalSquares - leftSquares - right * right / (n - k));
            if (sse < best) {
                best = sse;
                gap = right / (n - k) - left / k;
            }
        }
        return gap;
    }

    /** Step 1 on this round's updates: the indicative coordinates, ascending. */
    int[] findIndicative(RoundUpdates updates, int[] ranges) {
        int n = updates.size();
        List<Integer> found = new ArrayList<>();
        double[] column = new double[n];
        for (int r = 0; r < ranges.length; r += 2) {
            for (int c = ranges[r]; c < ranges[r + 1]; c++) {
                for (int i = 0; i < n; i++) {
                    column[i] = updates.row(i)[c];
                }
                if (splitGap(column) >= threshold) {
                    found.add(c);
                }
            }
        }
        return found.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        if (n == 0) {
            return DefenseSupport.emptyRound(input);
        }
        if (roundsSeen < findRounds) {
            indicative = findIndicative(updates, candidateRanges(input.layout()));
        } else {
            for (int c : indicative) {
                if (c >= updates.dimension()) {
                    throw new IllegalArgumentException("auror: indicative coordinate " + c + " carried from earlier "
                        + "rounds is outside the updates' " + updates.dimension() + " values");
                }
            }
        }
        roundsSeen++;
        List<ClientVerdict> verdicts = new ArrayList<>(n);
        double[] weights = new double[n];
        String note = "";
        if (indicative.length == 0) {
            Arrays.fill(weights, 1.0 / n);
            for (int i = 0; i < n; i++) {
                verdicts.add(ClientVerdict.accepted(updates.clientId(i)));
            }
            note = "no indicative feature (threshold " + fmt(threshold) + "): all admitted";
        } else {
            double[][] points = new double[n][indicative.length];
            for (int i = 0; i < n; i++) {
                float[] row = updates.row(i);
                for (int k = 0; k < indicative.length; k++) {
                    points[i][k] = row[indicative[k]];
                }
            }
            KMeans.Result clusters = new KMeans(2, 300, RESTARTS).fit(points, input.seed());
            int[] sizes = clusters.clusterSizes();
            int benign = sizes.length > 1 && sizes[1] > sizes[0] ? 1 : 0;
            for (int i = 0; i < n; i++) {
                int id = updates.clientId(i);
                if (clusters.assignments()[i] == benign) {
                    weights[i] = 1.0 / sizes[benign];
                    verdicts.add(ClientVerdict.accepted(id));
                } else {
                    verdicts.add(ClientVerdict.rejected(id, true, "in the smaller K-means cluster (" + sizes[1 - benign]
                        + " of " + n + ") on " + indicative.length + " indicative features"));
                }
            }
        }
        float[] next = input.global().clone();
        input.context().kernels().accumulate(updates.rows(), weights, next);
        return new RoundResult(next, verdicts, note);
    }

    /** The indicative coordinates in use (a copy), or null before the first round. */
    public int[] indicative() {
        return indicative == null ? null : indicative.clone();
    }

    /** {@code auror-indicative:<rounds seen>:<Base64 of the little-endian int coordinates>}; null before round 1. */
    @Override
    public String saveState() {
        if (indicative == null) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.allocate(indicative.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asIntBuffer().put(indicative);
        return STATE_PREFIX + roundsSeen + ":" + Base64.getEncoder().encodeToString(buffer.array());
    }

    @Override
    public void restoreState(String state) {
        if (state == null) {
            roundsSeen = 0;
            indicative = null;
            return;
        }
        String[] parts = state.startsWith(STATE_PREFIX) ? state.substring(STATE_PREFIX.length()).split(":", -1)
            : new String[0];
        if (parts.length != 2) {
            throw new IllegalArgumentException("auror: saved state is not '" + STATE_PREFIX
                + "<rounds>:<Base64>' (not written by this defense)");
        }
        int rounds;
        byte[] bytes;
        try {
            rounds = Integer.parseInt(parts[0]);
            bytes = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("auror: saved state is malformed: " + e.getMessage());
        }
        if (rounds < 1 || bytes.length % Integer.BYTES != 0) {
            throw new IllegalArgumentException("auror: saved state has " + rounds + " rounds and " + bytes.length
                + " bytes of coordinates (need >= 1 round and whole ints)");
        }
        int[] coordinates = new int[bytes.length / Integer.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(coordinates);
        for (int k = 0; k < coordinates.length; k++) {
            if (coordinates[k] < 0 || (k > 0 && coordinates[k] <= coordinates[k - 1])) {
                throw new IllegalArgumentException("auror: saved indicative coordinates must be increasing and >= 0");
            }
        }
        roundsSeen = rounds;
        indicative = coordinates;
    }
}
