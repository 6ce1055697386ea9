package org.badfl.server.kernels;

import org.badfl.engine.ParamLayout;

/**
 * The definitions {@link WeightedSum} computes, one coordinate at a time, summing rows in order in double;
 * used by tests as the reference.
 */
public final class WeightedSumReference {

    private WeightedSumReference() {
    }

    /** {@code out[c] += Σ_i weights[i]·rows[i][c]} for c &lt; out.length (summed in double per coordinate). */
    public static void accumulate(float[][] rows, double[] weights, float[] out) {
        for (int c = 0; c < out.length; c++) {
            double s = 0;
            for (int i = 0; i < rows.length; i++) {
                s += weights[i] * rows[i][c];
            }
            out[c] = (float) (out[c] + s);
        }
    }

    /**
     * {@code out[c] += Σ_i weights[i]·layerScale[i][l(c)]·rows[i][c]}, where l(c) is the layout entry holding
     * coordinate c. {@code layerScale[i]} may be null for "scale 1 everywhere".
     */
    public static void accumulateLayerScaled(float[][] rows, double[] weights, double[][] layerScale,
                                             ParamLayout layout, float[] out) {
        int e = 0;
        for (ParamLayout.Entry entry : layout.entries()) {
            for (int c = entry.offset(); c < entry.end(); c++) {
                double s = 0;
                for (int i = 0; i < rows.length; i++) {
                    double f = layerScale[i] == null ? 1.0 : layerScale[i][e];
                    s += weights[i] * f * rows[i][c];
                }
                out[c] = (float) (out[c] + s);
            }
            e++;
        }
    }
}
