package org.badfl.bench;

import java.util.concurrent.TimeUnit;
import org.badfl.engine.Compute;
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
 * Common base of the engine benchmarks (GEMM now; training throughput, aggregation kernels later): the JVM
 * flags every fork needs (the Vector API module, the project's GC), throughput mode, and a {@link Compute}
 * with {@link #threads} threads created per trial and closed after it.
 * <p>A subclass adds its {@code @Param}s, builds its inputs in its own {@code @Setup(Level.Trial)}, and counts
 * its unit of work through an {@code @AuxCounters} state (see {@link GflopCounter}) so JMH prints the rate:
 * e.g. a training benchmark would take an {@code ImageCounter} and add the batch size per invocation.
 * Override the annotations on the subclass where a benchmark needs longer runs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class EngineBench {

    /** Threads of the {@link Compute} the benchmarked code runs on. */
    @Param({"1", "2"})
    public int threads;

    /** Created for each trial (one parameter combination in one fork). */
    protected Compute compute;

    @Setup(Level.Trial)
    public void startCompute() {
        compute = Compute.create(threads);
    }

    @TearDown(Level.Trial)
    public void closeCompute() {
        compute.close();
    }
}
