package org.badfl.server.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Vector API path of {@link RowDots}: one chunk's dot product with float FMA in two lane accumulators. */
final class RowDotsVector {

    private static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED;
    private static final int L = FLOAT.length();

    private RowDotsVector() {
    }

    /**
     * Σ x[c]·y[c] over [s, e): lanes of two accumulators (even and odd vector steps) added in double in a
     * fixed order, then the tail; recomputed in double when the float sum leaves float's normal range.
     */
    static double dot(float[] x, float[] y, int s, int e) {
        FloatVector a0 = FloatVector.zero(FLOAT);
        FloatVector a1 = a0;
        int c = s;
        for (; c + 2 * L <= e; c += 2 * L) {
            a0 = FloatVector.fromArray(FLOAT, x, c).fma(FloatVector.fromArray(FLOAT, y, c), a0);
            a1 = FloatVector.fromArray(FLOAT, x, c + L).fma(FloatVector.fromArray(FLOAT, y, c + L), a1);
        }
        float[] lanes = new float[2 * L];
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        double sum = 0;
        for (float lane : lanes) {
            sum += lane;
        }
        if (!(Math.abs(sum) >= 0x1p-60 && Math.abs(sum) < Double.POSITIVE_INFINITY)) {
            return RowDots.doubleDot(x, y, s, e);
        }
        return sum + RowDots.doubleDot(x, y, c, e);
    }
}
