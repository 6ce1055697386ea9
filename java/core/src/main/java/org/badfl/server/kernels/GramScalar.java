package org.badfl.server.kernels;

import org.badfl.engine.Compute;

/** Scalar path of {@link Gram}: per chunk, every pair's products summed in double. */
final class GramScalar {

    private GramScalar() {
    }

    /** Packed lower triangle, then per-range squared norms if asked ({@link Gram#partialLength}). */
    static double[] lowerTriangle(float[][] rows, int[] ranges, boolean perRangeNorms, Compute compute) {
        int n = rows.length;
        int[] chunks = Gram.chunks(ranges);
        int[] chunkRange = Gram.chunkRanges(ranges);
        int rangeCount = ranges.length / 2;
        int tri = n * (n + 1) / 2;
        int length = Gram.partialLength(n, ranges, perRangeNorms);
        int chunkCount = chunks.length / 2;
        int perTask = Gram.chunksPerTask(n, chunkCount);
        int tasks = (chunkCount + perTask - 1) / perTask;
        double[][] partials = new double[tasks][];
        compute.parallelFor(tasks, t -> {
            double[] p = new double[length];
            for (int k = t * perTask; k < Math.min(chunkCount, (t + 1) * perTask); k++) {
                int s = chunks[2 * k];
                int e = chunks[2 * k + 1];
                for (int i = 0; i < n; i++) {
                    float[] a = rows[i];
                    for (int j = 0; j <= i; j++) {
                        float[] b = rows[j];
                        double sum = 0;
                        for (int c = s; c < e; c++) {
                            sum += (double) a[c] * b[c];
                        }
                        p[Gram.tri(i, j)] += sum;
                        if (perRangeNorms && i == j) {
                            p[tri + i * rangeCount + chunkRange[k]] += sum;
                        }
                    }
                }
            }
            partials[t] = p;
        });
        return Gram.sumInOrder(partials, length);
    }
}
