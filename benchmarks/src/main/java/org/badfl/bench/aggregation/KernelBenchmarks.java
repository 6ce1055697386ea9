package org.badfl.bench.aggregation;

import java.util.concurrent.TimeUnit;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;
import org.badfl.server.RoundUpdates;
import org.badfl.server.kernels.CoordinateStats;
import org.badfl.server.kernels.Gram;
import org.badfl.server.kernels.RowDots;
import org.badfl.server.kernels.SignVotes;
import org.badfl.server.kernels.WeightedSum;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Each aggregation kernel on a round of n updates of a real model's layout (d = 1,199,882: paper CNN;
 * d = 11,173,962: ResNet18, whose buffer also holds 9,600 BN statistics), with the streaming baseline
 * {@link #stream} (sum of the same rows) in the same fork, so that every result can be expressed as a
 * fraction of the measured memory bandwidth ({@link AggregationReport}).
 * <p>{@code threads = 0} uses all cores. The fork heap must hold n·d floats (4.5 GB at n = 100, ResNet18):
 * {@code -Xmx8g} is set below (with ParallelGC's default 1:2 young:old split the rows need an old
 * generation larger than 4.5 GB).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC"},
    jvmArgsAppend = {"-Xmx8g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class KernelBenchmarks {

    @Param({"20", "100"})
    public int n;

    @Param({"1199882", "11173962"})
    public int d;

    @Param({"0"})
    public int threads;

    private Compute compute;
    private ParamLayout layout;
    private float[][] rows;
    private int[] trainable;
    private float[] out;
    private int[] votes;
    private double[] weights;
    private double[][] layerScale;
    private float[] rootUpdate;

    @Setup(Level.Trial)
    public void setup() {
        AggregationFixture.requireVectorApi();
        compute = AggregationFixture.compute(threads);
        layout = ModelLayouts.forTrainableCount(d);
        RoundUpdates updates = AggregationFixture.updates(layout, n, 20240601L, compute);
        rows = updates.rows();
        trainable = layout.trainableRanges();
        out = new float[layout.size()];
        votes = new int[layout.size()];
        weights = updates.sampleWeights();
        rootUpdate = AggregationFixture.vector(layout.size(), 8, 1e-3, compute);
        // Per-client, per-layer clip factors in (0, 1], as layer-wise norm clipping produces.
        int entries = layout.entries().size();
        layerScale = new double[n][entries];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < entries; l++) {
                layerScale[i][l] = 1.0 / (1 + ((i * 31 + l * 7) % 5));
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        compute.close();
    }

    /** Baseline: read every value once (sum of all rows). */
    @Benchmark
    public double stream() {
        return StreamingSum.sum(rows, compute);
    }

    /** Gram matrix over the trainable ranges (FLAME, FLTrust, Krum, LOF, K-means, HDBSCAN inputs). */
    @Benchmark
    public double[] gram() {
        return Gram.compute(rows, trainable, compute);
    }

    /** ⟨Δ_i, g_0⟩ over the trainable ranges (FLTrust's cosines; with {@link #layerNorms}, BADFL's norms). */
    @Benchmark
    public double[] rowDots() {
        return RowDots.dots(rows, rootUpdate, trainable, compute);
    }

    /** ‖Δ_i,l‖² per client and layer (layer-wise clipping, BADFL's weight elimination). */
    @Benchmark
    public double[][] layerNorms() {
        return RowDots.layerSquaredNorms(rows, layout, compute);
    }

    @Benchmark
    public float[] median() {
        CoordinateStats.median(rows, out, compute);
        return out;
    }

    /** β = 10% trimmed from each side. */
    @Benchmark
    public float[] trimmedMean() {
        CoordinateStats.trimmedMean(rows, n / 10, out, compute);
        return out;
    }

    @Benchmark
    public int[] signVotes() {
        SignVotes.absSignSum(rows, votes, compute);
        return votes;
    }

    /** FedAvg-style Σ p_i Δ_i into the output (accumulates; values stay tiny). */
    @Benchmark
    public float[] weightedSum() {
        WeightedSum.accumulate(rows, weights, out, compute);
        return out;
    }

    /** Σ p_i f_il Δ_i with per-client, per-layer clip factors fused. */
    @Benchmark
    public float[] weightedSumLayerScaled() {
        WeightedSum.accumulateLayerScaled(rows, weights, layerScale, layout, out, compute);
        return out;
    }
}
