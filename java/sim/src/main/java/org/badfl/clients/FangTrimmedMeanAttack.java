package org.badfl.clients;

import java.util.SplittableRandom;
import org.badfl.util.Seeds;

/**
 * Fang et al.'s attack on trimmed mean (and median), full-knowledge variant (Fang, Cao, Jia, Gong, "Local Model
 * Poisoning Attacks to Byzantine-Robust Federated Learning", USENIX Security 2020, §3.2; docs/ATTACKS.md,
 * "Fang"): per coordinate j, with s_j the sign of the mean of all before-attack updates (honest and the
 * attackers' own honestly trained ones: where the global model would move without attack) and w_max,j, w_min,j
 * the largest and smallest honest local model parameters (w = G + Δ), each malicious client sends a value drawn
 * uniformly on the far side of the honest range, against s_j, with b = 2:
 * <ul>
 *   <li>s_j = +1: in [w_min,j / b, w_min,j] when w_min,j > 0, else in [b·w_min,j, w_min,j];</li>
 *   <li>s_j = −1: in [w_max,j, b·w_max,j] when w_max,j > 0, else in [w_max,j, w_max,j / b];</li>
 *   <li>s_j = 0 (no direction): the honest mean.</li>
 * </ul>
 * The update sent is w' − G. Draws: {@code Seeds.derive(seed, "fang-trimmed-mean", k)} for the k-th client.
 */
public final class FangTrimmedMeanAttack extends ModelPoisoningAttack {

    /** The paper's b. */
    static final double B = 2.0;

    public FangTrimmedMeanAttack() {
        super("fang-trimmed-mean");
    }

    @Override
    protected float[][] craftRows(RoundView view, long seed) {
        float[][] b = view.benign();
        float[] g = view.global();
        int d = view.dimension();
        int nb = b.length;
        int c = view.malicious();
        float[][] all = new float[nb + c][];
        System.arraycopy(b, 0, all, 0, nb);
        System.arraycopy(view.own(), 0, all, nb, c);
        double[] direction = mean(all, d);
        double[] honestMean = mean(b, d);
        float[][] out = new float[c][d];
        SplittableRandom[] rng = new SplittableRandom[c];
        for (int k = 0; k < c; k++) {
            rng[k] = new SplittableRandom(Seeds.derive(seed, "fang-trimmed-mean", k));
        }
        for (int j = 0; j < d; j++) {
            double s = Math.signum(direction[j]);
            double max = Double.NEGATIVE_INFINITY;
            double min = Double.POSITIVE_INFINITY;
            for (float[] r : b) {
                double w = (double) g[j] + r[j];
                max = Math.max(max, w);
                min = Math.min(min, w);
            }
            double lo;
            double hi;
            if (s > 0) {
                lo = min > 0 ? min / B : B * min;
                hi = min;
            } else if (s < 0) {
                lo = max;
                hi = max > 0 ? B * max : max / B;
            } else {
                lo = hi = g[j] + honestMean[j];
            }
            for (int k = 0; k < c; k++) {
                double w = lo + (hi - lo) * rng[k].nextDouble();
                out[k][j] = (float) (w - g[j]);
            }
        }
        return out;
    }
}
