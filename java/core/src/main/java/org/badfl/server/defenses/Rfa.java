package org.badfl.server.defenses;

import org.badfl.server.DefenseOptions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.detect.GramMatrix;

/**
 * RFA, robust federated aggregation by the geometric median (Pillutla, Kakade, Harchaoui, "Robust aggregation for
 * federated learning", IEEE Transactions on Signal Processing 70, 2022; authors' code krishnap25/RFA and its
 * geometric-median package krishnap25/geom_median): G ← G + v, v ≈ argmin_z Σ_i α_i·‖z − Δ_i‖, computed by the
 * smoothed Weiszfeld algorithm
 * <pre>
 *   v⁰ = Σ_i α_i Δ_i,   β_i = α_i / max(ν, ‖v^t − Δ_i‖),   v^{t+1} = Σ_i β_i Δ_i / Σ_i β_i
 * </pre>
 * for at most {@code iterations} steps, stopping early when the objective Σ α_i‖v − Δ_i‖ improves by at most
 * {@code ftol}·objective (the geom_median package's rule).
 * <p>Every iterate is a convex combination of the updates, v = Σ_i w_i Δ_i, so its distances come from one Gram
 * matrix: ‖v − Δ_i‖² = g_ii − 2(Gw)_i + wᵀGw. The updates are read twice per round (Gram, final weighted sum),
 * whatever the iteration count. Distances are over the trainable parameters; the final combination applies the
 * same weights w to every coordinate (BatchNorm running statistics included).
 * <p>Defaults follow the authors' code: α_i = n_i / Σ n_j (sample counts, the paper's weights; {@link Weights#UNIFORM}
 * for 1/n), ν = 10⁻⁶, at most 100 iterations, ftol = 10⁻²⁰ (the geom_median defaults), start at the weighted mean.
 * FLPoison ({@code aggregators/rfa.py}) differs: uniform α, start at v⁰ = 0, a fixed 3 iterations, no stopping
 * rule. This class follows the authors; FLPoison's weighting is available as {@code weights=uniform}.
 * <p>Judges nobody (no verdicts, empty note).
 */
public final class Rfa implements Defense {

    /** How the objective weighs the clients. */
    public enum Weights { SAMPLES, UNIFORM }

    public static final int DEFAULT_ITERATIONS = 100;
    public static final double DEFAULT_NU = 1e-6;
    public static final double DEFAULT_FTOL = 1e-20;

    private final int iterations;
    private final double nu;
    private final double ftol;
    private final Weights weights;

    /**
     * @param iterations maximum Weiszfeld steps, ≥ 1
     * @param nu         smoothing ν &gt; 0: distances below ν count as ν (keeps β finite when v meets an update)
     * @param ftol       relative objective improvement below which the iteration stops, ≥ 0
     * @param weights    α_i from sample counts (paper) or uniform (FLPoison)
     */
    public Rfa(int iterations, double nu, double ftol, Weights weights) {
        DefenseSupport.require(iterations >= 1, "rfa", "iterations", ">= 1", iterations);
        DefenseSupport.require(nu > 0 && Double.isFinite(nu), "rfa", "nu", "finite and > 0", nu);
        DefenseSupport.require(ftol >= 0 && Double.isFinite(ftol), "rfa", "ftol", "finite and >= 0", ftol);
        DefenseSupport.require(weights != null, "rfa", "weights", "samples or uniform", weights);
        this.iterations = iterations;
        this.nu = nu;
        this.ftol = ftol;
        this.weights = weights;
    }

    /** The authors' defaults: 100 iterations, ν = 10⁻⁶, ftol = 10⁻²⁰, sample-count weights. */
    public Rfa() {
        this(DEFAULT_ITERATIONS, DEFAULT_NU, DEFAULT_FTOL, Weights.SAMPLES);
    }

    /** Options {@code iterations}, {@code nu}, {@code ftol}, {@code weights=samples|uniform}; unknown keys rejected. */
    public static Rfa fromOptions(Map<String, String> options) {
        DefenseOptions o = new DefenseOptions("rfa", options);
        Rfa rfa = new Rfa(o.getInt("iterations", DEFAULT_ITERATIONS), o.getDouble("nu", DEFAULT_NU),
            o.getDouble("ftol", DEFAULT_FTOL),
            o.getChoice("weights", "samples", "samples", "uniform").equals("uniform") ? Weights.UNIFORM : Weights.SAMPLES);
        o.rejectUnknown();
        return rfa;
    }

    @Override
    public String name() {
        return "rfa";
    }

    /**
     * The Weiszfeld result.
     *
     * @param weights    w_i with v = Σ w_i Δ_i (Σ w_i = 1)
     * @param objective  Σ α_i‖v − Δ_i‖ at the returned v
     * @param iterations Weiszfeld steps run
     */
    public record Median(double[] weights, double objective, int iterations) {
    }

    /** The smoothed Weiszfeld iteration on a Gram matrix with objective weights α (summing to 1). */
    public Median weiszfeld(GramMatrix gram, double[] alpha) {
        int n = gram.size();
        double[] w = alpha.clone();
        double objective = objective(gram, w, alpha);
        int steps = 0;
        while (steps < iterations) {
            steps++;
            double[] distances = distances(gram, w);
            double[] beta = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                beta[i] = alpha[i] / Math.max(nu, distances[i]);
                sum += beta[i];
            }
            for (int i = 0; i < n; i++) {
                w[i] = beta[i] / sum;
            }
            double previous = objective;
            objective = objective(gram, w, alpha);
            if (Math.abs(previous - objective) <= ftol * objective) {
                break;
            }
        }
        return new Median(w, objective, steps);
    }

    /** ‖Σ_j w_j v_j − v_i‖ for every i. */
    static double[] distances(GramMatrix gram, double[] w) {
        int n = gram.size();
        double[] gw = new double[n];
        double wgw = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += gram.dot(i, j) * w[j];
            }
            gw[i] = s;
            wgw += w[i] * s;
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = Math.sqrt(Math.max(0.0, gram.squaredNorm(i) - 2 * gw[i] + wgw));
        }
        return d;
    }

    private static double objective(GramMatrix gram, double[] w, double[] alpha) {
        double[] d = distances(gram, w);
        double s = 0;
        for (int i = 0; i < d.length; i++) {
            s += alpha[i] * d[i];
        }
        return s;
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        if (n == 0) {
            return DefenseSupport.emptyRound(input);
        }
        double[] alpha = weights == Weights.SAMPLES ? updates.sampleWeights() : uniform(n);
        GramMatrix gram = GramMatrix.of(updates.rows(), input.layout().trainableRanges(), input.context().kernels());
        Median median = weiszfeld(gram, alpha);
        float[] next = input.global().clone();
        input.context().kernels().accumulate(updates.rows(), median.weights(), next);
        return new RoundResult(next, List.of(), "");
    }

    static double[] uniform(int n) {
        double[] a = new double[n];
        Arrays.fill(a, 1.0 / n);
        return a;
    }
}
