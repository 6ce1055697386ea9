package org.badfl.bench.aggregation;

import java.util.concurrent.TimeUnit;
import org.badfl.engine.Compute;
import org.badfl.engine.gemm.Gemm;
import org.badfl.server.kernels.Gram;
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
 * The engine's own GEMM ({@link Gemm#sgemm}) on square matrices, the yardstick for the Gram kernel's
 * GFLOP/s (2·size³ flops per operation; {@link AggregationReport} does the arithmetic), and the Gram kernel
 * ({@link Gram#compute}) on the same square matrix A (size rows of size coordinates: A·Aᵀ, size²(size + 1)
 * useful flops of the symmetric product). Issue 6's goal is Gram ≥ 50% of GEMM's rate; the Gram is built for
 * n ≤ a few hundred rows of millions of coordinates, so the report also compares the round-sized Gram of
 * {@link KernelBenchmarks} with this GEMM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class GramVsGemmBenchmark {

    @Param({"1024"})
    public int size;

    @Param({"0"})
    public int threads;

    private Compute compute;
    private float[] a;
    private float[] b;
    private float[] c;
    private float[][] rows;
    private int[] all;

    @Setup(Level.Trial)
    public void setup() {
        compute = AggregationFixture.compute(threads);
        a = AggregationFixture.vector(size * size, 1, 1, compute);
        b = AggregationFixture.vector(size * size, 2, 1, compute);
        c = new float[size * size];
        rows = new float[size][];
        for (int i = 0; i < size; i++) {
            rows[i] = java.util.Arrays.copyOfRange(a, i * size, (i + 1) * size);
        }
        all = Gram.all(size);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        compute.close();
    }

    @Benchmark
    public float[] gemm() {
        Gemm.sgemm(compute, false, false, size, size, size, a, 0, size, b, 0, size, c, 0, size, false);
        return c;
    }

    @Benchmark
    public double[] gram() {
        return Gram.compute(rows, all, compute);
    }
}
