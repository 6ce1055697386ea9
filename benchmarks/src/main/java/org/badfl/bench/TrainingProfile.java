package org.badfl.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.badfl.engine.Compute;
import org.badfl.engine.Layer;
import org.badfl.engine.Models;
import org.badfl.engine.Network;
import org.badfl.engine.Pass;
import org.badfl.engine.Sgd;
import org.badfl.engine.SoftmaxCrossEntropy;

/**
 * Per-layer profile of one training step (forward + cross-entropy + backward + SGD momentum 0.9, weight decay
 * 5e-4), the same step as {@link TrainingBench}, timed layer by layer in process CPU time (all threads: on a
 * shared machine wall time mostly measures the other jobs) and wall time. Not a JMH benchmark: run
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:+UseParallelGC -cp benchmarks/target/benchmarks.jar \
 *     org.badfl.bench.TrainingProfile [model] [batch] [threads] [steps] [warmupSeconds]
 * </pre>
 * (defaults: cnn-paper 64 1 30 6). Prints, per top-level layer, forward and backward milliseconds per step
 * (CPU and wall; the best of the steps, least disturbed by other load, and the median), then the loss, the SGD
 * step and the whole step, and the bytes the calling thread allocated per step.
 * Residual blocks are timed as a whole; use JFR for what happens inside them.
 */
public final class TrainingProfile {

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private TrainingProfile() {
    }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "cnn-paper";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        double warmup = args.length > 4 ? Double.parseDouble(args[4]) : 6;
        try (Compute compute = Compute.create(threads)) {
            run(model, batch, compute, steps, warmup);
        }
    }

    private static void run(String model, int batch, Compute compute, int steps, double warmupSeconds) {
        Network net = TrainingBench.newModel(model, compute);
        float[] x = TrainingBench.randomImages(batch * net.inputSize(), 7);
        int[] labels = TrainingBench.randomLabels(batch, net.classes(), 8);
        Sgd sgd = new Sgd(0.01, 0.9, 5e-4);
        long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
        while (System.nanoTime() < until) {
            net.trainStep(x, labels, batch, sgd);
        }
        long allocStart = allocatedBytes();
        for (int s = 0; s < steps; s++) {
            net.trainStep(x, labels, batch, sgd);
        }
        long allocatedPerStep = (allocatedBytes() - allocStart) / steps;
        threadIds = THREADS.getAllThreadIds();
        List<Layer> layers = net.layers();
        int sections = 2 * layers.size() + 3;
        double[][] cpu = new double[sections][steps];
        double[][] wall = new double[sections][steps];
        long[] bytes = new long[sections];
        float[] dLogits = new float[batch * net.classes()];
        float[] grads = net.grads();
        for (int s = 0; s < steps; s++) {
            long stepCpu = cpuNanos();
            long stepWall = System.nanoTime();
            Pass fwd = Pass.train(compute, net.dropoutSeed(), net.dropoutStep() + s);
            float[] a = x;
            for (int i = 0; i < layers.size(); i++) {
                long c0 = cpuNanos();
                long w0 = System.nanoTime();
                long b0 = THREADS.getCurrentThreadAllocatedBytes();
                a = layers.get(i).forward(fwd, a, batch);
                bytes[i] += THREADS.getCurrentThreadAllocatedBytes() - b0;
                cpu[i][s] = (cpuNanos() - c0) / 1e6;
                wall[i][s] = (System.nanoTime() - w0) / 1e6;
            }
            long c0 = cpuNanos();
            long w0 = System.nanoTime();
            SoftmaxCrossEntropy.lossAndGradient(a, labels, batch, net.classes(), dLogits);
            int loss = 2 * layers.size();
            cpu[loss][s] = (cpuNanos() - c0) / 1e6;
            wall[loss][s] = (System.nanoTime() - w0) / 1e6;
            Pass bwd = new Pass(compute, false, true, false, 0, 0);
            float[] g = dLogits;
            for (int i = layers.size() - 1; i >= 0; i--) {
                c0 = cpuNanos();
                w0 = System.nanoTime();
                long b0 = THREADS.getCurrentThreadAllocatedBytes();
                g = layers.get(i).backward(bwd, g, i > 0);
                bytes[layers.size() + i] += THREADS.getCurrentThreadAllocatedBytes() - b0;
                cpu[layers.size() + i][s] = (cpuNanos() - c0) / 1e6;
                wall[layers.size() + i][s] = (System.nanoTime() - w0) / 1e6;
            }
            c0 = cpuNanos();
            w0 = System.nanoTime();
            long sb = THREADS.getCurrentThreadAllocatedBytes();
            sgd.step(net.layout(), net.params(), grads, compute);
            bytes[loss + 1] += THREADS.getCurrentThreadAllocatedBytes() - sb;
            cpu[loss + 1][s] = (cpuNanos() - c0) / 1e6;
            wall[loss + 1][s] = (System.nanoTime() - w0) / 1e6;
            cpu[loss + 2][s] = (cpuNanos() - stepCpu) / 1e6;
            wall[loss + 2][s] = (System.nanoTime() - stepWall) / 1e6;
        }
        List<String> names = new ArrayList<>();
        for (Layer layer : layers) {
            names.add("fwd " + layer.name() + " " + layer.describe());
        }
        for (Layer layer : layers) {
            names.add("bwd " + layer.name());
        }
        names.add("loss");
        names.add("sgd");
        names.add("step");
        System.out.printf(Locale.ROOT, "# %s batch %d threads %d, %d steps after %.0f s warm-up; load %s%n",
            model, batch, compute.threads(), steps, warmupSeconds, TrainingBench.loadAverage());
        System.out.printf(Locale.ROOT, "%-50s %10s %10s %10s %10s %12s%n", "section", "cpu_best", "cpu_med", "wall_best", "wall_med",
            "bytes/step");
        for (int i : order(layers.size())) {
            System.out.printf(Locale.ROOT, "%-50s %10.3f %10.3f %10.3f %10.3f %12d%n", names.get(i), min(cpu[i]),
                median(cpu[i]), min(wall[i]), median(wall[i]), bytes[i] / steps);
        }
        double stepCpu = median(cpu[sections - 1]);
        System.out.printf(Locale.ROOT, "images per CPU second (median step) %.1f, per wall second (best step) %.1f;"
            + " %d bytes allocated per trainStep (all threads)%n", batch / stepCpu * 1e3,
            batch / min(wall[sections - 1]) * 1e3, allocatedPerStep);
    }

    private static long[] threadIds = new long[0];

    /** CPU time of the threads alive after warm-up (the caller, the compute pool, GC and JIT threads). */
    private static long cpuNanos() {
        long sum = 0;
        for (long id : threadIds) {
            long t = THREADS.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }

    /** Bytes allocated so far by all live threads. */
    private static long allocatedBytes() {
        long sum = 0;
        for (long b : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
            sum += Math.max(0, b);
        }
        return sum;
    }

    /** Forward sections in order, backward in execution order (last layer first), then loss, sgd, step. */
    private static int[] order(int layers) {
        int[] o = new int[2 * layers + 3];
        int k = 0;
        for (int i = 0; i < layers; i++) {
            o[k++] = i;
        }
        o[k++] = 2 * layers;
        for (int i = layers - 1; i >= 0; i--) {
            o[k++] = layers + i;
        }
        o[k++] = 2 * layers + 1;
        o[k] = 2 * layers + 2;
        return o;
    }

    private static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double d : v) {
            m = Math.min(m, d);
        }
        return m;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }
}
