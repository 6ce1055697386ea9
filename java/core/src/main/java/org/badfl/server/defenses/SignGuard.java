package org.badfl.server.defenses;

import org.badfl.server.DefenseOptions;
import static org.badfl.server.defenses.DefenseSupport.fmt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.detect.MeanShift;

/**
 * SignGuard (Xu, Huang, Zhang, Wu, "Byzantine-robust federated learning through collaborative malicious gradient
 * filtering", ICDCS 2022, Algorithm 1; authors' code JianXu95/SignGuard {@code aggregators/signguard.py}, class
 * {@code signguard_multiclass}):
 * <ol>
 *   <li>Norm filter: S1 = {i : L·M &lt; ‖Δ_i‖ &lt; R·M}, M = median of all norms (L = 0.1, R = 3.0).</li>
 *   <li>Sign statistics: a contiguous block of ⌊fraction·P⌋ trainable coordinates (at least 1) starting at a
 *       uniformly drawn offset in [0, P − block) (P = number of trainable coordinates, in layout order; drawn
 *       from the round seed); per client the shares of positive, zero and negative entries in the block, each
 *       divided by its maximum over clients (+10⁻⁸).</li>
 *   <li>S2 = the largest cluster of those 3-D features by mean shift ({@link MeanShift}: scikit-learn's
 *       estimate_bandwidth(quantile 0.5, n_samples 50) and MeanShift(bin_seeding, cluster_all=False), as the
 *       authors).</li>
 *   <li>G ← G + mean over S1 ∩ S2 of Δ_i·min(1, M/‖Δ_i‖) (clipped to the median norm M of all clients).</li>
 * </ol>
 * Norms and clip factors over the trainable parameters; BatchNorm running statistics of S1 ∩ S2 are averaged
 * unclipped. An empty S1 ∩ S2 leaves G unchanged with a note.
 * <p>FLPoison ({@code aggregators/signguard.py}) uses DBSCAN (eps 0.05, min_samples 3) by default instead of the
 * authors' mean shift, and offers mean shift and K-means as options; this class follows the authors (mean
 * shift only). Both draw the block offset from an unseeded global generator.
 * <p>Verdicts: outside S1 ∩ S2 rejected and flagged (the reason names the failed test); inside and clipped:
 * clipped, not flagged; else accepted.
 */
public final class SignGuard implements Defense {

    public static final double DEFAULT_LOWER = 0.1;
    public static final double DEFAULT_UPPER = 3.0;
    public static final double DEFAULT_FRACTION = 0.1;

    private final double lower;
    private final double upper;
    private final double fraction;

    /**
     * @param lower    L ≥ 0: norms at or below L·median are filtered
     * @param upper    R &gt; L: norms at or above R·median are filtered
     * @param fraction share of the trainable coordinates whose signs are counted, in (0, 1]
     */
    public SignGuard(double lower, double upper, double fraction) {
        DefenseSupport.require(lower >= 0 && Double.isFinite(lower), "signguard", "lower", "finite and >= 0", lower);
        DefenseSupport.require(upper > lower && Double.isFinite(upper), "signguard", "upper",
            "finite and > lower (" + lower + ")", upper);
        DefenseSupport.require(fraction > 0 && fraction <= 1, "signguard", "fraction", "in (0, 1]", fraction);
        this.lower = lower;
        this.upper = upper;
        this.fraction = fraction;
    }

    /** L = 0.1, R = 3.0, fraction 0.1. */
    public SignGuard() {
        this(DEFAULT_LOWER, DEFAULT_UPPER, DEFAULT_FRACTION);
    }

    /** Options {@code lower} (0.1), {@code upper} (3.0), {@code fraction} (0.1); unknown keys rejected. */
    public static SignGuard fromOptions(Map<String, String> options) {
        DefenseOptions o = new DefenseOptions("signguard", options);
        SignGuard s = new SignGuard(o.getDouble("lower", DEFAULT_LOWER), o.getDouble("upper", DEFAULT_UPPER),
            o.getDouble("fraction", DEFAULT_FRACTION));
        o.rejectUnknown();
        return s;
    }

    @Override
    public String name() {
        return "signguard";
    }

