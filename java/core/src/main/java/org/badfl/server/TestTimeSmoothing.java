package org.badfl.server;

/**
 * The smoothed classifier a defense's final model is evaluated with (test-time parameter smoothing: M noisy copies
 * of the parameters with N(0, σ²) noise, majority vote, abstention by a Hoeffding test at level α), as the defense
 * declares it through {@link Defense#testTimeSmoothing()}. BADFL (Section V-C, eq. 11) and CRFL declare one; the
 * evaluation that applies it lives outside the server.
 *
 * @param sigma  σ of the parameter noise, &ge; 0
 * @param copies M, noisy copies per image, &ge; 1
 * @param alpha  α of the abstention test, in (0, 1)
 */
public record TestTimeSmoothing(double sigma, int copies, double alpha) {

    public TestTimeSmoothing {
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("test-time smoothing: sigma must be a finite number >= 0, got " + sigma);
        }
        if (copies < 1) {
            throw new IllegalArgumentException("test-time smoothing: copies must be >= 1, got " + copies);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("test-time smoothing: alpha must be in (0, 1), got " + alpha);
        }
    }
}
