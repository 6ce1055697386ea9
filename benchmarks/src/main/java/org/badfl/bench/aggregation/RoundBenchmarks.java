package org.badfl.bench.aggregation;

import java.util.concurrent.TimeUnit;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.ServerContext;
import org.badfl.server.badfl.BadflDefense;
import org.badfl.server.defenses.FlTrust;
import org.badfl.server.defenses.Flame;
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
 * Whole aggregation rounds of the defenses on the fixture's updates: FLAME (Gram → cosine distances →
 * HDBSCAN → median-norm clipping → clipped mean → noise) and FLTrust (norms and cosines with the root
 * update → trust-weighted, norm-aligned sum). FLTrust's root update is a fixed random vector here: the
 * server's training of it is not aggregation work and is not timed.
 * <p>{@link #badflNonInspection} times the non-inspection part of a BADFL round: the real
 * {@link BadflDefense} (its defaults) with a context that has no model inspector, so it runs LMCA on the Gram
 * matrix, flags LMCA's outliers, skips MNIA, applies the norm guard, removes the flagged updates (default
 * {@code clipping=remove}), aggregates and adds the round's noise (round 3 of 100: not the last round).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC"},
    jvmArgsAppend = {"-Xmx8g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class RoundBenchmarks {

    @Param({"20", "100"})
    public int n;

    @Param({"1199882", "11173962"})
    public int d;

    @Param({"0"})
    public int threads;

    private Compute compute;
    private RoundInput input;
    private final Flame flame = new Flame();
    private final FlTrust flTrust = new FlTrust();
    private final BadflDefense badfl = new BadflDefense();

    @Setup(Level.Trial)
    public void setup() {
        AggregationFixture.requireVectorApi();
        compute = AggregationFixture.compute(threads);
        ParamLayout layout = ModelLayouts.forTrainableCount(d);
        RoundUpdates updates = AggregationFixture.updates(layout, n, 20240601L, compute);
        float[] global = AggregationFixture.vector(layout.size(), 7, 0.05, compute);
        float[] root = AggregationFixture.vector(layout.size(), 8, 1e-3, compute);
        ServerContext context = new ServerContext() {
            @Override
            public Compute compute() {
                return compute;
            }

            @Override
            public float[] rootUpdate(float[] g, int round, long seed) {
                return root;
            }
        };
        input = new RoundInput(global, layout, updates, 3, 100, 99L, context);
        String note = badfl.aggregate(input).note();
        if (!note.contains("MNIA skipped")) { // time the non-inspection path, nothing else
            throw new IllegalStateException("BADFL benchmark expected the no-inspector path, round note: " + note);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        compute.close();
    }

    @Benchmark
    public RoundResult flame() {
        return flame.aggregate(input);
    }

    @Benchmark
    public RoundResult flTrust() {
        return flTrust.aggregate(input);
    }

    /** Non-inspection part of a BADFL round: {@link BadflDefense} without an inspector (MNIA skipped). */
    @Benchmark
    public RoundResult badflNonInspection() {
        return badfl.aggregate(input);
    }
}
