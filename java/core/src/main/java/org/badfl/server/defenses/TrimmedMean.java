package org.badfl.server.defenses;

import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;

/**
 * Coordinate-wise trimmed mean (Yin et al., ICML 2018; vio1etus/FLPoison {@code aggregators/trimmedmean.py}):
 * for each coordinate drop the k = ⌊β·n⌋ smallest and k largest values of Δ_i[j] and average the rest;
 * G ← G + that mean. Every coordinate, BatchNorm running statistics included. Sample counts are ignored, as
 * in the reference. Judges nobody.
 */
public final class TrimmedMean implements Defense {

    /** FLPoison's default β. */
    public static final double DEFAULT_BETA = 0.1;

    private final double beta;

    /** @param beta fraction trimmed from each side, in [0, 0.5) (so that k = ⌊βn⌋ &lt; n/2 always) */
    public TrimmedMean(double beta) {
        DefenseSupport.require(beta >= 0 && beta < 0.5, "trimmed-mean", "beta", "in [0, 0.5)", beta);
        this.beta = beta;
    }

    /** β = 0.1. */
    public TrimmedMean() {
        this(DEFAULT_BETA);
    }

    @Override
    public String name() {
        return "trimmed-mean";
    }

    public double beta() {
        return beta;
    }

    /** k = ⌊β·n⌋ values trimmed from each side for n updates. */
    public int trimmed(int n) {
        return (int) Math.floor(beta * n);
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        if (updates.size() == 0) {
            return DefenseSupport.emptyRound(input);
        }
        float[] mean = new float[updates.dimension()];
        input.context().kernels().trimmedMean(updates, trimmed(updates.size()), mean);
        return RoundResult.of(CoordinateMedian.addTo(input.global(), mean));
    }
}
