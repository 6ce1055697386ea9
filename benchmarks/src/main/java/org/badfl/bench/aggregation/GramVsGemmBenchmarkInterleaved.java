package org.badfl.bench.aggregation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.badfl.engine.Compute;
import org.badfl.engine.gemm.Gemm;
import org.badfl.server.kernels.Gram;

/**
 * {@link GramVsGemmBenchmark}'s two operations on the same data, alternated call by call: on a machine shared
 * with other jobs the load changes over the minutes a JMH run spends on one benchmark before the next, so
 * JMH's Gram and GEMM figures come from different conditions; alternating puts both under the same load.
 * Not a JMH benchmark: run
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.badfl.bench.aggregation.GramVsGemmBenchmarkInterleaved [size] [rounds] [threads ...] [--json FILE]
 * </pre>
 * (defaults 1024, 20, threads 1 and 0 = all cores). Per thread count: 3 s of alternated warm-up, then
 * {@code rounds} pairs of blocks (Gram calls for ≥ {@value #BLOCK_MS} ms, then GEMM calls for as long), each
 * block timed by wall clock and by the process's CPU time (which the JVM reports in 10 ms steps: hence
 * blocks, not single calls). Prints median and best time per call over the blocks, and the Gram's rate as a
 * share of the GEMM's (useful Gram flops n(n+1)·n against the GEMM's 2n³, as in AGGREGATION.md) from
 * medians and from bests.
 */
public final class GramVsGemmBenchmarkInterleaved {

    /** Wall time of one block of calls of one operation. */
    private static final int BLOCK_MS = 300;

    private GramVsGemmBenchmarkInterleaved() {
    }

    public static void main(String[] args) {
        int[] positional = new int[args.length];
        int count = 0;
        Path json = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--json")) {
                json = Path.of(args[++i]);
            } else {
                positional[count++] = Integer.parseInt(args[i]);
            }
        }
        int size = count > 0 ? positional[0] : 1024;
        int rounds = count > 1 ? positional[1] : 20;
        int[] threads = count > 2 ? Arrays.copyOfRange(positional, 2, count) : new int[] {1, 0};
        StringBuilder out = new StringBuilder("[\n");
        System.out.println("threads\top\twall_median_ms\twall_best_ms\tcpu_median_ms\tcpu_best_ms");
        for (int t = 0; t < threads.length; t++) {
            String row = run(size, rounds, threads[t]);
            out.append(row).append(t + 1 < threads.length ? ",\n" : "\n");
        }
        out.append("]\n");
        if (json != null) {
            try {
                Files.writeString(json, out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String run(int size, int rounds, int threads) {
        try (Compute compute = AggregationFixture.compute(threads)) {
            float[] a = AggregationFixture.vector(size * size, 1, 1, compute);
            float[] b = AggregationFixture.vector(size * size, 2, 1, compute);
            float[] c = new float[size * size];
            float[][] rows = new float[size][];
            for (int i = 0; i < size; i++) {
                rows[i] = Arrays.copyOfRange(a, i * size, (i + 1) * size);
            }
            int[] all = Gram.all(size);
            Runnable gram = () -> Gram.compute(rows, all, compute);
            Runnable gemm = () -> Gemm.sgemm(compute, false, false, size, size, size, a, 0, size, b, 0, size, c, 0,
                size, false);
            long warmEnd = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < warmEnd) {
                gram.run();
                gemm.run();
            }
            double[][] gramTimes = new double[2][rounds];
            double[][] gemmTimes = new double[2][rounds];
            for (int r = 0; r < rounds; r++) {
                time(gram, gramTimes, r);
                time(gemm, gemmTimes, r);
            }
            double gramFlops = (double) size * (size + 1) * size;
            double gemmFlops = 2.0 * size * size * size;
            String label = threads == 0 ? "all(" + compute.threads() + ")" : Integer.toString(threads);
            double[] g = summary(gramTimes);
            double[] m = summary(gemmTimes);
            System.out.printf(Locale.ROOT, "%s\tgram\t%.2f\t%.2f\t%.2f\t%.2f%n", label, g[0], g[1], g[2], g[3]);
            System.out.printf(Locale.ROOT, "%s\tgemm\t%.2f\t%.2f\t%.2f\t%.2f%n", label, m[0], m[1], m[2], m[3]);
            double[] share = new double[4];
            for (int k = 0; k < 4; k++) {
                share[k] = (gramFlops / g[k]) / (gemmFlops / m[k]);
            }
            System.out.printf(Locale.ROOT, "%s\tgram/gemm rate\twall median %.1f%%, best %.1f%%; CPU median %.1f%%,"
                + " best %.1f%%%n", label, 100 * share[0], 100 * share[1], 100 * share[2], 100 * share[3]);
            return String.format(Locale.ROOT, "  {\"size\": %d, \"threads\": \"%s\", \"rounds\": %d, \"load_avg_1min\": %.2f,"
                    + " \"gram_ms\": {\"wall_median\": %.3f, \"wall_best\": %.3f, \"cpu_median\": %.3f, \"cpu_best\": %.3f},"
                    + " \"gemm_ms\": {\"wall_median\": %.3f, \"wall_best\": %.3f, \"cpu_median\": %.3f, \"cpu_best\": %.3f},"
                    + " \"gram_share_of_gemm_rate\": {\"wall_median\": %.4f, \"wall_best\": %.4f, \"cpu_median\": %.4f,"
                    + " \"cpu_best\": %.4f}}",
                size, label, rounds, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                g[0], g[1], g[2], g[3], m[0], m[1], m[2], m[3], share[0], share[1], share[2], share[3]);
        }
    }

    /** Calls op until BLOCK_MS have passed; wall and CPU ms per call into times[0][r], times[1][r]. */
    private static void time(Runnable op, double[][] times, int r) {
        long cpu0 = cpuNanos();
        long wall0 = System.nanoTime();
        long calls = 0;
        long wall;
        do {
            op.run();
            calls++;
            wall = System.nanoTime() - wall0;
        } while (wall < BLOCK_MS * 1_000_000L);
        times[0][r] = wall / 1e6 / calls;
        times[1][r] = (cpuNanos() - cpu0) / 1e6 / calls;
    }

    /** Wall median, wall best, CPU median, CPU best (ms). */
    private static double[] summary(double[][] times) {
        double[] wall = times[0].clone();
        double[] cpu = times[1].clone();
        Arrays.sort(wall);
        Arrays.sort(cpu);
        return new double[] {wall[wall.length / 2], wall[0], cpu[cpu.length / 2], cpu[0]};
    }

    private static long cpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        throw new IllegalStateException("this JVM does not report process CPU time");
    }
}
