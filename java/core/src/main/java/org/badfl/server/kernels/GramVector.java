package org.badfl.server.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.badfl.engine.Compute;

/**
 * Vector API path of {@link Gram}: every pair of 4-row blocks (I ≥ J) runs a 4×4 register tile: per step,
 * 4 + 4 vector loads feed 16 FMAs into 16 float accumulators (one lane sums every L-th coordinate).
 * <p>Blocking: a chunk ({@link Gram#CHUNK} coordinates, the unit of float accumulation) is swept in
 * sub-chunks of {@value #SUB} coordinates; within a sub-chunk the I block's rows (8 KiB) stay in L1 while
 * J sweeps, and all n rows of the sub-chunk stay in L2. The accumulators of every tile live in a float
 * buffer between sub-chunks (16 loads and 16 stores per tile per sub-chunk, against 16·{@value #SUB}/L
 * FMAs). At the end of a chunk each accumulator's lanes are added in double, in a fixed order
 * ({@link #laneSum}), to the task's packed triangle. (Lane sums by shuffles would be cheaper, but JDK 17's C2 does not reliably intrinsify
 * two-vector rearranges or mixed-shape conversions in code this size, and a boxed vector is 30× slower;
 * loads, stores and FMAs are all that this kernel uses.)
 * <p>A last block with fewer than 4 rows repeats its last row (its extra products are computed and
 * dropped), so there is one tile shape.
 */
final class GramVector {

    private static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED;
    private static final int L = FLOAT.length();
    /** Coordinates per sub-chunk: the tile's 8 rows × 2 KiB = 16 KiB stay in L1 (measured: 512 beats 1024 and 256). */
    static final int SUB = 512;

    private GramVector() {
    }

    /** Packed lower triangle, then per-range squared norms if asked ({@link Gram#partialLength}). */
    static double[] lowerTriangle(float[][] rows, int[] ranges, boolean perRangeNorms, Compute compute) {
        int n = rows.length;
        int blocks = (n + 3) / 4;
        int tiles = blocks * (blocks + 1) / 2;
        int[] chunks = Gram.chunks(ranges);
        int[] chunkRange = Gram.chunkRanges(ranges);
        int rangeCount = ranges.length / 2;
        int length = Gram.partialLength(n, ranges, perRangeNorms);
        int chunkCount = chunks.length / 2;
        int perTask = Gram.chunksPerTask(n, chunkCount);
        int tasks = (chunkCount + perTask - 1) / perTask;
        double[][] partials = new double[tasks][];
        compute.parallelFor(tasks, t -> {
            double[] p = new double[length];
            float[] acc = new float[tiles * 16 * L];
            for (int k = t * perTask; k < Math.min(chunkCount, (t + 1) * perTask); k++) {
                // Index in p of row 0's norm for this chunk's range (row i: + i·rangeCount), or -1.
                int normAt = perRangeNorms ? n * (n + 1) / 2 + chunkRange[k] : -1;
                chunk(rows, chunks[2 * k], chunks[2 * k + 1], acc, p, normAt, rangeCount);
            }
            partials[t] = p;
        });
        return Gram.sumInOrder(partials, length);
    }

    private static void chunk(float[][] rows, int s, int e, float[] acc, double[] p, int normAt, int normStride) {
        int blocks = (rows.length + 3) / 4;
        java.util.Arrays.fill(acc, 0f);
        int vectorEnd = s + FLOAT.loopBound(e - s);
        for (int ss = s; ss < vectorEnd; ss += SUB) {
            int se = Math.min(vectorEnd, ss + SUB);
            int base = 0;
            for (int bi = 0; bi < blocks; bi++) {
                for (int bj = 0; bj <= bi; bj++) {
                    tile(rows, 4 * bi, 4 * bj, ss, se, acc, base);
                    base += 16 * L;
                }
            }
        }
        int base = 0;
        for (int bi = 0; bi < blocks; bi++) {
            for (int bj = 0; bj <= bi; bj++) {
                store(rows, 4 * bi, 4 * bj, s, vectorEnd, e, acc, base, p, normAt, normStride);
                base += 16 * L;
            }
        }
    }

    /** Row i, the last row standing in for rows past the end (their products are dropped). */
    private static float[] row(float[][] rows, int i) {
        return rows[Math.min(i, rows.length - 1)];
    }

