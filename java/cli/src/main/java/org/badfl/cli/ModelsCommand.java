package org.badfl.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.badfl.engine.Compute;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Models;
import org.badfl.engine.Network;
import org.badfl.engine.Sgd;
import org.badfl.engine.Shape;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code badfl models}: the registered model architectures with their layer tables and parameter counts
 * (trainable and total) for their default input shape, and optionally the measured CPU training throughput.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = {"List the model architectures: layer table, parameter counts (trainable and total, BatchNorm",
        "running statistics included) and forward multiply-accumulates, for each model's default input shape.",
        "With --throughput, also measure CPU training and inference throughput on random data."})
public final class ModelsCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "MODEL", description = "models to show (default: all of ${COMPLETION-CANDIDATES})",
        completionCandidates = ModelNames.class)
    List<String> names;

    @Option(names = "--input", paramLabel = "CxHxW", description = "input shape, e.g. 3x32x32 (default: the model's own)")
    String input;

    @Option(names = "--classes", paramLabel = "K", defaultValue = "10", description = "number of classes (default: ${DEFAULT-VALUE})")
    int classes;

    @Option(names = "--brief", description = "one line per model instead of the layer table")
    boolean brief;

    @Option(names = "--throughput", description = "measure training (SGD step) and inference images/s on random data")
    boolean throughput;

    @Option(names = "--batch", defaultValue = "64", description = "batch size for --throughput (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--threads", defaultValue = "1", description = "threads for --throughput (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--seconds", defaultValue = "5", description = "measuring time per model for --throughput, after"
        + " a warm-up of half as long; at least one step is always measured (default: ${DEFAULT-VALUE})")
    double seconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Registered names for picocli's help text and completion. */
    static final class ModelNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Models.names().iterator();
        }
    }

    @Override
    public Integer call() {
        if (throughput && (batch < 1 || threads < 1 || !(seconds > 0))) {
            throw new IllegalArgumentException("--batch and --threads must be >= 1 and --seconds > 0, got --batch "
                + batch + " --threads " + threads + " --seconds " + seconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        List<String> selected = names == null || names.isEmpty() ? Models.names() : names;
        for (String name : selected) {
            Shape shape = input != null ? Shape.parse(input) : Models.defaultInput(name);
            ModelSpec model = Models.spec(name, shape, classes);
            Network net = model.build();
            if (brief) {
                out.printf(Locale.ROOT, "%-12s input %-9s trainable %,12d  total %,12d  forward MACs/image %,14d  %s%n",
                    name, shape, net.layout().trainableSize(), net.layout().size(), net.macsPerImage(),
                    Models.description(name));
            } else {
                out.println(Models.description(name));
                out.print(net.summary());
            }
            if (throughput) {
                measure(out, model);
            }
            if (!brief) {
                out.println();
            }
            out.flush();
        }
        return 0;
    }

    private void measure(PrintWriter out, ModelSpec model) {
        Network net = model.create(1);
        SplittableRandom random = new SplittableRandom(2);
        float[] x = new float[Math.multiplyExact(batch, net.inputSize())];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++) {
            labels[b] = random.nextInt(net.classes());
        }
        Sgd sgd = new Sgd(0.01, 0.9, 5e-4);
        try (Compute compute = Compute.create(threads)) {
            net.setCompute(compute);
            double train = rate(() -> net.trainStep(x, labels, batch, sgd));
            double infer = rate(() -> net.forward(x, batch, false));
            out.printf(Locale.ROOT, "  throughput (batch %d, %d thread%s): training %.1f images/s, inference %.1f images/s%n",
                batch, threads, threads == 1 ? "" : "s", train * batch, infer * batch);
        }
    }

    /** Steps per second: warm up for seconds/2, then time whole steps for at least {@code seconds} (>= 1 step). */
    private double rate(Runnable step) {
        long warmEnd = System.nanoTime() + (long) (seconds * 0.5e9);
        do {
            step.run();
        } while (System.nanoTime() < warmEnd);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        int steps = 0;
        long now;
        do {
            step.run();
            steps++;
            now = System.nanoTime();
        } while (now < end);
        return steps / ((now - start) * 1e-9);
    }
}
