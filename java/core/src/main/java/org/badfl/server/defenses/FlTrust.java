package org.badfl.server.defenses;

import static org.badfl.server.defenses.DefenseSupport.fmt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.UpdateValidator;
import org.badfl.server.detect.GramMatrix;
import org.badfl.server.AggregationKernels;
import org.badfl.util.Seeds;

/**
 * FLTrust (Cao, Fang, Liu, Gong, "FLTrust: Byzantine-robust Federated Learning via Trust Bootstrapping",
 * NDSS 2021; vio1etus/FLPoison {@code aggregators/fltrust.py}; docs/DEFENSES.md, "FLTrust"):
 * <ol>
 *   <li>The server's update g_0 = {@link org.badfl.server.ServerContext#rootUpdate} (the server trains a copy of
 *       G on its clean root set; seed {@code Seeds.derive(roundSeed, "fltrust-root")}).</li>
 *   <li>Trust TS_i = ReLU(cos(Δ_i, g_0)), cosines over the trainable parameters only (BatchNorm statistics
 *       excluded).</li>
 *   <li>Norm alignment Δ̄_i = Δ_i·‖g_0‖/‖Δ_i‖ (trainable parameters).</li>
 *   <li>G ← G + Σ_i TS_i Δ̄_i / Σ_i TS_i. BatchNorm running statistics: the trust-weighted mean of the
 *       clients' raw statistics (not norm-aligned).</li>
 * </ol>
 * All TS_i = 0 (or no root direction: ‖g_0‖ = 0): G unchanged, with a note (the paper's rule; FLPoison instead
 * falls back to uniform weights, not used here). The all-zero rule is exact: with the cosine's definition of
 * {@link GramMatrix#cosine} a zero update has trust 0.
 * <p>Verdicts: trust 0 → rejected and flagged; trust &gt; 0 → clipped (norm aligned, even when that scales up),
 * not flagged.
 */
public final class FlTrust implements Defense {

    @Override
    public String name() {
        return "fltrust";
    }

    @Override
    public boolean flagsClients() {
        return true;
    }

    /**
     * Trust scores of one round.
     *
     * @param trust       TS_i = max(0, cos(Δ_i, g_0))
     * @param cosines     cos(Δ_i, g_0)
     * @param scales      ‖g_0‖/‖Δ_i‖ (0 for a zero update)
     * @param rootNorm    ‖g_0‖ over the trainable parameters
     */
    public record Scores(double[] trust, double[] cosines, double[] scales, double rootNorm) {

        public double totalTrust() {
            return Arrays.stream(trust).sum();
        }
    }

    /**
     * Steps 2-3 for updates and a given root update (neither modified): dots with g_0 and norms together in one
     * O(n·d) pass ({@link AggregationKernels#dotsAndSquaredNorms}, on the CPU
     * {@link org.badfl.server.kernels.RowDots}: float FMA within chunks of 8192 coordinates, chunks added in
     * double, so within (m + 1)·2⁻²⁴·Σ|x_c·y_c|, m = 512, of the exact sums; the n×n Gram matrix is not needed). Cosine convention as {@link GramMatrix#cosine}: 0 when
     * either vector is zero, clamped to [−1, 1].
     */
    public static Scores score(RoundInput input, float[] rootUpdate) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        int[] ranges = input.layout().trainableRanges();
        AggregationKernels kernels = input.context().kernels();
        double[][] dotsAndNorms = kernels.dotsAndSquaredNorms(updates, rootUpdate, ranges);
        double[] dots = dotsAndNorms[0];
        double[] squaredNorms = dotsAndNorms[1];
        double rootSquaredNorm = kernels.dots(new float[][] {rootUpdate}, null, ranges)[0];
        double rootNorm = Math.sqrt(rootSquaredNorm);
        double[] trust = new double[n];
        double[] cosines = new double[n];
        double[] scales = new double[n];
        for (int i = 0; i < n; i++) {
            cosines[i] = cosine(dots[i], squaredNorms[i], rootSquaredNorm);
            trust[i] = Math.max(0.0, cosines[i]);
            double norm = Math.sqrt(squaredNorms[i]);
            scales[i] = norm > 0 ? rootNorm / norm : 0.0;
        }
        return new Scores(trust, cosines, scales, rootNorm);
    }

    /** {@link GramMatrix#cosine} on a 2×2 Gram matrix. */
    private static double cosine(double dot, double squaredNormA, double squaredNormB) {
        return GramMatrix.wrap(new double[] {squaredNormA, dot, dot, squaredNormB}, 2).cosine(0, 1);
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        if (updates.size() == 0) {
            return DefenseSupport.emptyRound(input);
        }
        float[] root = rootUpdate(input);
        Scores s = score(input, root);
        List<ClientVerdict> verdicts = verdicts(updates, s);
        double total = s.totalTrust();
        if (!(total > 0)) {
            String why = s.rootNorm() == 0 ? "the root update is zero" : "no update has a positive cosine with it";
            return new RoundResult(input.global().clone(), verdicts, "all FLTrust trust scores are 0 (" + why
                + "): G unchanged");
        }
        int n = updates.size();
        double[] weights = new double[n];
        double[][] layerScale = new double[n][];
        for (int i = 0; i < n; i++) {
            weights[i] = s.trust()[i] / total;
            layerScale[i] = DefenseSupport.trainableScale(input.layout(), s.scales()[i]);
        }
        float[] next = input.global().clone();
        input.context().kernels().accumulateLayerScaled(updates, weights, layerScale, input.layout(), next);
        return new RoundResult(next, verdicts, "");
    }

    /** Step 1, with the server's own result checked like a client's (a broken root trainer must not reach G). */
    private static float[] rootUpdate(RoundInput input) {
        long seed = Seeds.derive(input.seed(), "fltrust-root");
        float[] root = input.context().rootUpdate(input.global(), input.round(), seed);
        input.layout().checkLength("FLTrust root update", root);
        UpdateValidator.findNonFinite(root, input.layout()).ifPresent(p -> {
            throw new IllegalStateException("FLTrust root update is not finite: " + p);
        });
        return root;
    }

    private static List<ClientVerdict> verdicts(RoundUpdates updates, Scores s) {
        List<ClientVerdict> out = new ArrayList<>(updates.size());
        for (int i = 0; i < updates.size(); i++) {
            int id = updates.clientId(i);
            if (s.trust()[i] > 0) {
                out.add(ClientVerdict.clipped(id, false, "trust " + fmt(s.trust()[i]) + ", norm scaled x"
                    + fmt(s.scales()[i])));
            } else {
                out.add(ClientVerdict.rejected(id, s.rootNorm() > 0, "trust 0 (cosine with root update "
                    + fmt(s.cosines()[i]) + ")"));
            }
        }
        return out;
    }
}
