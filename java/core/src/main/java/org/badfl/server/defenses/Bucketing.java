package org.badfl.server.defenses;

import org.badfl.server.DefenseOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.HostRoundUpdates;
import org.badfl.server.RoundUpdates;

/**
 * Bucketing (Karimireddy, He, Jaggi, "Byzantine-robust learning on heterogeneous datasets via bucketing", ICLR
 * 2022, Algorithm 1; authors' code epfml/byzantine-robust-noniid-optimizer {@code utils.py},
 * {@code bucketing_wrapper}): shuffle the n updates by a random permutation π (from the round seed), cut them into
 * T = ⌈n/s⌉ buckets of s consecutive updates (the last may be smaller), replace each bucket by the mean of its
 * updates (divided by the bucket's own size, as the authors' code), and aggregate the T bucket means with a base
 * robust rule. Averaging within buckets shrinks the heterogeneity of honest updates that robust rules such as Krum
 * and the median otherwise mistake for attacks.
 * <p>The base sees the bucket means as T updates with ids 0..T−1 (bucket index) and the summed sample counts of
 * their members; its seed is drawn from the round seed after the permutation. Verdicts: each client inherits the
 * verdict of its bucket (status and flag), the reason naming the bucket; none when the base gives none.
 * <p>Defaults s = 2 and base Krum, as FLPoison ({@code aggregators/bucketing.py}) and the paper's main experiments
 * (s = 2; the paper combines bucketing with Krum, the coordinate-wise median, RFA and centered clipping). FLPoison
 * shuffles the update array in place with Python's unseeded {@code random}; same semantics otherwise.
 * <p>The bucket means are one new row per bucket (T = n/s rows), the only copy of update data.
 */
public final class Bucketing implements Defense {

    public static final int DEFAULT_BUCKET_SIZE = 2;
    public static final String DEFAULT_BASE = "krum";

    private final int bucketSize;
    private final Defense base;

    /**
     * @param bucketSize s ≥ 1 updates per bucket (a round with fewer than s updates is an error)
     * @param base       the robust rule applied to the bucket means
     */
    public Bucketing(int bucketSize, Defense base) {
        DefenseSupport.require(bucketSize >= 1, "bucketing", "bucket-size", ">= 1", bucketSize);
        DefenseSupport.require(base != null, "bucketing", "base", "a defense", base);
        this.bucketSize = bucketSize;
        this.base = base;
    }

    /** s = 2 over {@link Krum} with f = auto. */
    public Bucketing() {
        this(DEFAULT_BUCKET_SIZE, new Krum());
    }

    /**
     * Options {@code bucket-size} (default 2) and {@code base} (a defense name, default krum, created with its
     * default options by {@code baseByName}); unknown keys rejected.
     */
    public static Bucketing fromOptions(Map<String, String> options, Function<String, Defense> baseByName) {
        Objects.requireNonNull(baseByName, "baseByName");
        Map<String, String> rest = new java.util.LinkedHashMap<>(options);
        String baseName = rest.remove("base");
        baseName = baseName == null ? DEFAULT_BASE : baseName.trim();
        DefenseOptions o = new DefenseOptions("bucketing", rest);
        int s = o.getInt("bucket-size", DEFAULT_BUCKET_SIZE);
        o.rejectUnknown();
        if (baseName.equals("bucketing")) {
            throw new IllegalArgumentException("bucketing: base must be another defense, got bucketing");
        }
        return new Bucketing(s, baseByName.apply(baseName));
    }

    @Override
    public String name() {
        return "bucketing";
    }

    @Override
    public boolean flagsClients() {
        return base.flagsClients();
    }

    /** The base rule. */
    public Defense base() {
        return base;
    }

    /**
     * The buckets of a round: π from {@code rng} (Fisher-Yates), then consecutive slices of s; bucket b holds
     * row indices {@code buckets[b]}.
     */
    static int[][] buckets(int n, int s, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        int count = (n + s - 1) / s;
        int[][] out = new int[count][];
        for (int b = 0; b < count; b++) {
            int from = b * s;
            out[b] = java.util.Arrays.copyOfRange(p, from, Math.min(n, from + s));
        }
        return out;
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        if (n == 0) {
            return DefenseSupport.emptyRound(input);
        }
        if (bucketSize > n) {
            throw new IllegalArgumentException("bucketing: bucket-size must be <= n, got bucket-size = " + bucketSize
                + " with n = " + n + " updates");
        }
        SplittableRandom rng = new SplittableRandom(input.seed());
        int[][] buckets = buckets(n, bucketSize, rng);
        long baseSeed = rng.nextLong();
        RoundUpdates means = new HostRoundUpdates(input.layout(), buckets.length);
        for (int b = 0; b < buckets.length; b++) {
            int[] members = buckets[b];
            float[] mean = new float[updates.dimension()];
            float[][] memberRows = new float[members.length][];
            double[] weights = new double[members.length];
            long samples = 0;
            for (int k = 0; k < members.length; k++) {
                memberRows[k] = updates.row(members[k]);
                weights[k] = 1.0 / members.length;
                samples += updates.samples(members[k]);
            }
            input.context().kernels().accumulate(memberRows, weights, mean);
            means.set(b, b, samples, mean);
        }
        RoundResult inner = base.aggregate(new RoundInput(input.global(), input.layout(), means, input.round(),
            input.totalRounds(), baseSeed, input.context()));
        List<ClientVerdict> verdicts = new ArrayList<>();
        if (!inner.verdicts().isEmpty()) {
            ClientVerdict[] byRow = new ClientVerdict[n];
            for (int b = 0; b < buckets.length; b++) {
                ClientVerdict v = inner.verdicts().get(b);
                for (int i : buckets[b]) {
                    String reason = "bucket " + b + (v.reason().isEmpty() ? "" : ": " + v.reason());
                    byRow[i] = new ClientVerdict(updates.clientId(i), v.status(), v.flagged(), reason);
                }
            }
            verdicts = List.of(byRow);
        }
        String note = inner.note().isEmpty() ? "" : base.name() + " on " + buckets.length + " bucket means: "
            + inner.note();
        return new RoundResult(inner.global(), verdicts, note, inner.evaluationGlobal());
    }

    @Override
    public String saveState() {
        return base.saveState();
    }

    @Override
    public void restoreState(String state) {
        base.restoreState(state);
    }
}
