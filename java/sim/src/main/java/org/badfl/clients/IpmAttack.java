package org.badfl.clients;

/**
 * Inner-product manipulation (Xie, Koyejo, Gupta, "Fall of Empires: Breaking Byzantine-tolerant SGD by Inner
 * Product Manipulation", UAI 2019; docs/ATTACKS.md, "IPM"): every malicious client sends {@code −ε·mean} of the
 * round's honest updates, so that the aggregate's inner product with the true mean turns negative. Small ε
 * (0.1) slips past distance-based rules such as Krum; large ε breaks median-like rules and plain averaging.
 */
public final class IpmAttack extends ModelPoisoningAttack {

    /** FLPoison's default ε. */
    public static final double DEFAULT_EPS = 0.1;

    private final double eps;

    /** @param eps the scale ε > 0 */
    public IpmAttack(double eps) {
        super("ipm");
        if (!(eps > 0 && Double.isFinite(eps))) {
            throw new IllegalArgumentException("attack ipm: parameter eps must be a finite number > 0, found " + eps);
        }
        this.eps = eps;
    }

    public double eps() {
        return eps;
    }

    @Override
    protected float[][] craftRows(RoundView view, long seed) {
        double[] row = mean(view.benign(), view.dimension());
        for (int j = 0; j < row.length; j++) {
            row[j] = -eps * row[j];
        }
        return copies(row, view.malicious());
    }

    @Override
    public String describe() {
        return super.describe() + ", eps " + eps;
    }
}
