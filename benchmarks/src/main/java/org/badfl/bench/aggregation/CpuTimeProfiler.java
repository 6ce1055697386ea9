package org.badfl.bench.aggregation;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * JMH profiler: CPU time of the benchmark JVM per operation (all its threads: the kernels' workers, and in
 * steady state a little GC and JIT), as secondary result {@code cpu} in ms/op.
 * <p>Why: on a machine shared with other work the wall time per operation measures the share of the cores
 * the benchmark got, not the kernel. CPU time counts only the time the process actually ran, so
 * {@code cpu / cores} estimates the wall time on that many dedicated cores (for kernels that keep every
 * core busy; cache and memory-bandwidth contention from the other work still inflate it).
 * <p>Use: {@code -prof org.badfl.bench.aggregation.CpuTimeProfiler}.
 */
public final class CpuTimeProfiler implements InternalProfiler {

    private long cpuStart;

    @Override
    public String getDescription() {
        return "process CPU time per operation (ms/op, all threads)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        cpuStart = cpuNanos();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                      IterationResult result) {
        long cpu = cpuNanos() - cpuStart;
        long ops = result.getMetadata().getMeasuredOps();
        double perOp = ops > 0 ? cpu / 1e6 / ops : Double.NaN;
        return List.of(new ScalarResult("cpu", perOp, "ms/op", AggregationPolicy.AVG));
    }

    private static long cpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        throw new IllegalStateException("this JVM does not report process CPU time");
    }
}
