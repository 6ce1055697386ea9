package org.badfl.server.defenses;

import org.badfl.server.DefenseOptions;
import static org.badfl.server.defenses.DefenseSupport.fmt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.detect.GramMatrix;

/**
 * FoolsGold (Fung, Yoon, Beschastnikh, "The limitations of federated learning in sybil settings", RAID 2020,
 * Algorithm 1; authors' code DistributedML/FoolsGold, {@code deep-fg/fg/foolsgold.py} and {@code trainer.py} for
 * deep models, {@code ML/code/model_aggregator.py} for softmax models). Sybils that push the same poisoning
 * objective share a direction over time; FoolsGold down-weights clients whose update histories are alike.
 * <ol>
 *   <li>History: H_i ← H_i + Δ_i over the chosen features, kept per client id across rounds (this defense's
 *       state, {@link #saveState}/{@link #restoreState}); this round's update included.</li>
 *   <li>cs_ij = cos(H_i, H_j) among this round's clients, cs_ii = 0 (cosine similarity minus the identity, so
 *       the row maximum v_i = max_j cs_ij is at least 0); v_i += ε.</li>
 *   <li>Pardoning: for i ≠ j with v_i &lt; v_j: cs_ij ← cs_ij·v_i/v_j.</li>
 *   <li>α_i = 1 − max_j cs_ij, clipped to [0, 1]; α ← α / max α; α_i = 1 → 0.99;
 *       α_i ← ln(α_i/(1 − α_i) + ε) + 0.5, then +∞ or &gt; 1 → 1 and &lt; 0 → 0 (the logit with κ = 1).</li>
 *   <li>G ← G + (1/n) Σ_i α_i Δ_i (every coordinate; deep-fg divides the weighted sum by the number of
 *       clients).</li>
 * </ol>
 * Features ({@code features}): {@link Features#OUTPUT_LAYER} (default), the weights of the last layout entry of
 * kind WEIGHT, as deep-fg (whose memory holds the output layer's weight gradient), or {@link Features#ALL}
 * trainable parameters (the softmax code, where the model is one layer). ε = 10⁻⁵ (the softmax code's; deep-fg
 * has none). Since cs_ii = 0 counts in the maximum, v_i ≥ ε and the pardoning ratio v_i/v_j is in [0, 1). Where
 * max α is 0 (every client's history has cosine 1 with another's) every weight is 0, G stays unchanged and the
 * note says so (numpy would produce NaN).
 * <p>FLPoison ({@code aggregators/foolsgold.py}) departs in three ways, none followed: it rescales every update of
 * norm &gt; 1 to norm 1 before adding it to the history and before aggregating (from the softmax code); it
 * restricts the similarity to the top 10% output-layer weights of G per class; and it returns Σ α_i Δ_i without
 * the 1/n (the softmax code's FedSGD step), which under FedAvg moves G by up to n times the mean update.
 * <p>Verdicts: α_i = 0 rejected and flagged; 0 &lt; α_i &lt; 1 clipped (down-weighted), not flagged; α_i = 1
 * accepted. Histories are kept in float, one vector of the feature length per client id ever seen.
 */
public final class FoolsGold implements Defense {

    /** Which coordinates the histories hold. */
    public enum Features { OUTPUT_LAYER, ALL }

    public static final double DEFAULT_EPSILON = 1e-5;

    private static final String STATE_PREFIX = "foolsgold-histories:";

    private final Features features;
    private final double epsilon;
    /** Client id → history over the features. */
    private final TreeMap<Integer, float[]> histories = new TreeMap<>();

    /**
     * @param features which coordinates the histories hold
     * @param epsilon  ε ≥ 0 added to the maximum similarities and inside the logit
     */
    public FoolsGold(Features features, double epsilon) {
        DefenseSupport.require(features != null, "foolsgold", "features", "output-layer or all", features);
        DefenseSupport.require(epsilon >= 0 && epsilon < 1, "foolsgold", "epsilon", "in [0, 1)", epsilon);
        this.features = features;
        this.epsilon = epsilon;
    }

    /** Output-layer features, ε = 10⁻⁵. */
    public FoolsGold() {
        this(Features.OUTPUT_LAYER, DEFAULT_EPSILON);
    }

    /** Options {@code features=output-layer|all} (default output-layer), {@code epsilon} (default 1e-5). */
    public static FoolsGold fromOptions(Map<String, String> options) {
        DefenseOptions o = new DefenseOptions("foolsgold", options);
        FoolsGold fg = new FoolsGold(o.getChoice("features", "output-layer", "output-layer", "all").equals("all")
            ? Features.ALL : Features.OUTPUT_LAYER, o.getDouble("epsilon", DEFAULT_EPSILON));
        o.rejectUnknown();
        return fg;
    }

    @Override
    public String name() {
        return "foolsgold";
    }

    @Override
    public boolean flagsClients() {
        return true;
    }

    /** The feature ranges {@code [s0, e0, ...]} of a layout. */
    public int[] featureRanges(ParamLayout layout) {
        if (features == Features.ALL) {
            return layout.trainableRanges();
        }
        ParamLayout.Entry last = null;
        for (ParamLayout.Entry e : layout.entries()) {
            if (e.kind() == ParamKind.WEIGHT && e.length() > 0) {
                last = e;
            }
        }
        if (last == null) {
            throw new IllegalArgumentException("foolsgold: features=output-layer needs a layout entry of kind WEIGHT, "
                + "the layout has none (use features=all)");
        }
        return new int[] {last.offset(), last.end()};
    }

