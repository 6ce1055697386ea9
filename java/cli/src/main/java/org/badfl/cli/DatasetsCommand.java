package org.badfl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.badfl.data.Dataset;
import org.badfl.data.DatasetSource;
import org.badfl.data.DirichletPartitioner;
import org.badfl.data.IidPartitioner;
import org.badfl.data.Partition;
import org.badfl.data.PartitionSummary;
import org.badfl.data.Partitioner;
import org.badfl.data.TrainTest;
import org.badfl.data.Trigger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code badfl datasets}: lists the available dataset sources with sizes, image shape and class counts;
 * {@code datasets partition} prints/saves a client partition summary; {@code datasets trigger} draws a trigger.
 * See docs/DATA.md.
 */
@Command(name = "datasets", mixinStandardHelpOptions = true,
    description = {"List available datasets: sizes, image shape, class counts (docs/DATA.md).",
        "Built in: mnist-embedded (always), fashion-mnist (when /usr/share/datasets/fashion-mnist exists), "
            + "synthetic[:...] (generated). Add folders with --path."},
    subcommands = {DatasetsCommand.PartitionCommand.class, DatasetsCommand.TriggerCommand.class})
public final class DatasetsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--path", paramLabel = "SPEC",
        description = "Also inspect this IDX or CIFAR-10 folder (idx:<folder>, cifar10:<folder> or a bare path; "
            + "repeatable).")
    List<String> paths = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> specs = new ArrayList<>(DatasetSource.knownNames());
        specs.addAll(paths);
        int failures = 0;
        for (String s : specs) {
            try {
                describe(out, DatasetSource.load(s));
            } catch (IllegalArgumentException e) {
                // the message names the source or file already
                err.println("badfl datasets: " + e.getMessage());
                failures++;
            }
        }
        if (!DatasetSource.fashionMnistInstalled()) {
            out.println("fashion-mnist: not installed (" + DatasetSource.FASHION_MNIST_DIR
                + "; Debian package dataset-fashion-mnist)");
        }
        out.println("synthetic[:n=2000,test=500,classes=10,channels=1,size=28,seed=1]: generated on demand");
        out.flush();
        return failures == 0 ? 0 : 2;
    }

    static void describe(PrintWriter out, TrainTest tt) {
        Dataset tr = tt.train();
        Dataset te = tt.test();
        out.printf(Locale.ROOT, "%s: %s%n", tt.spec(), tt.description());
        out.printf(Locale.ROOT, "  train %d, test %d, shape %s, %d classes, normalisation (train) %s%n", tr.size(),
            te.size(), tr.shapeString(), tr.numClasses(), tr.normalization());
        out.printf(Locale.ROOT, "  train per class: %s%n", histogram(tr, tr.classHistogram()));
        out.printf(Locale.ROOT, "  test  per class: %s%n", histogram(te, te.classHistogram()));
    }

    private static String histogram(Dataset d, int[] h) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < h.length; k++) {
            if (k > 0) {
                sb.append(' ');
            }
            sb.append(d.className(k).replace(' ', '_')).append(':').append(h[k]);
        }
        return sb.toString();
    }

    /** {@code badfl datasets partition}: partitions a training set among clients and prints/saves the summary. */
    @Command(name = "partition", mixinStandardHelpOptions = true,
        description = "Partition a training set among clients (IID or Dirichlet non-IID) and print the samples and "
            + "class histogram per client; --out saves it as .csv or .json.")
    static final class PartitionCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--dataset", defaultValue = DatasetSource.DEFAULT, paramLabel = "SPEC",
            description = "Dataset source (default: ${DEFAULT-VALUE}).")
        String dataset;

        @Option(names = "--clients", required = true, description = "Number of clients.")
        int clients;

        @Option(names = "--iid", description = "IID partition (equal shares after a seeded shuffle).")
        boolean iid;

        @Option(names = "--alpha", defaultValue = "0.5",
            description = "Dirichlet concentration for the non-IID partition (default: ${DEFAULT-VALUE}).")
        double alpha;

        @Option(names = "--min-samples", defaultValue = "10",
            description = "Minimum samples per client (default: ${DEFAULT-VALUE}).")
        int minSamples;

        @Option(names = "--rounding", defaultValue = "largest-remainder",
            description = "Dirichlet rounding: largest-remainder (all samples assigned) or nearest (reference "
                + "round()) (default: ${DEFAULT-VALUE}).")
        String rounding;

        @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", paramLabel = "FILE", description = "Save the summary to FILE (.csv or .json).")
        Path outFile;

        @Option(names = "--quiet", description = "Print only the summary line, not one row per client.")
        boolean quiet;

        @Override
        public Integer call() throws IOException {
            DirichletPartitioner.Rounding r = switch (rounding.toLowerCase(Locale.ROOT)) {
                case "largest-remainder" -> DirichletPartitioner.Rounding.LARGEST_REMAINDER;
                case "nearest" -> DirichletPartitioner.Rounding.NEAREST;
                default -> throw new IllegalArgumentException("--rounding: expected largest-remainder or nearest, "
                    + "found " + rounding);
            };
            if (outFile != null) {
                String name = outFile.getFileName().toString().toLowerCase(Locale.ROOT);
                if (!name.endsWith(".csv") && !name.endsWith(".json")) {
                    throw new IllegalArgumentException("--out " + outFile + ": expected a .csv or .json file name");
                }
            }
            Partitioner p = iid ? new IidPartitioner(clients, minSamples)
                : new DirichletPartitioner(clients, alpha, minSamples, r, DirichletPartitioner.DEFAULT_MAX_DRAWS);
            Dataset train = DatasetSource.load(dataset).train();
            Partition partition = p.partition(train, seed);
            PartitionSummary summary = partition.summary(train);
            PrintWriter out = spec.commandLine().getOut();
            String table = summary.toTable();
            out.print(quiet ? table.lines().findFirst().orElse("") + System.lineSeparator() : table);
            if (outFile != null) {
                summary.save(outFile);
                out.println("saved " + outFile);
            }
            out.flush();
            return 0;
        }
    }

    /** {@code badfl datasets trigger}: draws a trigger preset as text. */
    @Command(name = "trigger", mixinStandardHelpOptions = true,
        description = "Draw a trigger preset as text ('#' set to >= 0.5, 'o' set to < 0.5, '.' untouched).")
    static final class TriggerCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "PRESET",
            description = "backdoors101, square[:size=,row=,col=,value=], dba:0..dba:3, dba:global.")
        String preset;

        @Option(names = "--shape", defaultValue = "1x28x28", paramLabel = "CxHxW",
            description = "Image shape (default: ${DEFAULT-VALUE}).")
        String shape;

        @Override
        public Integer call() {
            String[] parts = shape.toLowerCase(Locale.ROOT).split("x");
            int[] dims = new int[3];
            try {
                if (parts.length != 3) {
                    throw new NumberFormatException();
                }
                for (int i = 0; i < 3; i++) {
                    dims[i] = Integer.parseInt(parts[i].trim());
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--shape: expected CxHxW such as 1x28x28, found " + shape);
            }
            Trigger t = Trigger.preset(preset, dims[0], dims[1], dims[2]);
            PrintWriter out = spec.commandLine().getOut();
            out.println(t);
            out.print(t.toAscii(0));
            out.flush();
            return 0;
        }
    }
}
