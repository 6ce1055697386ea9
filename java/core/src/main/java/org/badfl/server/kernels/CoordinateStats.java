package org.badfl.server.kernels;

import org.badfl.engine.Compute;

/**
 * Coordinate-wise order statistics over a round's update rows: the median (Yin et al., "Byzantine-robust
 * distributed learning: towards optimal statistical rates", ICML 2018; numpy's {@code np.median(axis=0)} as
 * in vio1etus/FLPoison {@code aggregators/median.py}) and the β-trimmed mean (same paper).
 * <p>Results equal {@link CoordinateStatsReference} exactly (order statistics are exact; the trimmed sum is
 * taken in the same ascending order in double), on either path:
 * <ul>
 *   <li>Vector API ({@link VectorSupport#enabled()}): one SIMD lane per coordinate, the n values of a lane
 *   group run through a Batcher sorting network ({@link SortingNetwork}) pruned to the ranks needed, on
 *   integer keys that order like {@link Float#compare} (so −0.0 &lt; 0.0 as in {@code Arrays.sort});</li>
 *   <li>scalar: per-coordinate quickselect on the same keys.</li>
 * </ul>
 * Rows must be finite (validated updates are); a NaN yields an unspecified value for its coordinate.
 * Work is split over fixed coordinate chunks and each coordinate is computed on its own, so the result does
 * not depend on the thread count.
 */
public final class CoordinateStats {

    /** Coordinates per parallel task (a multiple of every tile width). */
    static final int CHUNK = 4096;

    private CoordinateStats() {
    }

    /**
     * Coordinate-wise median, numpy convention (mean of the two middle values for even n, computed as
     * {@code (float) (((double) lower + upper) / 2)}).
     *
     * @param rows n ≥ 1 rows of length ≥ out.length (not modified)
     * @param out  receives the median of each coordinate c &lt; out.length
     */
    public static void median(float[][] rows, float[] out, Compute compute) {
        median(rows, 0, out.length, out, compute);
    }

    /** Median of coordinates {@code [from, to)} into {@code out[from..to)}; other entries are not touched. */
    public static void median(float[][] rows, int from, int to, float[] out, Compute compute) {
        KernelArgs.range("median", from, to, out.length);
        KernelArgs.rows("median", rows, 1, to);
        if (VectorSupport.enabled()) {
            CoordinateStatsVector.median(rows, from, to, out, compute);
        } else {
            CoordinateStatsScalar.median(rows, from, to, out, compute);
        }
    }

    /**
     * Coordinate-wise trimmed mean: drop the {@code trim} smallest and {@code trim} largest values of each
     * coordinate, average the rest (summed in double in ascending order, divided by n − 2·trim).
     *
     * @param rows n rows of length ≥ out.length, n &gt; 2·trim (not modified)
     * @param out  receives the trimmed mean of each coordinate c &lt; out.length
     */
    public static void trimmedMean(float[][] rows, int trim, float[] out, Compute compute) {
        trimmedMean(rows, trim, 0, out.length, out, compute);
    }

    /** Trimmed mean of coordinates {@code [from, to)} into {@code out[from..to)}. */
    public static void trimmedMean(float[][] rows, int trim, int from, int to, float[] out, Compute compute) {
        KernelArgs.range("trimmed mean", from, to, out.length);
        KernelArgs.rows("trimmed mean", rows, 1, to);
        if (trim < 0 || 2L * trim >= rows.length) {
            throw new IllegalArgumentException("trimmed mean: cannot trim " + trim + " from each side of "
                + rows.length + " rows (need 0 <= trim < n/2)");
        }
        if (VectorSupport.enabled()) {
            CoordinateStatsVector.trimmedMean(rows, trim, from, to, out, compute);
        } else {
            CoordinateStatsScalar.trimmedMean(rows, trim, from, to, out, compute);
        }
    }

    /**
     * The k-th smallest (0-based) of non-NaN {@code values} (not modified), by the same key quickselect as the
     * coordinate statistics ({@link Float#compare} order).
     */
    public static float kthSmallest(float[] values, int k) {
        if (k < 0 || k >= values.length) {
            throw new IllegalArgumentException("rank " + k + " outside [0, " + values.length + ")");
        }
        int[] keys = new int[values.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(Float.floatToRawIntBits(values[i]));
        }
        return fromKey(CoordinateStatsScalar.select(keys, 0, keys.length - 1, k));
    }

    /**
     * Integer key of a float whose signed-int order is {@link Float#compare}'s order on non-NaN values
     * (−0.0 below 0.0): flip the 31 low bits of negatives. The map is its own inverse.
     */
    static int key(int floatBits) {
        return floatBits ^ ((floatBits >> 31) & 0x7FFFFFFF);
    }

    /** The float whose {@link #key} is {@code key}. */
    static float fromKey(int key) {
        return Float.intBitsToFloat(key ^ ((key >> 31) & 0x7FFFFFFF));
    }

    /** The numpy midpoint of two middle values, exactly as {@link CoordinateStatsReference} computes it. */
    static float midpoint(float lower, float upper) {
        return (float) (((double) lower + upper) / 2);
    }
}
