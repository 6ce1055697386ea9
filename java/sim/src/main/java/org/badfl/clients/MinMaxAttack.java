package org.badfl.clients;

/**
 * Min-Max (Shejwalkar and Houmansadr, NDSS 2021; docs/ATTACKS.md, "Min-Max and Min-Sum"): the largest γ such
 * that the crafted row's largest distance to any honest update is at most the largest distance between two honest
 * updates: max_i ‖m − b_i‖ ≤ max_{i,j} ‖b_i − b_j‖. See {@link AgrAgnosticAttack} for the search.
 */
public final class MinMaxAttack extends AgrAgnosticAttack {

    public MinMaxAttack(Perturbation perturbation, double gammaInit) {
        super("min-max", perturbation, gammaInit);
    }

    @Override
    protected boolean accepted(double[] q, double[][] pairwise) {
        double bound = 0;
        for (double[] row : pairwise) {
            for (double v : row) {
                bound = Math.max(bound, v);
            }
        }
        double worst = 0;
        for (double v : q) {
            worst = Math.max(worst, v);
        }
        return worst <= bound;
    }
}
