package org.badfl.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.badfl.engine.Compute;
import org.badfl.engine.gemm.Gemm;

/**
 * Single-thread GEMM rate per second of the calling thread's CPU time, for machines shared with other jobs,
 * where JMH's wall-clock rates mostly measure the other jobs. (Time slices lost to other processes do not
 * count; cache and core sharing still do, so take the best of many short rounds.) Same shapes and naming as
 * {@link GemmBench}. Not a JMH benchmark: run
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.badfl.bench.GemmCpuTimeRunner [rounds] [shape ...]
 * </pre>
 * Prints a tab-separated table: path, shape, best GFLOP per CPU second over the rounds (30 ms each, after
 * 3 s of warm-up per shape and path).
 */
public final class GemmCpuTimeRunner {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private GemmCpuTimeRunner() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        List<String> shapes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            shapes.add(args[i]);
        }
        if (shapes.isEmpty()) {
            shapes = List.of("NN_256x256x256", "NN_512x512x512", "NN_1024x1024x1024");
        }
        System.out.println("path\tshape\tgflops_per_cpu_s");
        for (String shape : shapes) {
            for (Gemm.Path path : Gemm.Path.values()) {
                System.out.printf(Locale.ROOT, "%s\t%s\t%.1f%n", path, shape, best(path, shape, rounds));
            }
        }
    }

    private static double best(Gemm.Path path, String shape, int rounds) {
        String[] parts = shape.split("_");
        boolean transA = parts[0].charAt(0) == 'T';
        boolean transB = parts[0].charAt(1) == 'T';
        String[] dims = parts[1].split("x");
        int m = Integer.parseInt(dims[0]);
        int n = Integer.parseInt(dims[1]);
        int k = Integer.parseInt(dims[2]);
        SplittableRandom rnd = new SplittableRandom(42);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        float[] c = new float[m * n];
        Runnable call = () -> Gemm.sgemm(path, Compute.serial(), transA, transB, m, n, k, a, 0, transA ? m : k,
                b, 0, transB ? k : n, c, 0, n, false);
        double flops = 2.0 * m * n * k;
        rate(call, flops, 3_000_000_000L);
        double best = 0;
        for (int r = 0; r < rounds; r++) {
            best = Math.max(best, rate(call, flops, 30_000_000L));
        }
        return best;
    }

    /** GFLOP per CPU second over at least {@code cpuNanos} of this thread's CPU time. */
    private static double rate(Runnable call, double flops, long cpuNanos) {
        long start = THREADS.getCurrentThreadCpuTime();
        long calls = 0;
        long used;
        do {
            call.run();
            calls++;
            used = THREADS.getCurrentThreadCpuTime() - start;
        } while (used < cpuNanos);
        return flops * calls / used;
    }
}