    /**
     * Accumulates the 16 products rows[i0+a]·rows[j0+b] over [s, e) (a multiple of L long) into the float
     * lanes of accumulator 4a+b at {@code acc[base + (4a+b)·L ..]}.
     */
    private static void tile(float[][] rows, int i0, int j0, int s, int e, float[] acc, int base) {
        float[] x0 = row(rows, i0);
        float[] x1 = row(rows, i0 + 1);
        float[] x2 = row(rows, i0 + 2);
        float[] x3 = row(rows, i0 + 3);
        float[] y0 = row(rows, j0);
        float[] y1 = row(rows, j0 + 1);
        float[] y2 = row(rows, j0 + 2);
        float[] y3 = row(rows, j0 + 3);
        FloatVector c00 = FloatVector.fromArray(FLOAT, acc, base);
        FloatVector c01 = FloatVector.fromArray(FLOAT, acc, base + L);
        FloatVector c02 = FloatVector.fromArray(FLOAT, acc, base + 2 * L);
        FloatVector c03 = FloatVector.fromArray(FLOAT, acc, base + 3 * L);
        FloatVector c10 = FloatVector.fromArray(FLOAT, acc, base + 4 * L);
        FloatVector c11 = FloatVector.fromArray(FLOAT, acc, base + 5 * L);
        FloatVector c12 = FloatVector.fromArray(FLOAT, acc, base + 6 * L);
        FloatVector c13 = FloatVector.fromArray(FLOAT, acc, base + 7 * L);
        FloatVector c20 = FloatVector.fromArray(FLOAT, acc, base + 8 * L);
        FloatVector c21 = FloatVector.fromArray(FLOAT, acc, base + 9 * L);
        FloatVector c22 = FloatVector.fromArray(FLOAT, acc, base + 10 * L);
        FloatVector c23 = FloatVector.fromArray(FLOAT, acc, base + 11 * L);
        FloatVector c30 = FloatVector.fromArray(FLOAT, acc, base + 12 * L);
        FloatVector c31 = FloatVector.fromArray(FLOAT, acc, base + 13 * L);
        FloatVector c32 = FloatVector.fromArray(FLOAT, acc, base + 14 * L);
        FloatVector c33 = FloatVector.fromArray(FLOAT, acc, base + 15 * L);
        for (int c = s; c < e; c += L) {
            FloatVector b0 = FloatVector.fromArray(FLOAT, y0, c);
            FloatVector b1 = FloatVector.fromArray(FLOAT, y1, c);
            FloatVector b2 = FloatVector.fromArray(FLOAT, y2, c);
            FloatVector b3 = FloatVector.fromArray(FLOAT, y3, c);
            FloatVector a = FloatVector.fromArray(FLOAT, x0, c);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            c02 = a.fma(b2, c02);
            c03 = a.fma(b3, c03);
            a = FloatVector.fromArray(FLOAT, x1, c);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            c12 = a.fma(b2, c12);
            c13 = a.fma(b3, c13);
            a = FloatVector.fromArray(FLOAT, x2, c);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            c22 = a.fma(b2, c22);
            c23 = a.fma(b3, c23);
            a = FloatVector.fromArray(FLOAT, x3, c);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            c32 = a.fma(b2, c32);
            c33 = a.fma(b3, c33);
        }
        c00.intoArray(acc, base);
        c01.intoArray(acc, base + L);
        c02.intoArray(acc, base + 2 * L);
        c03.intoArray(acc, base + 3 * L);
        c10.intoArray(acc, base + 4 * L);
        c11.intoArray(acc, base + 5 * L);
        c12.intoArray(acc, base + 6 * L);
        c13.intoArray(acc, base + 7 * L);
        c20.intoArray(acc, base + 8 * L);
        c21.intoArray(acc, base + 9 * L);
        c22.intoArray(acc, base + 10 * L);
        c23.intoArray(acc, base + 11 * L);
        c30.intoArray(acc, base + 12 * L);
        c31.intoArray(acc, base + 13 * L);
        c32.intoArray(acc, base + 14 * L);
        c33.intoArray(acc, base + 15 * L);
    }

    /**
     * Σ of the L lanes at {@code acc[at..]} in double: four interleaved partial sums (lanes ≡ 0, 1, 2, 3
     * mod 4, in lane order) combined as (s0 + s1) + (s2 + s3), a fixed order that keeps four additions in
     * flight instead of one chain of L dependent ones.
     */
    private static double laneSum(float[] acc, int at) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (int l = 0; l < L; l += 4) {
            s0 += acc[at + l];
            s1 += acc[at + l + 1];
            s2 += acc[at + l + 2];
            s3 += acc[at + l + 3];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * Adds the tile's lane sums (in double) and the tail products [tail, e) to the triangle. A pair whose
     * float sum over the chunk is not a normal-range finite value (|sum| &lt; 2⁻⁶⁰, infinite or NaN: products
     * overflowed float or fell into its subnormal range, as only adversarially huge or tiny updates make
     * them, or the rows are zero there) is recomputed over the whole chunk [s, e) in double, so the result
     * keeps the reference's range.
     */
    private static void store(float[][] rows, int i0, int j0, int s, int tail, int e, float[] acc, int base,
                              double[] p, int normAt, int normStride) {
        int n = rows.length;
        for (int a = 0; a < 4 && i0 + a < n; a++) {
            float[] x = rows[i0 + a];
            for (int b = 0; b < 4 && j0 + b <= i0 + a; b++) {
                float[] y = rows[j0 + b];
                double sum = laneSum(acc, base + (4 * a + b) * L);
                if (Math.abs(sum) >= 0x1p-60 && Math.abs(sum) < Double.POSITIVE_INFINITY) {
                    sum += dot(x, y, tail, e);
                } else {
                    sum = dot(x, y, s, e);
                }
                p[Gram.tri(i0 + a, j0 + b)] += sum;
                if (normAt >= 0 && i0 + a == j0 + b) {
                    p[normAt + (i0 + a) * normStride] += sum;
                }
            }
        }
    }

    /** Σ_{c in [from, to)} x[c]·y[c] in double. */
    private static double dot(float[] x, float[] y, int from, int to) {
        double sum = 0;
        for (int c = from; c < to; c++) {
            sum += (double) x[c] * y[c];
        }
        return sum;
    }
}
