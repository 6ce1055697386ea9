package org.badfl.server.defenses;

import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;

/**
 * Coordinate-wise median (Yin, Chen, Ramchandran, Bartlett, "Byzantine-robust distributed learning: towards
 * optimal statistical rates", ICML 2018; vio1etus/FLPoison {@code aggregators/median.py}):
 * G[j] ← G[j] + median_i Δ_i[j] (numpy's median: mean of the two middle values for even n). Every coordinate,
 * BatchNorm running statistics included (a median of statistics is still a statistic). Sample counts are
 * ignored, as in the reference. No hyperparameters; judges nobody.
 */
public final class CoordinateMedian implements Defense {

    @Override
    public String name() {
        return "median";
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        if (updates.size() == 0) {
            return DefenseSupport.emptyRound(input);
        }
        float[] median = new float[updates.dimension()];
        input.context().kernels().median(updates, median);
        return RoundResult.of(addTo(input.global(), median));
    }

    /** G + Δ in double, rounded once. */
    static float[] addTo(float[] global, float[] delta) {
        float[] next = new float[global.length];
        for (int c = 0; c < next.length; c++) {
            next[c] = (float) ((double) global[c] + delta[c]);
        }
        return next;
    }
}
