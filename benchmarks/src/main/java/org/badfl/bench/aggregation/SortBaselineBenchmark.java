package org.badfl.bench.aggregation;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.badfl.engine.Compute;
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
 * The per-coordinate {@code Arrays.sort} median (what {@code CoordinateStatsReference} does), parallelised
 * over coordinate chunks on the same threads as the kernels so that the comparison is per core. Only at
 * d = 1,199,882: at d = 11.17M one operation takes tens of seconds and the ratio does not depend on d.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC"},
    jvmArgsAppend = {"-Xmx8g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class SortBaselineBenchmark {

    @Param({"20", "100"})
    public int n;

    @Param({"1199882"})
    public int d;

    @Param({"0"})
    public int threads;

    private Compute compute;
    private float[][] rows;
    private float[] out;

    @Setup(Level.Trial)
    public void setup() {
        compute = AggregationFixture.compute(threads);
        rows = AggregationFixture.updates(ModelLayouts.forTrainableCount(d), n, 20240601L, compute).rows();
        out = new float[rows[0].length];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        compute.close();
    }

    @Benchmark
    public float[] sortMedian() {
        int rowsN = rows.length;
        compute.parallelRange(out.length, 4096, (s, e) -> {
            float[] col = new float[rowsN];
            for (int c = s; c < e; c++) {
                for (int i = 0; i < rowsN; i++) {
                    col[i] = rows[i][c];
                }
                Arrays.sort(col);
                out[c] = (rowsN & 1) == 1 ? col[rowsN / 2]
                    : (float) (((double) col[rowsN / 2 - 1] + col[rowsN / 2]) / 2);
            }
        });
        return out;
    }
}
