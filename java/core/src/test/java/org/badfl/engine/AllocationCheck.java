package org.badfl.engine;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Run in a separate JVM by {@link TrainingAllocationTest}: trains small instances of the paper CNN (with
 * dropout) and a residual network (BatchNorm, strided and same-padding convolutions) for a few warm-up steps,
 * then measures the bytes all threads allocate per training step (forward, backward, SGD) at batch 8 and 32 on
 * 1 and 2 threads. Prints one line {@code model batch threads bytes-per-step} per case, then
 * {@code loaded-vector-loops=<bool>} (whether the layers chose the vector loops).
 * <p>Meant for the plain-Java path (no vector module, or {@code -Dbadfl.gemm=scalar}): in a cold JVM the Vector
 * API boxes every vector until C2 has compiled the kernels, which says nothing about the engine's workspaces.
 */
public final class AllocationCheck {

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocationCheck() {
    }

    public static void main(String[] args) {
        ModelSpec[] specs = {
            Models.paperCnn("cnn-paper-narrow", new Shape(1, 28, 28), 10, 4, 8, 16),
            Models.resnet("resnet-small", new Shape(3, 16, 16), 10, new int[] {4, 8}, new int[] {1, 1}),
        };
        StringBuilder report = new StringBuilder();
        for (ModelSpec spec : specs) {
            for (int batch : new int[] {8, 32}) {
                for (int threads : new int[] {1, 2}) {
                    try (Compute compute = Compute.create(threads)) {
                        report.append(String.format(Locale.ROOT, "%s %d %d %d%n", spec.name(), batch, threads,
                            bytesPerStep(spec, batch, compute)));
                    }
                }
            }
        }
        System.out.print(report);
        // Whether the layers chose the vector loops (the test checks -verbose:class for actual loading).
        System.out.println("loaded-vector-loops=" + Loops.VECTOR);
    }

    /** Median over 7 steps after 5 warm-up steps (a pool thread's workspace may still grow once late). */
    private static long bytesPerStep(ModelSpec spec, int batch, Compute compute) {
        Network net = spec.create(3).setCompute(compute);
        float[] x = new float[batch * net.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(0.37 * i);
        }
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++) {
            labels[b] = b % net.classes();
        }
        Sgd sgd = new Sgd(0.01, 0.9, 5e-4);
        for (int s = 0; s < 5; s++) {
            net.trainStep(x, labels, batch, sgd);
        }
        long[] bytes = new long[7];
        for (int s = 0; s < bytes.length; s++) {
            long before = allocated();
            net.trainStep(x, labels, batch, sgd);
            bytes[s] = allocated() - before;
        }
        java.util.Arrays.sort(bytes);
        return bytes[bytes.length / 2];
    }

    private static long allocated() {
        long sum = 0;
        for (long bytes : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
            sum += Math.max(0, bytes);
        }
        return sum;
    }
}