    /**
     * Steps 2-4: the weights α from a similarity matrix cs (n×n, diagonal ignored and taken as 0; not modified).
     */
    static double[] weights(double[][] cs, double epsilon) {
        int n = cs.length;
        double[][] c = new double[n][];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = cs[i].clone();
            c[i][i] = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (double x : c[i]) {
                max = Math.max(max, x);
            }
            v[i] = max + epsilon;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j && v[i] < v[j]) {
                    c[i][j] *= v[i] / v[j];
                }
            }
        }
        double[] alpha = new double[n];
        double top = 0;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double x : c[i]) {
                max = Math.max(max, x);
            }
            alpha[i] = Math.min(1, Math.max(0, 1 - max));
            top = Math.max(top, alpha[i]);
        }
        if (top == 0) {
            return new double[n];
        }
        for (int i = 0; i < n; i++) {
            double a = alpha[i] / top;
            if (a == 1) {
                a = 0.99;
            }
            double logit = Math.log(a / (1 - a) + epsilon) + 0.5;
            alpha[i] = logit > 1 ? 1 : (logit < 0 || Double.isNaN(logit) ? 0 : logit);
        }
        return alpha;
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        if (n == 0) {
            return DefenseSupport.emptyRound(input);
        }
        int[] ranges = featureRanges(input.layout());
        int count = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            count += ranges[r + 1] - ranges[r];
        }
        int length = count;
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            int id = updates.clientId(i);
            if (!seen.add(id)) {
                throw new IllegalArgumentException("foolsgold: client " + id + " sent two updates in one round");
            }
            float[] h = histories.get(id);
            if (h != null && h.length != length) {
                throw new IllegalArgumentException("foolsgold: the history of client " + id + " has " + h.length
                    + " values, this round's features have " + length);
            }
        }
        float[][] current = new float[n][];
        for (int i = 0; i < n; i++) {
            float[] h = histories.computeIfAbsent(updates.clientId(i), k -> new float[length]);
            float[] row = updates.row(i);
            int at = 0;
            for (int r = 0; r < ranges.length; r += 2) {
                for (int c = ranges[r]; c < ranges[r + 1]; c++) {
                    h[at] = h[at] + row[c];
                    at++;
                }
            }
            current[i] = h;
        }
        GramMatrix gram = GramMatrix.of(current, new int[] {0, length}, input.context().kernels());
        double[][] cs = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                cs[i][j] = i == j ? 0 : gram.cosine(i, j);
            }
        }
        double[] alpha = weights(cs, epsilon);
        double[] w = new double[n];
        boolean any = false;
        for (int i = 0; i < n; i++) {
            w[i] = alpha[i] / n;
            any |= alpha[i] > 0;
        }
        float[] next = input.global().clone();
        if (any) {
            input.context().kernels().accumulate(updates.rows(), w, next);
        }
        List<ClientVerdict> verdicts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = updates.clientId(i);
            String reason = "FoolsGold weight " + fmt(alpha[i]);
            verdicts.add(alpha[i] == 0 ? ClientVerdict.rejected(id, true, reason)
                : alpha[i] < 1 ? ClientVerdict.clipped(id, false, reason) : ClientVerdict.accepted(id, reason));
        }
        return new RoundResult(next, verdicts, any ? "" : "every FoolsGold weight is 0: G unchanged");
    }

    /** The history of a client (a copy), or null if it never sent an update. */
    public float[] history(int clientId) {
        float[] h = histories.get(clientId);
        return h == null ? null : h.clone();
    }

    /**
     * The histories as text: {@code foolsgold-histories:} then {@code id=Base64(little-endian floats)} entries
     * joined by ';', by increasing id. Null before the first round.
     */
    @Override
    public String saveState() {
        if (histories.isEmpty()) {
            return null;
        }
        StringBuilder s = new StringBuilder(STATE_PREFIX);
        boolean first = true;
        for (Map.Entry<Integer, float[]> e : histories.entrySet()) {
            if (!first) {
                s.append(';');
            }
            first = false;
            ByteBuffer buffer = ByteBuffer.allocate(e.getValue().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buffer.asFloatBuffer().put(e.getValue());
            s.append(e.getKey()).append('=').append(Base64.getEncoder().encodeToString(buffer.array()));
        }
        return s.toString();
    }

    @Override
    public void restoreState(String state) {
        histories.clear();
        if (state == null) {
            return;
        }
        if (!state.startsWith(STATE_PREFIX)) {
            throw new IllegalArgumentException("foolsgold: saved state does not start with '" + STATE_PREFIX
                + "' (not written by this defense)");
        }
        String body = state.substring(STATE_PREFIX.length());
        for (String entry : body.split(";")) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                histories.clear();
                throw new IllegalArgumentException("foolsgold: saved history entry '" + abbreviate(entry)
                    + "' is not id=Base64");
            }
            int id;
            byte[] bytes;
            try {
                id = Integer.parseInt(entry.substring(0, eq));
                bytes = Base64.getDecoder().decode(entry.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                histories.clear();
                throw new IllegalArgumentException("foolsgold: saved history entry '" + abbreviate(entry)
                    + "' is not id=Base64: " + e.getMessage());
            }
            if (bytes.length % Float.BYTES != 0) {
                histories.clear();
                throw new IllegalArgumentException("foolsgold: saved history of client " + id + " has "
                    + bytes.length + " bytes, not a whole number of floats");
            }
            float[] h = new float[bytes.length / Float.BYTES];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(h);
            if (histories.put(id, h) != null) {
                histories.clear();
                throw new IllegalArgumentException("foolsgold: saved state holds client " + id + " twice");
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
