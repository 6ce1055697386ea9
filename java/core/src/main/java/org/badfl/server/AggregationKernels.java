package org.badfl.server;

import org.badfl.server.kernels.WeightedSum;
import org.badfl.server.kernels.SignVotes;
import org.badfl.server.kernels.RowDots;
import org.badfl.server.kernels.Gram;
import org.badfl.server.kernels.CoordinateStats;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;

/**
 * The heavy steps of a defense's round, behind one seam so that they can run where the updates are: on the CPU
 * ({@link #cpu}, the static kernels of this package and {@link org.badfl.server.noise.GaussianNoise}) or on a
 * device ({@code org.badfl.gpu.DeviceAggregationKernels} over {@code GpuAggregation}). Defenses reach it through
 * {@link org.badfl.server.ServerContext#kernels()}; everything O(n) or O(n²) (HDBSCAN, Krum scores, weights) stays
 * in the defense.
 * <p>Contract shared by every implementation: rows are the round's update rows (read, never modified; they must
 * not change between two calls of one round); {@code out} arguments have the rows' length (layout size) and are
 * accumulated into where the method says {@code +=}. Results agree with the CPU implementation within the
 * precision each method states (exactly for the order statistics, sign votes and weighted sums; within the
 * Gram / RowDots bound for dot products; noise bit-identical on the emulation, within a float ulp on a GPU).
 * <p>Each row kernel has a {@link RoundUpdates} overload: the same computation on a round's updates wherever their
 * rows live. By default it runs on the host view ({@link RoundUpdates#rows()}); a device implementation reads rows
 * already on its device in place, so an update trained there never crosses to the host and back.
 */
public interface AggregationKernels {

    /** Where the kernels run, for notes and logs ("cpu", or the device's name). */
    String name();

    /**
     * Gram matrix X·Xᵀ of the rows over the coordinate ranges, row-major n×n, symmetric (as
     * {@link Gram#compute}).
     */
    double[] gram(float[][] rows, int[] ranges);

    /**
     * ⟨rows[i], v⟩ over the ranges for every row (as {@link RowDots#dots}); {@code v == null} gives the squared
     * norms ‖rows[i]‖².
     */
    double[] dots(float[][] rows, float[] v, int[] ranges);

    /**
     * {@code {dots(rows, v, ranges), dots(rows, null, ranges)}}, in one pass where the implementation can
     * ({@link RowDots#dotsAndSquaredNorms} on the CPU; same values as the two calls).
     */
    default double[][] dotsAndSquaredNorms(float[][] rows, float[] v, int[] ranges) {
        return new double[][] {dots(rows, v, ranges), dots(rows, null, ranges)};
    }

    /** out[c] = median of column c (numpy's midpoint for even n), as {@link CoordinateStats#median}. */
    void median(float[][] rows, float[] out);

    /** out[c] = mean of column c without its {@code trim} lowest and highest values ({@link CoordinateStats#trimmedMean}). */
    void trimmedMean(float[][] rows, int trim, float[] out);

    /** out[c] = |Σ_i sign(rows[i][c])| ({@link SignVotes#absSignSum}). */
    void absSignSum(float[][] rows, int[] out);

    /** out[c] += Σ_i weights[i]·rows[i][c], summed in double ({@link WeightedSum#accumulate}). */
    void accumulate(float[][] rows, double[] weights, float[] out);

    /**
     * out[c] += Σ_i weights[i]·layerScale[i][l(c)]·rows[i][c] with per-client, per-layer clip factors fused
     * ({@link WeightedSum#accumulateLayerScaled}); {@code layerScale[i] == null} means factor 1.
     */
    void accumulateLayerScaled(float[][] rows, double[] weights, double[][] layerScale, ParamLayout layout,
                               float[] out);

    /**
     * target[i] += σ·z_i for i in [from, to), z_i element i of Gaussian stream (seed, stream)
     * ({@link org.badfl.server.noise.GaussianNoise#add(float[], int, int, double, long, long, Compute)}).
     */
    void addNoise(float[] target, int from, int to, double sigma, long seed, long stream);

    // ---- the same kernels on a round's updates, wherever their rows live --------------------------------------

    /** {@link #gram(float[][], int[])} of the updates' rows. */
    default double[] gram(RoundUpdates updates, int[] ranges) {
        return gram(updates.rows(), ranges);
    }

    /** {@link #dots(float[][], float[], int[])} of the updates' rows. */
    default double[] dots(RoundUpdates updates, float[] v, int[] ranges) {
        return dots(updates.rows(), v, ranges);
    }

    /** {@link #dotsAndSquaredNorms(float[][], float[], int[])} of the updates' rows. */
    default double[][] dotsAndSquaredNorms(RoundUpdates updates, float[] v, int[] ranges) {
        return dotsAndSquaredNorms(updates.rows(), v, ranges);
    }

    /** {@link #median(float[][], float[])} of the updates' rows. */
    default void median(RoundUpdates updates, float[] out) {
        median(updates.rows(), out);
    }

    /** {@link #trimmedMean(float[][], int, float[])} of the updates' rows. */
    default void trimmedMean(RoundUpdates updates, int trim, float[] out) {
        trimmedMean(updates.rows(), trim, out);
    }

    /** {@link #absSignSum(float[][], int[])} of the updates' rows. */
    default void absSignSum(RoundUpdates updates, int[] out) {
        absSignSum(updates.rows(), out);
    }

    /** {@link #accumulate(float[][], double[], float[])} of the updates' rows. */
    default void accumulate(RoundUpdates updates, double[] weights, float[] out) {
        accumulate(updates.rows(), weights, out);
    }

    /** {@link #accumulateLayerScaled(float[][], double[], double[][], ParamLayout, float[])} of the updates' rows. */
    default void accumulateLayerScaled(RoundUpdates updates, double[] weights, double[][] layerScale,
                                       ParamLayout layout, float[] out) {
        accumulateLayerScaled(updates.rows(), weights, layerScale, layout, out);
    }

    /** The CPU kernels on {@code compute}'s threads (not closed by the kernels). */
    static AggregationKernels cpu(Compute compute) {
        return new CpuAggregationKernels(compute);
    }
}
