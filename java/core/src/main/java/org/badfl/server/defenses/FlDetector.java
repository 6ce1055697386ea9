package org.badfl.server.defenses;

import static org.badfl.server.defenses.DefenseSupport.fmt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.linear.SingularMatrixException;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.DefenseOptions;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.detect.KMeans;
import org.badfl.util.Seeds;

/**
 * FLDetector (Zhang, Cao, Jia, Gong, "FLDetector: defending federated learning against model poisoning attacks via
 * detecting malicious clients", KDD 2022, Algorithm 1; authors' code zaixizhang/FLDetector {@code train_mnist.py}).
 * A benign client's update is predictable from its previous one through the Hessian; a poisoned one is not.
 * <ol>
 *   <li>Memory (this defense's state): the last {@code window} pairs (s_k, y_k) = (G_k − G_{k−1},
 *       ḡ_k − ḡ_{k−1}), ḡ_k the aggregated update of round k, and each client's previous update.</li>
 *   <li>From round {@code start} + 1 on (once the memory holds a pair): the Hessian-vector product
 *       h = Ĥ·(G_t − G_{t−1}) by the compact L-BFGS form (Byrd, Nocedal, Schnabel 1994):
 *       σ = y_mᵀs_m / s_mᵀs_m, M = [[σSᵀS, L], [Lᵀ, −D]] (L the strictly lower part of SᵀY, D its diagonal),
 *       h = σv − [σS, Y]·M⁻¹·[σSᵀv; Yᵀv].</li>
 *   <li>Distances d_i = ‖Δ_i^{t−1} + h − Δ_i^t‖ for the clients that also sent an update in the previous
 *       round, divided by their sum.</li>
 *   <li>Once {@code window} rounds of distances are kept: suspicious score s_i = mean of client i's distances in
 *       the window; the gap statistic (Tibshirani et al. 2001) on the min-max-normalised scores, k = 1..min(7, m),
 *       10 uniform reference sets, K-means with 10 restarts: k̂ = the first k with Gap(k) ≥ Gap(k+1) − s_{k+1}
 *       (the largest k when none). k̂ ≥ 2 means an attack: 2-means of the scores, the cluster with the larger
 *       mean score rejected.</li>
 *   <li>G ← G + plain mean of the accepted updates (every coordinate).</li>
 * </ol>
 * Vectors over the trainable parameters (BatchNorm running statistics are no gradients). Equal scores (nothing to
 * split) mean no attack. A singular L-BFGS system (e.g. G did not move) skips the round's distances, with a note.
 * <p>FLPoison ({@code aggregators/fldetector.py}) pairs ḡ_k − ḡ_{k−1} with ḡ_k instead of G_k − G_{k−1} (one
 * round later than the gradient difference it explains), uses 20 reference sets and k up to 10, and starts its
 * scores one window later; this class follows the authors' code. The paper restarts training without the
 * detected clients; here (as FLPoison) they are left out of the round's mean, and detection continues.
 * <p>Verdicts: the rejected cluster rejected and flagged; everybody else accepted.
 */
public final class FlDetector implements Defense {

    public static final int DEFAULT_WINDOW = 10;
    public static final int DEFAULT_START = 50;

    static final int GAP_MAX_K = 7;
    static final int GAP_REFERENCES = 10;
    private static final int KMEANS_RESTARTS = 10;
    private static final String STATE_PREFIX = "fldetector:";

    private final int window;
    private final int start;

    private int roundsSeen;
    private float[] previousGlobal;
    private float[] previousAggregate;
    private TreeMap<Integer, float[]> previousUpdates = new TreeMap<>();
    private final List<float[]> weightDiffs = new ArrayList<>();
    private final List<float[]> gradDiffs = new ArrayList<>();
    private final List<TreeMap<Integer, Double>> distances = new ArrayList<>();

