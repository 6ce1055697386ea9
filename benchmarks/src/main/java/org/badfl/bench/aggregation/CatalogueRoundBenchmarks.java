package org.badfl.bench.aggregation;

import java.util.concurrent.TimeUnit;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.ServerContext;
import org.badfl.server.defenses.Bulyan;
import org.badfl.server.defenses.DnC;
import org.badfl.server.defenses.FlDetector;
import org.badfl.server.defenses.Rfa;
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
 * Whole aggregation rounds of catalogue defenses (defaults) on the fixture's updates: DnC (5 iterations of a
 * sampled Gram and an n×n eigendecomposition), RFA (Weiszfeld on one Gram matrix), Bulyan (Krum selection, then
 * the coordinate-wise trimmed stage) and FLDetector in its steady state.
 * <p>FLDetector needs history: the trial's setup runs {@value #HISTORY} rounds first (window 10, start 1), so that
 * every timed round computes the L-BFGS product with a full memory, the distances, the window scores and the gap
 * statistic. Successive rounds must differ for the L-BFGS pairs to be well posed: round k uses one of
 * {@value #GLOBALS} distinct global models and leaves out update slot k mod n (a {@link RoundUpdates#select} view,
 * no copy), so G_k − G_{k−1} and the aggregate's change differ from round to round. It holds the previous round's
 * updates (n·d floats) besides the round's own: its fork gets a 13 GB heap.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC"},
    jvmArgsAppend = {"-Xmx8g"})
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
public class CatalogueRoundBenchmarks {

    static final int HISTORY = 13;
    static final int GLOBALS = 12;

    @Param({"100"})
    public int n;

    @Param({"11173962"})
    public int d;

    @Param({"0"})
    public int threads;

    private Compute compute;
    private ParamLayout layout;
    private RoundUpdates updates;
    private float[][] globals;
    private ServerContext context;
    private RoundInput input;
    private final DnC dnc = new DnC();
    private final Rfa rfa = new Rfa();
    private final Bulyan bulyan = new Bulyan();
    private FlDetector flDetector;
    private int round;

    @Setup(Level.Trial)
    public void setup(org.openjdk.jmh.infra.BenchmarkParams params) {
        AggregationFixture.requireVectorApi();
        compute = AggregationFixture.compute(threads);
        layout = ModelLayouts.forTrainableCount(d);
        updates = AggregationFixture.updates(layout, n, 20240601L, compute);
        context = ServerContext.of(compute);
        float[] global = AggregationFixture.vector(layout.size(), 7, 0.05, compute);
        input = new RoundInput(global, layout, updates, 3, 100, 99L, context);
        if (params.getBenchmark().endsWith("flDetector")) {
            globals = new float[GLOBALS][];
            for (int g = 0; g < GLOBALS; g++) {
                globals[g] = AggregationFixture.vector(layout.size(), 100 + g, 0.05, compute);
            }
            flDetector = new FlDetector(FlDetector.DEFAULT_WINDOW, 1);
            RoundResult last = null;
            for (int k = 0; k < HISTORY; k++) {
                last = flDetector.aggregate(flDetectorRound());
            }
            if (!last.verdicts().get(0).reason().startsWith("suspicious score")) {
                throw new IllegalStateException("FLDetector benchmark expected window scores after " + HISTORY
                    + " rounds, verdict: " + last.verdicts().get(0).reason());
            }
        }
    }

    private RoundInput flDetectorRound() {
        int k = round++;
        int[] slots = new int[n - 1];
        for (int i = 0, at = 0; i < n; i++) {
            if (i != k % n) {
                slots[at++] = i;
            }
        }
        return new RoundInput(globals[k % GLOBALS], layout, updates.select(slots), k + 1, 0, 99L + k, context);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        compute.close();
    }

    @Benchmark
    public RoundResult dnc() {
        return dnc.aggregate(input);
    }

    @Benchmark
    public RoundResult rfa() {
        return rfa.aggregate(input);
    }

    @Benchmark
    public RoundResult bulyan() {
        return bulyan.aggregate(input);
    }

    /** A steady-state FLDetector round (full L-BFGS memory and score window). */
    @Benchmark
    @Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC"},
        jvmArgsAppend = {"-Xmx13g"})
    public RoundResult flDetector() {
        return flDetector.aggregate(flDetectorRound());
    }
}
