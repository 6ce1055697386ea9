package org.badfl.server.defenses;

import java.util.List;
import java.util.Locale;
import org.badfl.engine.ParamLayout;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.AggregationKernels;

/** Small steps shared by the baseline defenses. */
final class DefenseSupport {

    private DefenseSupport() {
    }

    /** Empty round (no accepted update): G unchanged, with a note. */
    static RoundResult emptyRound(RoundInput input) {
        return new RoundResult(input.global().clone(), List.of(), "no updates this round: G unchanged");
    }

    /**
     * Per-layer factors for {@link org.badfl.server.kernels.WeightedSum#accumulateLayerScaled}: {@code factor}
     * on trainable entries, 1 on BatchNorm running statistics (which are averaged, never clipped); null when
     * the factor is 1 (no scaling).
     */
    static double[] trainableScale(ParamLayout layout, double factor) {
        if (factor == 1.0) {
            return null;
        }
        List<ParamLayout.Entry> entries = layout.entries();
        double[] scale = new double[entries.size()];
        for (int e = 0; e < scale.length; e++) {
            scale[e] = entries.get(e).kind().trainable() ? factor : 1.0;
        }
        return scale;
    }

    /**
     * {@code target[i] += σ·z_i} for i in the trainable coordinates, z_i = element i of Gaussian stream
     * (seed, stream) (so the noise of parameter i does not depend on which other coordinates get noise), added
     * range by range in place by {@code kernels} (no temporary d-vector). BatchNorm running statistics get none:
     * noise could make a running variance negative (FLPoison's FLAME skips them for the same reason).
     */
    static void addTrainableNoise(float[] target, double sigma, long seed, long stream, ParamLayout layout,
                                  AggregationKernels kernels) {
        if (sigma == 0) {
            return;
        }
        int[] ranges = layout.trainableRanges();
        for (int r = 0; r < ranges.length; r += 2) {
            kernels.addNoise(target, ranges[r], ranges[r + 1], sigma, seed, stream);
        }
    }

    /** Median, numpy convention (mean of the two middle values for an even count); NaN for no values. */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        java.util.Arrays.sort(s);
        int m = s.length / 2;
        return (s.length & 1) == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /** Compact number for notes and verdict reasons. */
    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    /** Checks a hyperparameter; the message names the defense and the parameter. */
    static void require(boolean ok, String defense, String parameter, String expected, Object found) {
        if (!ok) {
            throw new IllegalArgumentException(defense + ": " + parameter + " must be " + expected + ", got " + found);
        }
    }
}