    /**
     * @param window number of (s, y) pairs kept and of rounds whose distances make a score, ≥ 1
     * @param start  rounds this defense aggregates before it computes distances, ≥ 1 (warm-up)
     */
    public FlDetector(int window, int start) {
        DefenseSupport.require(window >= 1, "fldetector", "window", ">= 1", window);
        DefenseSupport.require(start >= 1, "fldetector", "start", ">= 1", start);
        this.window = window;
        this.start = start;
    }

    /** Window 10, start 50 (the authors' and FLPoison's). */
    public FlDetector() {
        this(DEFAULT_WINDOW, DEFAULT_START);
    }

    /** Options {@code window} (10), {@code start} (50). */
    public static FlDetector fromOptions(Map<String, String> options) {
        DefenseOptions o = new DefenseOptions("fldetector", options);
        FlDetector d = new FlDetector(o.getInt("window", DEFAULT_WINDOW), o.getInt("start", DEFAULT_START));
        o.rejectUnknown();
        return d;
    }

    @Override
    public String name() {
        return "fldetector";
    }

    @Override
    public boolean flagsClients() {
        return true;
    }

    private static float[] compact(float[] row, int[] ranges, int length) {
        float[] out = new float[length];
        int at = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            int size = ranges[r + 1] - ranges[r];
            System.arraycopy(row, ranges[r], out, at, size);
            at += size;
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /**
     * The L-BFGS Hessian-vector product Ĥ·v from pairs (s_k, y_k), oldest first; null when the system is singular
     * or the result is not finite.
     */
    static double[] hessianVectorProduct(List<float[]> s, List<float[]> y, float[] v,
                                         org.badfl.engine.Compute compute) {
        int m = s.size();
        int d = v.length;
        double[][] sty = new double[m][m];
        double[][] sts = new double[m][m];
        compute.parallelFor(m, i -> {
            for (int j = 0; j < m; j++) {
                sty[i][j] = dot(s.get(i), y.get(j));
                sts[i][j] = dot(s.get(i), s.get(j));
            }
        });
        double sigma = dot(y.get(m - 1), s.get(m - 1)) / sts[m - 1][m - 1];
        if (!Double.isFinite(sigma)) {
            return null;
        }
        double[][] mat = new double[2 * m][2 * m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                mat[i][j] = sigma * sts[i][j];
                double lower = i > j ? sty[i][j] : 0;
                mat[i][m + j] = lower;
                mat[m + j][i] = lower;
            }
            mat[m + i][m + i] = -sty[i][i];
        }
        double[] p = new double[2 * m];
        for (int i = 0; i < m; i++) {
            p[i] = sigma * dot(s.get(i), v);
            p[m + i] = dot(y.get(i), v);
        }
        RealVector q;
        try {
            q = new LUDecomposition(new Array2DRowRealMatrix(mat, false)).getSolver().solve(new ArrayRealVector(p,
                false));
        } catch (SingularMatrixException e) {
            return null;
        }
        double[] h = new double[d];
        double[] qs = new double[m];
        double[] qy = new double[m];
        for (int i = 0; i < m; i++) {
            qs[i] = sigma * q.getEntry(i);
            qy[i] = q.getEntry(m + i);
        }
        int chunk = 1 << 16;
        int chunks = (d + chunk - 1) / chunk;
        boolean[] finite = new boolean[chunks];
        compute.parallelFor(chunks, t -> {
            boolean ok = true;
            for (int c = t * chunk, end = Math.min(d, (t + 1) * chunk); c < end; c++) {
                double x = sigma * v[c];
                for (int i = 0; i < m; i++) {
                    x -= s.get(i)[c] * qs[i] + y.get(i)[c] * qy[i];
                }
                ok &= Double.isFinite(x);
                h[c] = x;
            }
            finite[t] = ok;
        });
        for (boolean ok : finite) {
            if (!ok) {
                return null;
            }
        }
        return h;
    }

    /** Within-cluster sum of squares of 1-D points after K-means with k clusters. */
    private static double inertia(double[] values, int k, long seed) {
        double[][] points = new double[values.length][];
        for (int i = 0; i < values.length; i++) {
            points[i] = new double[] {values[i]};
        }
        return new KMeans(k, 300, KMEANS_RESTARTS).fit(points, seed).inertia();
    }