    @Override
    public boolean flagsClients() {
        return true;
    }

    /**
     * The sign features (n × 3: positive, zero, negative shares, each over its maximum + 10⁻⁸) of a block of
     * {@code length} trainable coordinates starting at trainable position {@code start}.
     */
    static double[][] signFeatures(float[][] rows, int[] ranges, int start, int length) {
        int n = rows.length;
        double[][] counts = new double[n][3];
        int position = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            int size = ranges[r + 1] - ranges[r];
            int from = Math.max(start, position);
            int to = Math.min(start + length, position + size);
            for (int t = from; t < to; t++) {
                int c = ranges[r] + (t - position);
                for (int i = 0; i < n; i++) {
                    float v = rows[i][c];
                    counts[i][v > 0 ? 0 : v == 0 ? 1 : 2]++;
                }
            }
            position += size;
        }
        double[] max = new double[3];
        for (double[] row : counts) {
            for (int k = 0; k < 3; k++) {
                row[k] /= length;
                max[k] = Math.max(max[k], row[k]);
            }
        }
        for (double[] row : counts) {
            for (int k = 0; k < 3; k++) {
                row[k] /= max[k] + 1e-8;
            }
        }
        return counts;
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        if (n == 0) {
            return DefenseSupport.emptyRound(input);
        }
        int[] ranges = input.layout().trainableRanges();
        float[][] rows = updates.rows();
        double[] norms = input.context().kernels().dots(rows, null, ranges);
        for (int i = 0; i < n; i++) {
            norms[i] = Math.sqrt(norms[i]);
        }
        double median = DefenseSupport.median(norms);

        long trainable = input.layout().trainableSize();
        if (trainable == 0) {
            throw new IllegalArgumentException("signguard: the layout has no trainable parameters to count signs of");
        }
        int block = (int) Math.max(1, Math.floor(fraction * trainable));
        SplittableRandom rng = new SplittableRandom(input.seed());
        int start = block >= trainable ? 0 : rng.nextInt((int) (trainable - block));
        double[][] features = signFeatures(rows, ranges, start, block);
        MeanShift.Result clusters = MeanShift.fit(features,
            MeanShift.estimateBandwidth(features, 0.5, 50, rng.nextLong()));
        int largest = clusters.largestCluster();

        double[] weights = new double[n];
        List<ClientVerdict> verdicts = new ArrayList<>(n);
        int admitted = 0;
        boolean[] inS1 = new boolean[n];
        boolean[] inS2 = new boolean[n];
        for (int i = 0; i < n; i++) {
            inS1[i] = norms[i] > lower * median && norms[i] < upper * median;
            inS2[i] = largest >= 0 && clusters.labels()[i] == largest;
            if (inS1[i] && inS2[i]) {
                admitted++;
            }
        }
        double[][] layerScale = new double[n][];
        for (int i = 0; i < n; i++) {
            int id = updates.clientId(i);
            String norm = "norm " + fmt(norms[i]) + " (median " + fmt(median) + ")";
            if (!inS1[i] || !inS2[i]) {
                String why = !inS1[i] ? norm + " outside (" + fmt(lower) + ", " + fmt(upper) + ")×median"
                    : "sign features " + fmt(features[i][0]) + "/" + fmt(features[i][1]) + "/" + fmt(features[i][2])
                        + " outside the largest mean-shift cluster";
                verdicts.add(ClientVerdict.rejected(id, true, why));
                continue;
            }
            weights[i] = 1.0 / admitted;
            if (norms[i] > median) {
                layerScale[i] = DefenseSupport.trainableScale(input.layout(), median / norms[i]);
                verdicts.add(ClientVerdict.clipped(id, false, norm + " clipped to the median"));
            } else {
                verdicts.add(ClientVerdict.accepted(id, norm));
            }
        }
        float[] next = input.global().clone();
        if (admitted == 0) {
            return new RoundResult(next, verdicts, "no update passed both the norm and the sign filter: G unchanged");
        }
        input.context().kernels().accumulateLayerScaled(rows, weights, layerScale, input.layout(), next);
        return new RoundResult(next, verdicts, "");
    }
}
