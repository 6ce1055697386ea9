package org.badfl.bench.aggregation;

import java.util.concurrent.TimeUnit;
import org.badfl.engine.Compute;
import org.badfl.server.noise.GaussianNoise;
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

/** Philox Gaussian noise on one model-sized vector (FLAME, CRFL and BADFL add it to G every round). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class NoiseBenchmark {

    @Param({"1199882", "11173962"})
    public int d;

    @Param({"0"})
    public int threads;

    private Compute compute;
    private float[] target;
    private long seed;

    @Setup(Level.Trial)
    public void setup() {
        compute = AggregationFixture.compute(threads);
        target = new float[ModelLayouts.forTrainableCount(d).size()];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        compute.close();
    }

    @Benchmark
    public float[] gaussianNoise() {
        GaussianNoise.add(target, 1e-3, seed++, 0, compute);
        return target;
    }
}
