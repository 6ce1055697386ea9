package org.badfl.data;

import java.util.SplittableRandom;

/**
 * Gamma and Dirichlet draws from a {@link SplittableRandom}, written out here (not taken from a library) so
 * that a partition is the same on every JDK and library version.
 * Gamma(a >= 1): Marsaglia and Tsang, "A simple method for generating gamma variables", ACM TOMS 26(3), 2000.
 * Gamma(a < 1): Gamma(a+1) * U^(1/a) (same paper, section 6), kept in log space so that tiny concentrations
 * (alpha = 0.01) do not underflow to an all-zero Dirichlet vector. Normals: Marsaglia's polar method.
 */
final class GammaSampler {

    private GammaSampler() {
    }

    /** log of a Gamma(shape, 1) draw. */
    static double logGamma(double shape, SplittableRandom rng) {
        if (shape < 1) {
            double u = 1.0 - rng.nextDouble();  // (0, 1]
            return logGamma(shape + 1, rng) + Math.log(u) / shape;
        }
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.sqrt(9 * d);
        while (true) {
            double x = normal(rng);
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = 1.0 - rng.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return Math.log(d * v);
            }
        }
    }

    /** A Dirichlet(alpha, ..., alpha) vector of length {@code k} (sums to 1 up to rounding). */
    static double[] symmetricDirichlet(double alpha, int k, SplittableRandom rng) {
        double[] logs = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            logs[i] = logGamma(alpha, rng);
            max = Math.max(max, logs[i]);
        }
        double sum = 0;
        double[] p = new double[k];
        for (int i = 0; i < k; i++) {
            p[i] = Math.exp(logs[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < k; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Standard normal, Marsaglia polar method (the second value of each pair is discarded). */
    static double normal(SplittableRandom rng) {
        while (true) {
            double u = 2 * rng.nextDouble() - 1;
            double v = 2 * rng.nextDouble() - 1;
            double s = u * u + v * v;
            if (s > 0 && s < 1) {
                return u * Math.sqrt(-2 * Math.log(s) / s);
            }
        }
    }
}