    /**
     * The number of clusters the gap statistic picks for 1-D scores (step 4); 1 when all scores are equal.
     */
    static int gapStatistic(double[] scores, long seed) {
        int m = scores.length;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : scores) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (m < 2 || !(max > min)) {
            return 1;
        }
        double[] x = new double[m];
        for (int i = 0; i < m; i++) {
            x[i] = (scores[i] - min) / (max - min);
        }
        int kMax = Math.min(GAP_MAX_K, m);
        double[] gaps = new double[kMax];
        double[] sd = new double[kMax];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int k = 1; k <= kMax; k++) {
            double wk = inertia(x, k, rng.nextLong());
            double[] logRef = new double[GAP_REFERENCES];
            double sumRef = 0;
            for (int b = 0; b < GAP_REFERENCES; b++) {
                double[] reference = new double[m];
                for (int i = 0; i < m; i++) {
                    reference[i] = rng.nextDouble();
                }
                double w = inertia(reference, k, rng.nextLong());
                sumRef += w;
                logRef[b] = Math.log(w);
            }
            gaps[k - 1] = Math.log(sumRef / GAP_REFERENCES) - Math.log(wk);
            double mean = 0;
            for (double v : logRef) {
                mean += v / GAP_REFERENCES;
            }
            double var = 0;
            for (double v : logRef) {
                var += (v - mean) * (v - mean) / GAP_REFERENCES;
            }
            sd[k - 1] = Math.sqrt(var) * Math.sqrt((1.0 + GAP_REFERENCES) / GAP_REFERENCES);
        }
        for (int k = 1; k < kMax; k++) {
            if (gaps[k - 1] - gaps[k] + sd[k] >= 0) {
                return k;
            }
        }
        return kMax;
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        if (n == 0) {
            return DefenseSupport.emptyRound(input);
        }
        roundsSeen++;
        int[] ranges = input.layout().trainableRanges();
        int length = input.layout().trainableSize();
        org.badfl.engine.Compute compute = input.context().compute();
        float[] global = compact(input.global(), ranges, length);
        float[][] rows = updates.rows();
        List<String> notes = new ArrayList<>();

        float[] move = null;
        if (previousGlobal != null) {
            move = new float[length];
            for (int c = 0; c < length; c++) {
                move[c] = global[c] - previousGlobal[c];
            }
        }
        if (roundsSeen > start && move != null && !weightDiffs.isEmpty()) {
            double[] h = hessianVectorProduct(weightDiffs, gradDiffs, move, compute);
            if (h == null) {
                notes.add("L-BFGS system singular: no distances this round");
            } else {
                double[] dist = new double[n];
                compute.parallelFor(n, i -> {
                    float[] previous = previousUpdates.get(updates.clientId(i));
                    if (previous == null) {
                        dist[i] = Double.NaN;
                        return;
                    }
                    float[] row = rows[i];
                    double sq = 0;
                    int at = 0;
                    for (int r = 0; r < ranges.length; r += 2) {
                        for (int c = ranges[r]; c < ranges[r + 1]; c++, at++) {
                            double e = previous[at] + h[at] - row[c];
                            sq += e * e;
                        }
                    }
                    dist[i] = Math.sqrt(sq);
                });
                TreeMap<Integer, Double> d = new TreeMap<>();
                double total = 0;
                for (int i = 0; i < n; i++) {
                    if (!Double.isNaN(dist[i])) {
                        d.put(updates.clientId(i), dist[i]);
                        total += dist[i];
                    }
                }
                if (total > 0 && Double.isFinite(total)) {
                    for (Map.Entry<Integer, Double> e : d.entrySet()) {
                        e.setValue(e.getValue() / total);
                    }
                    distances.add(d);
                    if (distances.size() > window) {
                        distances.remove(0);
                    }
                }
            }
        }

        boolean[] rejected = new boolean[n];
        double[] score = new double[n];
        java.util.Arrays.fill(score, Double.NaN);
        boolean attack = false;
        if (distances.size() >= window) {
            List<Integer> scored = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double sum = 0;
                int count = 0;
                for (TreeMap<Integer, Double> d : distances) {
                    Double v = d.get(updates.clientId(i));
                    if (v != null) {
                        sum += v;
                        count++;
                    }
                }
                if (count > 0) {
                    score[i] = sum / count;
                    scored.add(i);
                }
            }
            double[] s = new double[scored.size()];
            for (int a = 0; a < s.length; a++) {
                s[a] = score[scored.get(a)];
            }
            int k = gapStatistic(s, Seeds.derive(input.seed(), "fldetector-gap"));
            if (k >= 2) {
                attack = true;
                double[][] points = new double[s.length][];
                for (int a = 0; a < s.length; a++) {
                    points[a] = new double[] {s[a]};
                }
                int[] labels = new KMeans(2, 300, KMEANS_RESTARTS).fit(points,
                    Seeds.derive(input.seed(), "fldetector-kmeans")).assignments();
                double[] sum = new double[2];
                int[] count = new int[2];
                for (int a = 0; a < s.length; a++) {
                    sum[labels[a]] += s[a];
                    count[labels[a]]++;
                }
                int bad = sum[1] / Math.max(1, count[1]) > sum[0] / Math.max(1, count[0]) ? 1 : 0;
                for (int a = 0; a < s.length; a++) {
                    rejected[scored.get(a)] = labels[a] == bad;
                }
                notes.add("gap statistic chose " + k + " clusters: attack detected");
            }
        }

        int admitted = 0;
        for (boolean r : rejected) {
            admitted += r ? 0 : 1;
        }
        double[] weights = new double[n];
        List<ClientVerdict> verdicts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = updates.clientId(i);
            String why = Double.isNaN(score[i]) ? "no suspicious score" : "suspicious score " + fmt(score[i]);
            if (rejected[i]) {
                verdicts.add(ClientVerdict.rejected(id, true, why + " in the higher 2-means cluster"));
            } else {
                weights[i] = 1.0 / admitted;
                verdicts.add(ClientVerdict.accepted(id, why + (attack ? " in the lower 2-means cluster" : "")));
            }
        }
        float[] next = input.global().clone();
        input.context().kernels().accumulate(updates, weights, next);

        // Memory for the next round (the authors' order: after this round's prediction).
        float[] aggregate = new float[length];
        for (int i = 0; i < n; i++) {
            if (weights[i] != 0) {
                float[] row = rows[i];
                int at = 0;
                for (int r = 0; r < ranges.length; r += 2) {
                    for (int c = ranges[r]; c < ranges[r + 1]; c++, at++) {
                        aggregate[at] += (float) (weights[i] * row[c]);
                    }
                }
            }
        }
        if (move != null) {
            float[] dy = new float[length];
            for (int c = 0; c < length; c++) {
                dy[c] = aggregate[c] - previousAggregate[c];
            }
            weightDiffs.add(move);
            gradDiffs.add(dy);
            if (weightDiffs.size() > window) {
                weightDiffs.remove(0);
                gradDiffs.remove(0);
            }
        }
        previousGlobal = global;
        previousAggregate = aggregate;
        // This round's updates become the previous ones; arrays of returning clients are reused (n·d floats).
        TreeMap<Integer, float[]> old = previousUpdates;
        float[][] kept = new float[n][];
        for (int i = 0; i < n; i++) {
            float[] buffer = old.remove(updates.clientId(i));
            kept[i] = buffer != null && buffer.length == length ? buffer : null;
        }
        old.clear();
        compute.parallelFor(n, i -> {
            float[] copy = kept[i] != null ? kept[i] : new float[length];
            float[] row = rows[i];
            int at = 0;
            for (int r = 0; r < ranges.length; r += 2) {
                int size = ranges[r + 1] - ranges[r];
                System.arraycopy(row, ranges[r], copy, at, size);
                at += size;
            }
            kept[i] = copy;
        });
        previousUpdates = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            previousUpdates.put(updates.clientId(i), kept[i]);
        }
        return new RoundResult(next, verdicts, String.join("; ", notes));
    }

    // ---- state ---------------------------------------------------------------------------------------------------

    /**
     * {@code fldetector:} then sections joined by '|': rounds seen, previous G, previous aggregate, previous updates
     * ({@code id=Base64;...}), s pairs, y pairs (Base64 joined by ';'), distance rounds ({@code id=value,...} joined
     * by ';'); vectors as Base64 of little-endian floats, distances as Java's exact decimal. Null before round 1.
     */
    @Override
    public String saveState() {
        if (roundsSeen == 0) {
            return null;
        }
        StringBuilder b = new StringBuilder(STATE_PREFIX).append(roundsSeen).append('|');
        b.append(encode(previousGlobal)).append('|').append(encode(previousAggregate)).append('|');
        b.append(String.join(";", previousUpdates.entrySet().stream()
            .map(e -> e.getKey() + "=" + encode(e.getValue())).toList())).append('|');
        b.append(String.join(";", weightDiffs.stream().map(FlDetector::encode).toList())).append('|');
        b.append(String.join(";", gradDiffs.stream().map(FlDetector::encode).toList())).append('|');
        b.append(String.join(";", distances.stream().map(d -> String.join(",", d.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue()).toList())).toList()));
        return b.toString();
    }

    @Override
    public void restoreState(String state) {
        reset();
        if (state == null) {
            return;
        }
        if (!state.startsWith(STATE_PREFIX)) {
            throw new IllegalArgumentException("fldetector: saved state does not start with '" + STATE_PREFIX
                + "' (not written by this defense)");
        }
        String[] parts = state.substring(STATE_PREFIX.length()).split("\\|", -1);
        if (parts.length != 7) {
            throw new IllegalArgumentException("fldetector: saved state has " + parts.length + " sections, expected 7");
        }
        try {
            roundsSeen = Integer.parseInt(parts[0]);
            previousGlobal = decode(parts[1]);
            previousAggregate = decode(parts[2]);
            for (String e : split(parts[3], ";")) {
                int eq = e.indexOf('=');
                if (previousUpdates.put(Integer.parseInt(e.substring(0, eq)), decode(e.substring(eq + 1))) != null) {
                    throw new IllegalArgumentException("client " + e.substring(0, eq) + " twice");
                }
            }
            for (String e : split(parts[4], ";")) {
                weightDiffs.add(decode(e));
            }
            for (String e : split(parts[5], ";")) {
                gradDiffs.add(decode(e));
            }
            for (String round : split(parts[6], ";")) {
                TreeMap<Integer, Double> d = new TreeMap<>();
                for (String e : split(round, ",")) {
                    int eq = e.indexOf('=');
                    d.put(Integer.parseInt(e.substring(0, eq)), Double.parseDouble(e.substring(eq + 1)));
                }
                distances.add(d);
            }
        } catch (RuntimeException e) {
            reset();
            throw new IllegalArgumentException("fldetector: saved state is malformed: " + e.getMessage(), e);
        }
        if (roundsSeen < 1 || previousGlobal == null || previousAggregate == null
            || weightDiffs.size() != gradDiffs.size() || weightDiffs.size() > window || distances.size() > window) {
            reset();
            throw new IllegalArgumentException("fldetector: saved state is inconsistent (rounds, vectors or a memory "
                + "longer than window " + window + ")");
        }
    }

    private void reset() {
        roundsSeen = 0;
        previousGlobal = null;
        previousAggregate = null;
        previousUpdates = new TreeMap<>();
        weightDiffs.clear();
        gradDiffs.clear();
        distances.clear();
    }

    private static String[] split(String s, String separator) {
        return s.isEmpty() ? new String[0] : s.split(separator, -1);
    }

    private static String encode(float[] v) {
        ByteBuffer buffer = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(buffer.array());
    }

    private static float[] decode(String s) {
        byte[] bytes = Base64.getDecoder().decode(s);
        if (bytes.length % Float.BYTES != 0) {
            throw new IllegalArgumentException(bytes.length + " bytes are not a whole number of floats");
        }
        float[] v = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
