package org.badfl.server.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.badfl.engine.Compute;

/** Vector API path of {@link SignVotes}: sign from the float bits, integer lanes accumulate in {@code out}. */
final class SignVotesVector {

    private static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INT = IntVector.SPECIES_PREFERRED;
    private static final int L = FLOAT.length();

    private SignVotesVector() {
    }

    static void absSignSum(float[][] rows, int from, int to, int[] out, Compute compute) {
        compute.parallelRange(to - from, SignVotes.CHUNK, (s, e) -> chunk(rows, from + s, from + e, out));
    }

    private static void chunk(float[][] rows, int s, int e, int[] out) {
        int end = s + FLOAT.loopBound(e - s);
        for (int c = s; c < e; c++) {
            out[c] = 0;
        }
        for (float[] row : rows) {
            for (int c = s; c < end; c += L) {
                IntVector b = FloatVector.fromArray(FLOAT, row, c).reinterpretAsInts();
                // (−b >>> 31) is 1 for b > 0 as an int, i.e. positive non-zero floats; (b >>> 31) is 1 for
                // any negative sign bit. −0 = 0x80000000 gives 1 − 1 = 0.
                IntVector sign = b.neg().lanewise(VectorOperators.LSHR, 31).sub(b.lanewise(VectorOperators.LSHR, 31));
                IntVector.fromArray(INT, out, c).add(sign).intoArray(out, c);
            }
            for (int c = end; c < e; c++) {
                float v = row[c];
                out[c] += v > 0 ? 1 : (v < 0 ? -1 : 0);
            }
        }
        for (int c = s; c < end; c += L) {
            IntVector.fromArray(INT, out, c).abs().intoArray(out, c);
        }
        for (int c = end; c < e; c++) {
            out[c] = Math.abs(out[c]);
        }
    }
}
