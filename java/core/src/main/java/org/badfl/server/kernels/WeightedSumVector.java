package org.badfl.server.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API path of {@link WeightedSum}: half-width float loads widened to full-width doubles (same lane
 * count, one conversion instruction), multiplied and added separately so the rounding equals the scalar
 * {@code acc += coef * x}.
 */
final class WeightedSumVector {

    private static final VectorSpecies<Double> DOUBLE = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FLOAT_HALF =
        VectorSpecies.of(float.class, VectorShape.forBitSize(DOUBLE.vectorBitSize() / 2));
    private static final int L = DOUBLE.length();

    private WeightedSumVector() {
    }

    static void addScaled(float[] row, int c, int len, double coef, double[] acc, int at) {
        int end = DOUBLE.loopBound(len);
        int j = 0;
        for (; j < end; j += L) {
            DoubleVector x = (DoubleVector) FloatVector.fromArray(FLOAT_HALF, row, c + j)
                .convertShape(VectorOperators.F2D, DOUBLE, 0);
            DoubleVector.fromArray(DOUBLE, acc, at + j).add(x.mul(coef)).intoArray(acc, at + j);
        }
        for (; j < len; j++) {
            acc[at + j] += coef * row[c + j];
        }
    }

    static void finish(double[] acc, float[] out, int c, int len) {
        int end = DOUBLE.loopBound(len);
        int j = 0;
        for (; j < end; j += L) {
            DoubleVector o = (DoubleVector) FloatVector.fromArray(FLOAT_HALF, out, c + j)
                .convertShape(VectorOperators.F2D, DOUBLE, 0);
            FloatVector sum = (FloatVector) o.add(DoubleVector.fromArray(DOUBLE, acc, j))
                .convertShape(VectorOperators.D2F, FLOAT_HALF, 0);
            sum.intoArray(out, c + j);
        }
        for (; j < len; j++) {
            out[c + j] = (float) (out[c + j] + acc[j]);
        }
    }
}
