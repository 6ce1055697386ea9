package org.badfl.clients;

/**
 * Min-Sum (Shejwalkar and Houmansadr, NDSS 2021; docs/ATTACKS.md, "Min-Max and Min-Sum"): the largest γ such
 * that the crafted row's sum of squared distances to the honest updates is at most the largest such sum of an
 * honest update: Σ_i ‖m − b_i‖² ≤ max_i Σ_j ‖b_i − b_j‖². See {@link AgrAgnosticAttack} for the search.
 */
public final class MinSumAttack extends AgrAgnosticAttack {

    public MinSumAttack(Perturbation perturbation, double gammaInit) {
        super("min-sum", perturbation, gammaInit);
    }

    @Override
    protected boolean accepted(double[] q, double[][] pairwise) {
        double bound = 0;
        for (double[] row : pairwise) {
            double s = 0;
            for (double v : row) {
                s += v;
            }
            bound = Math.max(bound, s);
        }
        double sum = 0;
        for (double v : q) {
            sum += v;
        }
        return sum <= bound;
    }
}
