package org.badfl.server.defenses;

import static org.badfl.server.defenses.DefenseSupport.fmt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.DefenseOptions;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.kernels.CoordinateStats;

/**
 * LASA (Xu, Zhang, Jin, Hu, Li, "Achieving Byzantine-resilient federated learning via layer-adaptive sparsified
 * model aggregation", WACV 2025; authors' code JiiahaoXU/LASA {@code algorithms/defense/lasa.py}):
 * <ol>
 *   <li>Clipping: Δ̃_i = Δ_i·min(1, M/‖Δ_i‖), M = median of the norms.</li>
 *   <li>Pre-aggregation sparsification of each Δ̃_i: over its weight entries (kind WEIGHT) together, keep the
 *       values whose magnitude is strictly above the K-th largest, K = ⌊(1 − sparsity)·count⌋ (nothing kept when
 *       K = 0); other entries stay dense.</li>
 *   <li>For each trainable layout entry l, over the sparsified Δ̃_i restricted to l:
 *       magnitude: z_i = |‖Δ̃_i^l‖ − median| / std &lt; λ_n; direction: sign purity
 *       ρ_i = ½(1 + (Σ sign)/(Σ |sign|)·(1 − sparsity)) (½ for an all-zero layer), z_i = |ρ_i − median| / std
 *       &lt; λ_s (std the population standard deviation; std = 0 gives z = 0). B_l = clients passing both (all
 *       clients when none does).</li>
 *   <li>G^l ← G^l + mean over B_l of the sparsified Δ̃_i^l.</li>
 * </ol>
 * Norms over the trainable parameters; BatchNorm running statistics are averaged over all clients, unclipped and
 * unfiltered.
 * <p>The authors' code clips and sparsifies the same tensors (in place), so both the filter and the mean see
 * clipped, sparsified updates; FLPoison ({@code aggregators/lasa.py}) filters unclipped sparsified updates and
 * averages the clipped dense ones. This class follows the authors. Both sparsify only 2-D and 4-D tensors (linear
 * and convolution weights); here every WEIGHT entry (BatchNorm γ included) is sparsified.
 * <p>Verdicts: excluded from every layer: rejected and flagged; excluded from more than half of the layers:
 * clipped and flagged; otherwise clipped (modified: clipped, sparsified or excluded from some layers), not
 * flagged, or accepted when used whole and unmodified.
 */
public final class Lasa implements Defense {

    public static final double DEFAULT_NORM_BOUND = 2.0;
    public static final double DEFAULT_SIGN_BOUND = 1.0;
    public static final double DEFAULT_SPARSITY = 0.3;

    private final double normBound;
    private final double signBound;
    private final double sparsity;

    /**
     * @param normBound λ_n &gt; 0, bound on the magnitude z-score
     * @param signBound λ_s &gt; 0, bound on the sign-purity z-score
     * @param sparsity  share of each update's weight entries zeroed, in [0, 1)
     */
    public Lasa(double normBound, double signBound, double sparsity) {
        DefenseSupport.require(normBound > 0 && Double.isFinite(normBound), "lasa", "norm-bound", "finite and > 0",
            normBound);
        DefenseSupport.require(signBound > 0 && Double.isFinite(signBound), "lasa", "sign-bound", "finite and > 0",
            signBound);
        DefenseSupport.require(sparsity >= 0 && sparsity < 1, "lasa", "sparsity", "in [0, 1)", sparsity);
        this.normBound = normBound;
        this.signBound = signBound;
        this.sparsity = sparsity;
    }

    /** λ_n = 2, λ_s = 1, sparsity 0.3. */
    public Lasa() {
        this(DEFAULT_NORM_BOUND, DEFAULT_SIGN_BOUND, DEFAULT_SPARSITY);
    }

    /** Options {@code norm-bound} (2), {@code sign-bound} (1), {@code sparsity} (0.3). */
    public static Lasa fromOptions(Map<String, String> options) {
        DefenseOptions o = new DefenseOptions("lasa", options);
        Lasa l = new Lasa(o.getDouble("norm-bound", DEFAULT_NORM_BOUND), o.getDouble("sign-bound", DEFAULT_SIGN_BOUND),
            o.getDouble("sparsity", DEFAULT_SPARSITY));
        o.rejectUnknown();
        return l;
    }

    @Override
    public String name() {
        return "lasa";
    }

    @Override
    public boolean flagsClients() {
        return true;
    }

    /**
     * The sparsification threshold of a row: the K-th largest |value| over the WEIGHT entries, K = ⌊(1 −
     * sparsity)·count⌋; values strictly above it are kept. −1 (keep all) for sparsity 0, +∞ (keep none) for K = 0.
     */
    static float threshold(float[] row, List<ParamLayout.Entry> weights, double sparsity) {
        if (sparsity == 0) {
            return -1f;
        }
        int count = 0;
        for (ParamLayout.Entry e : weights) {
            count += e.length();
        }
        int keep = (int) Math.floor(count * (1 - sparsity));
        if (keep == 0) {
            return Float.POSITIVE_INFINITY;
        }
        float[] abs = new float[count];
        int at = 0;
        for (ParamLayout.Entry e : weights) {
            for (int c = e.offset(); c < e.end(); c++) {
                abs[at++] = Math.abs(row[c]);
            }
        }
        return CoordinateStats.kthSmallest(abs, count - keep);
    }

