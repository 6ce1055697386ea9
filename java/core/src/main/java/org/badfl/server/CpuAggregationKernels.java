package org.badfl.server;

import org.badfl.server.kernels.WeightedSum;
import org.badfl.server.kernels.SignVotes;
import org.badfl.server.kernels.RowDots;
import org.badfl.server.kernels.Gram;
import org.badfl.server.kernels.CoordinateStats;
import java.util.Objects;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;
import org.badfl.server.noise.GaussianNoise;

/** {@link AggregationKernels} on the CPU: the static kernels of this package on one {@link Compute}. */
final class CpuAggregationKernels implements AggregationKernels {

    private final Compute compute;

    CpuAggregationKernels(Compute compute) {
        this.compute = Objects.requireNonNull(compute, "compute");
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public double[] gram(float[][] rows, int[] ranges) {
        return Gram.compute(rows, ranges, compute);
    }

    @Override
    public double[] dots(float[][] rows, float[] v, int[] ranges) {
        return RowDots.dots(rows, v, ranges, compute);
    }

    @Override
    public double[][] dotsAndSquaredNorms(float[][] rows, float[] v, int[] ranges) {
        return RowDots.dotsAndSquaredNorms(rows, v, ranges, compute);
    }

    @Override
    public void median(float[][] rows, float[] out) {
        CoordinateStats.median(rows, out, compute);
    }

    @Override
    public void trimmedMean(float[][] rows, int trim, float[] out) {
        CoordinateStats.trimmedMean(rows, trim, out, compute);
    }

    @Override
    public void absSignSum(float[][] rows, int[] out) {
        SignVotes.absSignSum(rows, out, compute);
    }

    @Override
    public void accumulate(float[][] rows, double[] weights, float[] out) {
        WeightedSum.accumulate(rows, weights, out, compute);
    }

    @Override
    public void accumulateLayerScaled(float[][] rows, double[] weights, double[][] layerScale, ParamLayout layout,
                                      float[] out) {
        WeightedSum.accumulateLayerScaled(rows, weights, layerScale, layout, out, compute);
    }

    @Override
    public void addNoise(float[] target, int from, int to, double sigma, long seed, long stream) {
        GaussianNoise.add(target, from, to, sigma, seed, stream, compute);
    }
}
