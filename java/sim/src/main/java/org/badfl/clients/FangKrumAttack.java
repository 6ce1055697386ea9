package org.badfl.clients;

import java.util.Arrays;

/**
 * Fang et al.'s attack on Krum, full-knowledge variant (Fang, Cao, Jia, Gong, "Local Model Poisoning Attacks to
 * Byzantine-Robust Federated Learning", USENIX Security 2020, §3.2; docs/ATTACKS.md, "Fang"): the c malicious
 * clients send the same update {@code −λ·s}, where s = sign of the mean of all before-attack updates (the
 * direction the global model would move without attack: the honest updates and the attackers' own honestly
 * trained ones), with the largest λ for which Krum still selects a crafted update.
 * <p>λ starts at the paper's upper bound, over the m − c honest updates b_i of a round of m clients and d
 * trainable coordinates:
 * λ = min_i Σ_{l ∈ Γ(i)} ‖b_l − b_i‖ / ((m − 2c − 1)√d) + max_i ‖b_i‖ / √d, Γ(i) the m − c − 2 honest updates
 * nearest b_i; it is halved until Krum (f = c) over the honest and crafted updates selects a crafted one, or until
 * λ ≤ 10⁻⁵ (then that λ is sent). The c crafted updates are identical (FLPoison's choice; the paper samples the
 * other c − 1 in a small ball around the first). Needs m − 2c − 1 ≥ 1 (Krum's own condition).
 */
public final class FangKrumAttack extends ModelPoisoningAttack {

    static final double STOP_THRESHOLD = 1e-5;

    public FangKrumAttack() {
        super("fang-krum");
    }

    @Override
    public int minimumBenign() {
        return 2;
    }

    @Override
    public void checkRound(int clientsInRound, int malicious, int benign) {
        super.checkRound(clientsInRound, malicious, benign);
        int m = benign + malicious;
        if (m - 2 * malicious - 1 < 1) {
            throw new IllegalArgumentException("attack fang-krum: needs m - 2c - 1 >= 1 (Krum's condition) for c = "
                + malicious + " attackers among m = " + m + " clients of a round");
        }
    }

    /** λ and the direction s found for {@code view}: {λ, s_0, s_1, ...}. */
    double[] search(RoundView view) {
        return search(view, false);
    }

    /** The paper's upper bound on λ, where the halving starts. */
    public double lambdaBound(RoundView view) {
        return search(view, true)[0];
    }

    private double[] search(RoundView view, boolean boundOnly) {
        float[][] b = view.benign();
        int c = view.malicious();
        int nb = b.length;
        int m = nb + c;
        if (m - 2 * c - 1 < 1) {
            throw new IllegalStateException("attack fang-krum: needs m - 2c - 1 >= 1 for c = " + c + " among m = " + m
                + " updates in the round");
        }
        int[] ranges = view.layout().trainableRanges();
        int dTrain = view.layout().trainableSize();
        float[][] all = new float[m][];
        System.arraycopy(b, 0, all, 0, nb);
        System.arraycopy(view.own(), 0, all, nb, c);
        double[] s = mean(all, view.dimension());
        for (int j = 0; j < s.length; j++) {
            s[j] = Math.signum(s[j]);
        }
        double[][] pair = pairwiseSquaredDistances(b, ranges);
        int nearest = m - c - 2;
        double minSum = Double.POSITIVE_INFINITY;
        double maxNorm = 0;
        for (int i = 0; i < nb; i++) {
            double[] others = new double[nb - 1];
            for (int l = 0, k = 0; l < nb; l++) {
                if (l != i) {
                    others[k++] = Math.sqrt(pair[i][l]);
                }
            }
            Arrays.sort(others);
            double sum = 0;
            for (int k = 0; k < nearest; k++) {
                sum += others[k];
            }
            minSum = Math.min(minSum, sum);
            maxNorm = Math.max(maxNorm, norm(b[i], ranges));
        }
        double sqrtD = Math.sqrt(dTrain);
        double lambda = minSum / ((m - 2 * c - 1) * sqrtD) + maxNorm / sqrtD;
        if (boundOnly) {
            return new double[] {lambda};
        }
        // ‖b_i + λs‖² = ‖b_i‖² + 2λ⟨b_i, s⟩ + λ²‖s‖²
        double[] zero = new double[s.length];
        double[] bb = new double[nb];
        double[] bs = new double[nb];
        for (int i = 0; i < nb; i++) {
            bb[i] = squaredDistance(b[i], zero, ranges);
            bs[i] = dotDifference(b[i], zero, s, ranges);
        }
        double ss = squaredNorm(s, ranges);
        while (!krumSelectsCrafted(pair, bb, bs, ss, lambda, c) && lambda > STOP_THRESHOLD) {
            lambda /= 2;
        }
        double[] out = new double[1 + s.length];
        out[0] = lambda;
        System.arraycopy(s, 0, out, 1, s.length);
        return out;
    }

    /** Krum (f = c) over the honest updates and c copies of −λs: is a crafted one selected (first minimum)? */
    static boolean krumSelectsCrafted(double[][] pair, double[] bb, double[] bs, double ss, double lambda, int c) {
        int nb = pair.length;
        int n = nb + c;
        int k = n - c - 2;
        double[] toCrafted = new double[nb];
        for (int i = 0; i < nb; i++) {
            toCrafted[i] = Math.max(0, bb[i] + 2 * lambda * bs[i] + lambda * lambda * ss);
        }
        double best = Double.POSITIVE_INFINITY;
        int bestIndex = -1;
        for (int i = 0; i < n; i++) {
            double[] d = new double[n - 1];
            int at = 0;
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                if (i < nb && j < nb) {
                    d[at++] = pair[i][j];
                } else if (i < nb) {
                    d[at++] = toCrafted[i];
                } else if (j < nb) {
                    d[at++] = toCrafted[j];
                } else {
                    d[at++] = 0;
                }
            }
            Arrays.sort(d);
            double score = 0;
            for (int q = 0; q < k; q++) {
                score += d[q];
            }
            if (score < best) {
                best = score;
                bestIndex = i;
            }
        }
        return bestIndex >= nb;
    }

    /** The λ of {@code view} (for tests and reports). */
    public double lambda(RoundView view) {
        return search(view)[0];
    }

    @Override
    protected float[][] craftRows(RoundView view, long seed) {
        double[] found = search(view);
        double[] row = new double[found.length - 1];
        for (int j = 0; j < row.length; j++) {
            row[j] = -found[0] * found[1 + j];
        }
        return copies(row, view.malicious());
    }
}
