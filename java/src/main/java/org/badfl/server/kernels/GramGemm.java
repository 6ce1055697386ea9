package org.badfl.server.kernels;

import org.badfl.engine.Compute;
import org.badfl.engine.gemm.Gemm;

/**
 * {@link Gram} for many rows: the lower triangle of X·Xᵀ as blocks of the engine's register-tiled GEMM
 * ({@link Gemm}, NT products: X_I·X_Jᵀ, both operands read from the same packed rows). The direct kernels ({@link GramVector}) form 4×4 tiles of dot products and
 * re-read every row once per tile row, which is right for a round (n ≤ a few hundred updates of millions of
 * coordinates) but leaves a square problem (thousands of rows) memory-bound; the GEMM's packed panels reuse
 * each row from cache across a whole block.
 * <p>Order of work, fixed by the problem only (bit-identical on any thread count):
 * <ol>
 *   <li>The selected coordinates (the ranges, concatenated) are taken in groups of up to
 *       {@link #groupLength} coordinates; a group is copied into X (n × len, row-major).</li>
 *   <li>Each group is cut into slices of {@value #SLICE} coordinates; for every block pair (I ≥ J) of
 *       {@value #BLOCK} rows, the slice's product X_I·X_Jᵀ is formed in float by the GEMM (one FMA chain of
 *       ≤ {@value #SLICE} terms per entry) and added in double to the pair's accumulator, slice after slice.</li>
 * </ol>
 * Rounding: per slice at most (SLICE + 1)·2⁻²⁴·Σ|x_ic·x_jc| (float FMA summation), the same order as the
 * vector kernel's lanes ({@value Gram#CHUNK}/16 = 512 terms); slices are added in double. Non-finite or
 * out-of-range products are not recomputed in double here, so {@link Gram} uses this path only for rows
 * whose values stay in float's safe range (see {@link #safe}).
 */
final class GramGemm {

    /** Coordinates per GEMM call (the float accumulation length). */
    static final int SLICE = 512;
    /** Rows per block. */
    static final int BLOCK = 256;
    /** Rows from which {@link Gram} takes this path. */
    static final int MIN_ROWS = 192;
    /** Bound on |x| below which products cannot overflow or round to subnormal float in a slice. */
    private static final float MAX_SAFE = 1e15f;
    private static final float MIN_SAFE = 1e-15f;

    private GramGemm() {
    }

    /** Coordinates per packed group: ≤ 8192, ≥ one slice, about 2^23 floats packed at a time. */
    static int groupLength(int n) {
        int slices = Math.max(1, Math.min(16, (1 << 23) / (n * SLICE)));
        return slices * SLICE;
    }

    /**
     * True when every selected value is 0 or has a magnitude in [1e-15, 1e15]: then no product or slice sum
     * leaves float's normal range and the float GEMM is within its rounding bound.
     */
    static boolean safe(float[][] rows, int[] ranges, Compute compute) {
        boolean[] bad = new boolean[rows.length];
        compute.parallelFor(rows.length, i -> {
            float[] r = rows[i];
            for (int k = 0; k < ranges.length && !bad[i]; k += 2) {
                for (int c = ranges[k]; c < ranges[k + 1]; c++) {
                    float a = Math.abs(r[c]);
                    if (!(a <= MAX_SAFE) || (a < MIN_SAFE && a != 0f)) {
                        bad[i] = true;
                        break;
                    }
                }
            }
        });
        for (boolean b : bad) {
            if (b) {
                return false;
            }
        }
        return true;
    }

    /** Packed lower triangle of X·Xᵀ over the ranges (as {@link GramVector#lowerTriangle} without norms). */
    static double[] lowerTriangle(float[][] rows, int[] ranges, Compute compute) {
        int n = rows.length;
        long total = 0;
        for (int k = 0; k < ranges.length; k += 2) {
            total += ranges[k + 1] - ranges[k];
        }
        int blocks = (n + BLOCK - 1) / BLOCK;
        int pairs = blocks * (blocks + 1) / 2;
        int[] pairI = new int[pairs];
        int[] pairJ = new int[pairs];
        for (int i = 0, p = 0; i < blocks; i++) {
            for (int j = 0; j <= i; j++, p++) {
                pairI[p] = i;
                pairJ[p] = j;
            }
        }
        double[] lower = new double[n * (n + 1) / 2];
        float[][] scratch = new float[pairs][];
        int group = groupLength(n);
        float[] x = new float[n * (int) Math.min(group, total)];
        int[] cursor = {0, ranges.length == 0 ? 0 : ranges[0]}; // range index, next coordinate
        for (long done = 0; done < total; ) {
            int len = (int) Math.min(group, total - done);
            int[] segments = nextSegments(ranges, cursor, len);
            pack(rows, segments, len, x, compute);
            final int groupLen = len;
            // Each pair adds into its own entries of the triangle, slice after slice: no shared writes.
            compute.parallelFor(pairs, p -> {
                int i0 = pairI[p] * BLOCK;
                int j0 = pairJ[p] * BLOCK;
                int bi = Math.min(BLOCK, n - i0);
                int bj = Math.min(BLOCK, n - j0);
                if (scratch[p] == null) {
                    scratch[p] = new float[bi * bj];
                }
                float[] c = scratch[p];
                for (int s = 0; s < groupLen; s += SLICE) {
                    int ks = Math.min(SLICE, groupLen - s);
                    Gemm.sgemm(false, true, bi, bj, ks, x, i0 * groupLen + s, groupLen, x, j0 * groupLen + s,
                        groupLen, c, 0, bj, false);
                    for (int i = 0; i < bi; i++) {
                        int row = Gram.tri(i0 + i, j0);
                        int cols = Math.min(bj, i0 + i - j0 + 1);
                        for (int j = 0; j < cols; j++) {
                            lower[row + j] += c[i * bj + j];
                        }
                    }
                }
            });
            done += len;
        }
        return lower;
    }

    /** The next {@code len} selected coordinates as segments [s0, e0, s1, e1, ...]; advances the cursor. */
    private static int[] nextSegments(int[] ranges, int[] cursor, int len) {
        int[] out = new int[0];
        int left = len;
        while (left > 0) {
            int r = cursor[0];
            int start = cursor[1];
            int end = Math.min(ranges[2 * r + 1], start + left);
            if (end > start) {
                out = java.util.Arrays.copyOf(out, out.length + 2);
                out[out.length - 2] = start;
                out[out.length - 1] = end;
                left -= end - start;
            }
            if (end == ranges[2 * r + 1] && r + 1 < ranges.length / 2) {
                cursor[0] = r + 1;
                cursor[1] = ranges[2 * r + 2];
            } else {
                cursor[1] = end;
            }
        }
        return out;
    }

    /** X[i][0..len) from the segments of every row. */
    private static void pack(float[][] rows, int[] segments, int len, float[] x, Compute compute) {
        int n = rows.length;
        compute.parallelFor(n, i -> {
            int col = 0;
            for (int k = 0; k < segments.length; k += 2) {
                int s = segments[k];
                int l = segments[k + 1] - s;
                System.arraycopy(rows[i], s, x, i * len + col, l);
                col += l;
            }
        });
    }
}
