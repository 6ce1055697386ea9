package org.badfl.clients;

import java.util.Locale;

/**
 * The aggregation-rule-agnostic attacks of Shejwalkar and Houmansadr ("Manipulating the Byzantine: Optimizing
 * Model Poisoning Attacks and Defenses for Federated Learning", NDSS 2021; docs/ATTACKS.md, "Min-Max and
 * Min-Sum"): every malicious client sends {@code mean − γ·p}, the honest mean moved along a perturbation
 * direction p, with the largest γ (binary search) for which the crafted row still looks like an honest one by
 * the subclass's criterion. Directions: {@code unit} (mean/‖mean‖, FLPoison's default), {@code sign}
 * (sign(mean)), {@code std} (coordinate-wise standard deviation).
 * <p>Binary search (the authors' code, as in FLPoison): γ = γ₀, step = γ₀/2; while |γ_ok − γ| > 10⁻⁵: if the
 * criterion holds at γ then γ_ok = γ, γ += step, else γ −= step; step /= 2. The result uses γ_ok (0 when no γ
 * tried satisfies the criterion: the crafted row is then the honest mean). Distances are taken over the
 * trainable coordinates, evaluated in closed form: ‖b_i − mean + γp‖² = ‖b_i − mean‖² + 2γ⟨b_i − mean, p⟩ + γ²‖p‖².
 */
public abstract class AgrAgnosticAttack extends ModelPoisoningAttack {

    /** The perturbation direction p. */
    public enum Perturbation {
        UNIT, SIGN, STD;

        /** Parses unit, sign or std (case-insensitive). */
        public static Perturbation parse(String text, String attack) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("attack " + attack + ": parameter perturbation must be unit, sign or "
                    + "std, found '" + text + "'");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** FLPoison's initial γ₀. */
    public static final double DEFAULT_GAMMA_INIT = 10.0;

    static final double STOP_THRESHOLD = 1e-5;

    private final Perturbation perturbation;
    private final double gammaInit;

    protected AgrAgnosticAttack(String name, Perturbation perturbation, double gammaInit) {
        super(name);
        if (perturbation == null) {
            throw new IllegalArgumentException("attack " + name + ": parameter perturbation is required (unit, sign "
                + "or std)");
        }
        if (!(gammaInit > 0 && Double.isFinite(gammaInit))) {
            throw new IllegalArgumentException("attack " + name + ": parameter gamma-init must be a finite number > 0, "
                + "found " + gammaInit);
        }
        this.perturbation = perturbation;
        this.gammaInit = gammaInit;
    }

    public Perturbation perturbation() {
        return perturbation;
    }

    public double gammaInit() {
        return gammaInit;
    }

    @Override
    public int minimumBenign() {
        return 2;
    }

    /**
     * Whether the crafted row at distance² {@code q[i]} from honest update i passes, given the honest updates'
     * pairwise squared distances {@code pairwise}.
     */
    protected abstract boolean accepted(double[] q, double[][] pairwise);

    /** The γ the binary search found for {@code view} (0 when none passes). */
    public double gamma(RoundView view) {
        return search(view, mean(view.benign(), view.dimension()))[0];
    }

    private double[] search(RoundView view, double[] mean) {
        float[][] b = view.benign();
        int[] ranges = view.layout().trainableRanges();
        double[] p = direction(b, mean, ranges);
        double[][] pairwise = pairwiseSquaredDistances(b, ranges);
        int n = b.length;
        double[] a = new double[n];
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = squaredDistance(b[i], mean, ranges);
            c[i] = dotDifference(b[i], mean, p, ranges);
        }
        double e = squaredNorm(p, ranges);
        double gamma = gammaInit;
        double step = gammaInit / 2;
        double ok = 0;
        double[] q = new double[n];
        while (Math.abs(ok - gamma) > STOP_THRESHOLD) {
            for (int i = 0; i < n; i++) {
                q[i] = Math.max(0, a[i] + 2 * gamma * c[i] + gamma * gamma * e);
            }
            if (accepted(q, pairwise)) {
                ok = gamma;
                gamma += step;
            } else {
                gamma -= step;
            }
            step /= 2;
        }
        double[] out = new double[1 + p.length];
        out[0] = ok;
        System.arraycopy(p, 0, out, 1, p.length);
        return out;
    }

    private double[] direction(float[][] b, double[] mean, int[] ranges) {
        double[] p = new double[mean.length];
        switch (perturbation) {
            case UNIT -> {
                double norm = Math.sqrt(squaredNorm(mean, ranges));
                for (int j = 0; j < p.length; j++) {
                    p[j] = norm > 0 ? mean[j] / norm : 0;
                }
            }
            case SIGN -> {
                for (int j = 0; j < p.length; j++) {
                    p[j] = Math.signum(mean[j]);
                }
            }
            case STD -> p = std(b, mean);
        }
        return p;
    }

    @Override
    protected float[][] craftRows(RoundView view, long seed) {
        double[] mean = mean(view.benign(), view.dimension());
        double[] found = search(view, mean);
        double gamma = found[0];
        double[] row = new double[mean.length];
        for (int j = 0; j < row.length; j++) {
            row[j] = mean[j] - gamma * found[1 + j];
        }
        return copies(row, view.malicious());
    }

    @Override
    public String describe() {
        return super.describe() + ", perturbation " + perturbation + ", gamma-init " + gammaInit;
    }
}
