package org.badfl.bench.aggregation;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.badfl.engine.Compute;

/**
 * The memory-bandwidth baseline: the sum of every value of the rows, read once, chunked over coordinates on
 * all threads like the kernels (each task streams a coordinate range of every row). Four vector
 * accumulators per row chunk keep the adds off the critical path, so the time is the time to read the data.
 */
public final class StreamingSum {

    private static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED;
    private static final int L = FLOAT.length();
    private static final int CHUNK = 1 << 14;

    private StreamingSum() {
    }

    public static double sum(float[][] rows, Compute compute) {
        int d = rows.length == 0 ? 0 : rows[0].length;
        int chunks = (d + CHUNK - 1) / CHUNK;
        double[] partial = new double[chunks];
        compute.parallelFor(chunks, k -> {
            int s = k * CHUNK;
            int e = Math.min(d, s + CHUNK);
            double total = 0;
            for (float[] row : rows) {
                total += sum(row, s, e);
            }
            partial[k] = total;
        });
        double total = 0;
        for (double p : partial) {
            total += p;
        }
        return total;
    }

    private static double sum(float[] row, int s, int e) {
        FloatVector a0 = FloatVector.zero(FLOAT);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int c = s;
        for (; c + 4 * L <= e; c += 4 * L) {
            a0 = a0.add(FloatVector.fromArray(FLOAT, row, c));
            a1 = a1.add(FloatVector.fromArray(FLOAT, row, c + L));
            a2 = a2.add(FloatVector.fromArray(FLOAT, row, c + 2 * L));
            a3 = a3.add(FloatVector.fromArray(FLOAT, row, c + 3 * L));
        }
        double t = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; c < e; c++) {
            t += row[c];
        }
        return t;
    }
}
