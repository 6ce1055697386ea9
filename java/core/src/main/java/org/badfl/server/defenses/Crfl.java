package org.badfl.server.defenses;

import java.util.Optional;
import org.badfl.server.Defense;
import org.badfl.server.NoiseStreams;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.TestTimeSmoothing;

/**
 * CRFL training-time aggregation (Xie, Chen, Chen, Li, "CRFL: Certifiably Robust Federated Learning against
 * Backdoor Attacks", ICML 2021; AI-secure/CRFL {@code main.py}, {@code utils/helper.py}; docs/DEFENSES.md, "CRFL"),
 * in the reference's order:
 * <ol>
 *   <li>FedAvg of all clients (every coordinate).</li>
 *   <li>Clip the global model's parameters (not the update): θ ← θ·ρ_t/‖θ‖ if ‖θ‖ &gt; ρ_t, with ‖θ‖ over the
 *       trainable parameters ({@code clip_weight_norm} iterates {@code named_parameters()}, which excludes
 *       BatchNorm running statistics; they are neither counted nor scaled). The reference divides by
 *       ‖θ‖ + 1e-6; the spec's exact ρ_t/‖θ‖ is used here (a relative difference below 1e-6/ρ_t).</li>
 *   <li>The clipped model is the round's evaluation model ({@link RoundResult#evaluationGlobal()}): the
 *       reference tests and saves it before adding noise.</li>
 *   <li>G ← θ + N(0, σ²) on every trainable parameter ({@link NoiseStreams#CRFL}, round seed): the next
 *       round starts from the noisy model. Noise is added in the last round too, as in the reference; the
 *       certification (test-time smoothing, done by the evaluation code) starts from the noiseless evaluation
 *       model with {@link #sigma()} and {@link #rho(int)}.</li>
 * </ol>
 * Judges nobody.
 */
public final class Crfl implements Defense {

    /**
     * Clipping bound schedule ρ_t = min(cap, slope·t + intercept), t = 1-based round.
     *
     * @param cap       upper bound (the reference's {@code param_clip_thres})
     * @param slope     growth per round
     * @param intercept ρ at t = 0
     */
    public record Schedule(double cap, double slope, double intercept) {

        /** MNIST in the reference: ρ_t = min(15, 0.1·t + 2). */
        public static final Schedule MNIST = new Schedule(15, 0.1, 2);
        /** EMNIST in the reference: ρ_t = min(100, 0.25·t + 4). */
        public static final Schedule EMNIST = new Schedule(100, 0.25, 4);

        public Schedule {
            DefenseSupport.require(cap > 0 && Double.isFinite(cap), "crfl", "rho cap", "finite and > 0", cap);
            DefenseSupport.require(Double.isFinite(slope) && slope >= 0, "crfl", "rho slope", "finite and >= 0", slope);
            DefenseSupport.require(Double.isFinite(intercept) && intercept > 0, "crfl", "rho intercept",
                "finite and > 0", intercept);
        }

        /** A constant bound ρ. */
        public static Schedule constant(double rho) {
            return new Schedule(rho, 0, rho);
        }

        public double rho(int round) {
            return Math.min(cap, slope * round + intercept);
        }
    }

    /** The reference's σ. */
    public static final double DEFAULT_SIGMA = 0.01;
    /** Noisy copies of the smoothed evaluation (the reference uses 1000; 100 on CPU as for BADFL). */
    public static final int SMOOTHING_COPIES = 100;
    /** Hoeffding α of the smoothed evaluation ({@code certify_mnist.py}). */
    public static final double SMOOTHING_ALPHA = 0.001;

    private final Schedule schedule;
    private final double sigma;

    /**
     * @param schedule clipping bound per round (default {@link Schedule#MNIST})
     * @param sigma    σ ≥ 0 of the Gaussian noise on the global model (default 0.01)
     */
    public Crfl(Schedule schedule, double sigma) {
        DefenseSupport.require(schedule != null, "crfl", "schedule", "given", null);
        DefenseSupport.require(sigma >= 0 && Double.isFinite(sigma), "crfl", "sigma", "finite and >= 0", sigma);
        this.schedule = schedule;
        this.sigma = sigma;
    }

    /** MNIST schedule, σ = 0.01. */
    public Crfl() {
        this(Schedule.MNIST, DEFAULT_SIGMA);
    }

    @Override
    public String name() {
        return "crfl";
    }

    /** σ of the training noise (also the smoothing noise of certification in the reference). */
    public double sigma() {
        return sigma;
    }

    /**
     * CRFL's final model is evaluated smoothed (its {@code smooth_mnist.py}): σ = its training σ,
     * M = {@link #SMOOTHING_COPIES}, α = {@link #SMOOTHING_ALPHA}.
     */
    @Override
    public Optional<TestTimeSmoothing> testTimeSmoothing() {
        return Optional.of(new TestTimeSmoothing(sigma, SMOOTHING_COPIES, SMOOTHING_ALPHA));
    }

    /** ρ_t for a 1-based round t. */
    public double rho(int round) {
        return schedule.rho(round);
    }

    public Schedule schedule() {
        return schedule;
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        if (updates.size() == 0) {
            return DefenseSupport.emptyRound(input);
        }
        float[] theta = input.global().clone();
        input.context().kernels().accumulate(updates, updates.sampleWeights(), theta);

        double rho = rho(input.round());
        double norm = trainableNorm(theta, input.layout().trainableRanges());
        String note = "";
        if (norm > rho) {
            scaleTrainable(theta, input.layout().trainableRanges(), rho / norm);
            note = "global model norm " + DefenseSupport.fmt(norm) + " clipped to rho_" + input.round() + " = "
                + DefenseSupport.fmt(rho);
        }
        float[] evaluated = theta.clone();
        DefenseSupport.addTrainableNoise(theta, sigma, input.seed(), NoiseStreams.CRFL, input.layout(),
            input.context().kernels());
        return new RoundResult(theta, java.util.List.of(), note, evaluated);
    }

    /** ‖θ‖ over the given ranges, summed in double. */
    static double trainableNorm(float[] theta, int[] ranges) {
        double s = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int c = ranges[r]; c < ranges[r + 1]; c++) {
                s += (double) theta[c] * theta[c];
            }
        }
        return Math.sqrt(s);
    }

    private static void scaleTrainable(float[] theta, int[] ranges, double factor) {
        for (int r = 0; r < ranges.length; r += 2) {
            for (int c = ranges[r]; c < ranges[r + 1]; c++) {
                theta[c] = (float) (theta[c] * factor);
            }
        }
    }
}
