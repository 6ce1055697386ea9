package org.badfl.clients;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * "A little is enough" (Baruch, Baruch, Goldberg, "A Little Is Enough: Circumventing Defenses For Distributed
 * Learning", NeurIPS 2019; docs/ATTACKS.md, "ALIE"): every malicious client sends the same row
 * {@code mean − z·std}, the coordinate-wise mean and (population) standard deviation of the round's honest
 * updates, a shift small enough to stay inside the spread that robust aggregation rules accept.
 * <p>z: given, or from the paper's formula for n clients in the round of which f are this adversary's:
 * s = ⌊n/2 + 1⌋ − f (the honest clients the attacker must "recruit" for a majority) and
 * z = Φ⁻¹((n − f − s)/(n − f)); defined when s ≥ 1, that is, with fewer than ⌊n/2 + 1⌋ attackers.
 */
public final class AlieAttack extends ModelPoisoningAttack {

    private final Double z;

    /** @param z the deviation multiplier (>= 0), or null to derive it from n and f as the paper does */
    public AlieAttack(Double z) {
        super("alie");
        if (z != null && !(z >= 0 && Double.isFinite(z))) {
            throw new IllegalArgumentException("attack alie: parameter z must be a finite number >= 0, found " + z);
        }
        this.z = z;
    }

    /** The given z, or null when derived per round. */
    public Double z() {
        return z;
    }

    /**
     * The paper's z_max for {@code n} clients of which {@code f} are malicious.
     *
     * @throws IllegalArgumentException when f >= ⌊n/2 + 1⌋ (no honest client left to recruit: z is unbounded)
     */
    public static double zMax(int n, int f) {
        int s = (int) Math.floor(n / 2.0 + 1) - f;
        if (f < 1 || s < 1 || n - f < 1) {
            throw new IllegalArgumentException("attack alie: z from n = " + n + " clients and f = " + f
                + " attackers needs 1 <= f < floor(n/2 + 1) (" + (int) Math.floor(n / 2.0 + 1) + "); set alie-z");
        }
        double p = (double) (n - f - s) / (n - f);
        return new NormalDistribution(0, 1).inverseCumulativeProbability(p);
    }

    @Override
    public int minimumBenign() {
        return 2;
    }

    @Override
    public void checkRound(int clientsInRound, int malicious, int benign) {
        super.checkRound(clientsInRound, malicious, benign);
        if (z == null) {
            zMax(clientsInRound, malicious);
        }
    }

    @Override
    protected float[][] craftRows(RoundView view, long seed) {
        double zz = z != null ? z : zMax(view.benign().length + view.malicious(), view.malicious());
        double[] mean = mean(view.benign(), view.dimension());
        double[] std = std(view.benign(), mean);
        double[] row = new double[mean.length];
        for (int j = 0; j < row.length; j++) {
            row[j] = mean[j] - zz * std[j];
        }
        return copies(row, view.malicious());
    }

    @Override
    public String describe() {
        return super.describe() + ", z " + (z == null ? "from n and f" : z);
    }
}
