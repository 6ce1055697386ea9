package org.badfl.bench.aggregation;

import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;
import org.badfl.server.HostRoundUpdates;
import org.badfl.server.RoundUpdates;
import org.badfl.server.kernels.VectorSupport;
import org.badfl.util.Seeds;

/**
 * Random round data for the aggregation benchmarks (kernels now; whole BADFL, FLAME and FLTrust rounds when
 * those defenses exist): n client updates shaped by a model's layer table, filled in parallel.
 * <p>Values: approximately N(0, s_i²) per client (Irwin–Hall sum of four uniforms from a counter hash of
 * (seed, client, coordinate), so filling 4.5 GB takes seconds, not a minute), with per-client scales s_i in
 * [0.5, 1.5]·10⁻³, roughly the size of an SGD update. Same seed, same data.
 */
public final class AggregationFixture {

    private static final int FILL_CHUNK = 1 << 16;

    private AggregationFixture() {
    }

    /** n updates of the given layout, sample counts 500 + 10·i. */
    public static RoundUpdates updates(ParamLayout layout, int n, long seed, Compute compute) {
        RoundUpdates u = new HostRoundUpdates(layout, n);
        for (int i = 0; i < n; i++) {
            double scale = 1e-3 * (0.5 + (Seeds.mix(Seeds.derive(seed, "scale", i)) >>> 11) * 0x1.0p-53);
            u.set(i, i, 500 + 10L * i, vector(layout.size(), Seeds.derive(seed, "update", i), scale, compute));
        }
        return u;
    }

    /** A vector of d approximately N(0, scale²) values. */
    public static float[] vector(int d, long seed, double scale, Compute compute) {
        float[] v = new float[d];
        float s = (float) (scale * Math.sqrt(3.0)); // Irwin–Hall(4) − 2 has variance 1/3
        compute.parallelRange(d, FILL_CHUNK, (start, end) -> {
            for (int c = start; c < end; c++) {
                long h = Seeds.mix(seed + 0x9E3779B97F4A7C15L * (c + 1));
                int sum = (int) (h & 0xFFFF) + (int) ((h >>> 16) & 0xFFFF) + (int) ((h >>> 32) & 0xFFFF)
                    + (int) (h >>> 48);
                v[c] = s * (sum * 0x1.0p-16f - 2f);
            }
        });
        return v;
    }

    /** A Compute of {@code threads} threads, 0 meaning all available cores. */
    public static Compute compute(int threads) {
        return Compute.create(threads == 0 ? Compute.availableCores() : threads);
    }

    /** Fails a benchmark run that would silently measure the scalar paths. */
    public static void requireVectorApi() {
        if (!VectorSupport.enabled()) {
            throw new IllegalStateException("the Vector API is not enabled in this JVM (start it with "
                + "--add-modules=jdk.incubator.vector, and do not set -D" + VectorSupport.PROPERTY + "=false)");
        }
    }
}