    /** |x − median| / std (population std) for every value; 0 everywhere when std is 0. */
    static double[] medianZScores(double[] x) {
        int n = x.length;
        double median = DefenseSupport.median(x);
        double mean = 0;
        for (double v : x) {
            mean += v / n;
        }
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean) / n;
        }
        double std = Math.sqrt(var);
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = std > 0 ? Math.abs(x[i] - median) / std : 0;
        }
        return z;
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        if (n == 0) {
            return DefenseSupport.emptyRound(input);
        }
        ParamLayout layout = input.layout();
        float[][] rows = updates.rows();
        double[] norms = input.context().kernels().dots(updates, null, layout.trainableRanges());
        for (int i = 0; i < n; i++) {
            norms[i] = Math.sqrt(norms[i]);
        }
        double median = DefenseSupport.median(norms);
        double[] clip = new double[n];
        List<ParamLayout.Entry> weightEntries = new ArrayList<>();
        for (ParamLayout.Entry e : layout.entries()) {
            if (e.kind() == ParamKind.WEIGHT && e.length() > 0) {
                weightEntries.add(e);
            }
        }
        float[] thresholds = new float[n];
        for (int i = 0; i < n; i++) {
            clip[i] = norms[i] > median ? median / norms[i] : 1.0;
            // Clipping scales a row uniformly, so the kept set is the raw row's.
            thresholds[i] = threshold(rows[i], weightEntries, sparsity);
        }

        float[] next = input.global().clone();
        int trainableLayers = 0;
        int[] excluded = new int[n];
        List<ParamLayout.Entry> entries = layout.entries();
        double[] sum = new double[0];
        for (ParamLayout.Entry e : entries) {
            if (e.length() == 0) {
                continue;
            }
            boolean sparse = e.kind() == ParamKind.WEIGHT;
            if (sum.length < e.length()) {
                sum = new double[e.length()];
            }
            java.util.Arrays.fill(sum, 0, e.length(), 0.0);
            boolean[] benign = new boolean[n];
            if (!e.kind().trainable()) {
                java.util.Arrays.fill(benign, true);
            } else {
                trainableLayers++;
                double[] layerNorm = new double[n];
                double[] purity = new double[n];
                for (int i = 0; i < n; i++) {
                    float[] row = rows[i];
                    double sq = 0;
                    long signSum = 0;
                    long nonZero = 0;
                    for (int c = e.offset(); c < e.end(); c++) {
                        float v = row[c];
                        if (sparse && !(Math.abs(v) > thresholds[i])) {
                            continue;
                        }
                        sq += (double) v * v;
                        if (v != 0) {
                            signSum += v > 0 ? 1 : -1;
                            nonZero++;
                        }
                    }
                    layerNorm[i] = clip[i] * Math.sqrt(sq);
                    purity[i] = nonZero == 0 ? 0.5 : 0.5 * (1 + (double) signSum / nonZero * (1 - sparsity));
                }
                double[] zNorm = medianZScores(layerNorm);
                double[] zSign = medianZScores(purity);
                boolean any = false;
                for (int i = 0; i < n; i++) {
                    benign[i] = zNorm[i] < normBound && zSign[i] < signBound;
                    any |= benign[i];
                }
                if (!any) {
                    java.util.Arrays.fill(benign, true);
                }
                for (int i = 0; i < n; i++) {
                    excluded[i] += benign[i] ? 0 : 1;
                }
            }
            int members = 0;
            for (boolean b : benign) {
                members += b ? 1 : 0;
            }
            boolean trainable = e.kind().trainable();
            for (int i = 0; i < n; i++) {
                if (!benign[i]) {
                    continue;
                }
                float[] row = rows[i];
                double f = trainable ? clip[i] : 1.0;
                for (int c = e.offset(), at = 0; c < e.end(); c++, at++) {
                    float v = row[c];
                    if (sparse && !(Math.abs(v) > thresholds[i])) {
                        continue;
                    }
                    sum[at] += f * v;
                }
            }
            for (int c = e.offset(), at = 0; c < e.end(); c++, at++) {
                next[c] = (float) (next[c] + sum[at] / members);
            }
        }

        List<ClientVerdict> verdicts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = updates.clientId(i);
            String why = "excluded from " + excluded[i] + " of " + trainableLayers + " layers, norm " + fmt(norms[i])
                + " (median " + fmt(median) + ")";
            if (trainableLayers > 0 && excluded[i] == trainableLayers) {
                verdicts.add(ClientVerdict.rejected(id, true, why));
            } else if (2 * excluded[i] > trainableLayers) {
                verdicts.add(ClientVerdict.clipped(id, true, why));
            } else if (excluded[i] > 0 || clip[i] < 1 || sparsity > 0) {
                verdicts.add(ClientVerdict.clipped(id, false, why));
            } else {
                verdicts.add(ClientVerdict.accepted(id, why));
            }
        }
        return new RoundResult(next, verdicts, "");
    }
}
