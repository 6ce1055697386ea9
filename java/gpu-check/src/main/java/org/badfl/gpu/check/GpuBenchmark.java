package org.badfl.gpu.check;

import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.DeviceInfo;
import org.badfl.gpu.DeviceRows;
import org.badfl.gpu.GpuAggregation;
import org.badfl.gpu.Device;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Models;
import org.badfl.gpu.nn.DeviceSgd;
import org.badfl.gpu.nn.GpuNetwork;
import org.badfl.util.Seeds;

/**
 * The Java side of the GPU check ({@code ./badfl gpu bench}, {@code benchmarks/gpu/gpu_check.sh}): training
 * throughput of whole models on the device and bandwidth of the aggregation kernels.
 * <ul>
 * <li>Training: images/s of {@link GpuNetwork#trainStepQueued} (train-mode forward, softmax cross-entropy,
 *     backward, SGD with momentum 0.9 and weight decay 5e-4) on device-resident random batches, fp32 and TF32,
 *     after warm-up steps; timed from the first queued step to the device finishing the last (one wait at the end,
 *     as a PyTorch loop that reads the loss once).</li>
 * <li>Aggregation: the kernels of {@link GpuAggregation} on an n x d matrix of Gaussian values generated on the
 *     device, in GB/s = (bytes the kernel must read + bytes it writes) / time, next to the device-to-device copy
 *     bandwidth measured the same way (2 x bytes copied / time). The median of {@code repeats} timed runs after one
 *     warm-up run; each run ends with a device synchronize.</li>
 * </ul>
 * Timings are wall-clock on the host around launches and the synchronize. On the CPU emulation the numbers only
 * prove the command runs ({@code --quick}).
 */
public final class GpuBenchmark {

    /** One model to train: registry name (default input shape, 10 classes) and batch size. */
    public record TrainingCase(String model, int batch) {
        public TrainingCase {
            Objects.requireNonNull(model, "model");
            if (batch < 1) {
                throw new IllegalArgumentException("benchmark batch: expected >= 1, found " + batch + " for " + model);
            }
        }

        /** Parses "name:batch", e.g. "resnet18:128". */
        public static TrainingCase parse(String text) {
            String[] p = text.trim().split(":");
            if (p.length != 2) {
                throw new IllegalArgumentException("benchmark model: expected name:batch (e.g. resnet18:128), found '" + text + "'");
            }
            try {
                return new TrainingCase(p[0].trim(), Integer.parseInt(p[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("benchmark model: batch of '" + text + "' is not an integer");
            }
        }
    }

    /**
     * What to run.
     *
     * @param models      training cases (empty: no training benchmark)
     * @param n           rows of the aggregation matrix (0: no aggregation benchmark)
     * @param d           coordinates per row
     * @param steps       timed training steps per case
     * @param warmup      untimed steps first
     * @param repeats     timed runs per aggregation kernel (the median is reported)
     * @param seed        seed of the random weights, batches and rows
     */
    public record Options(List<TrainingCase> models, int n, int d, int steps, int warmup, int repeats, long seed) {
        public Options {
            models = List.copyOf(models);
            if (n < 0 || (n > 0 && d < 1) || steps < 1 || warmup < 0 || repeats < 1) {
                throw new IllegalArgumentException("benchmark options: expected n >= 0, d >= 1, steps >= 1, warmup >= 0,"
                    + " repeats >= 1; found n=" + n + " d=" + d + " steps=" + steps + " warmup=" + warmup + " repeats=" + repeats);
            }
        }

        /** The benchmark: cnn-paper batch 64, resnet18 batch 128; n = 100, d = 11,173,962 (ResNet-18). */
        public static Options standard() {
            return new Options(List.of(new TrainingCase("cnn-paper", 64), new TrainingCase("resnet18", 128)), 100,
                11_173_962, 20, 3, 5, 20240607L);
        }

        /** Tiny sizes that finish in seconds on the CPU emulation (a smoke test of the command). */
        public static Options quick() {
            return new Options(List.of(new TrainingCase("cnn-small", 2), new TrainingCase("resnet-tiny", 2)), 5, 4099, 1, 1,
                1, 20240607L);
        }
    }

    /**
     * One result line.
     *
     * @param section "training" or "aggregation"
     * @param name    model or kernel
     * @param detail  batch and precision, or the problem size
     * @param value   images/s or GB/s (NaN when not run)
     * @param unit    "images/s" or "GB/s"
     * @param millis  time per step or per kernel run (ms)
     * @param note    e.g. "62% of copy", or why it did not run
     */
    public record Row(String section, String name, String detail, double value, String unit, double millis, String note) {
        String csv() {
            return String.join(",", section, name, detail.replace(',', ';'), Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.4g", value),
                unit, Double.isNaN(millis) ? "" : String.format(Locale.ROOT, "%.4g", millis), note.replace(',', ';'));
        }
    }

    private GpuBenchmark() {
    }

    /** Runs the benchmarks on {@code device}, printing each row as it completes; returns all rows. */
    public static List<Row> run(Device device, Options o, PrintWriter out) {
        List<Row> rows = new ArrayList<>();
        DeviceInfo info = device.info();
        out.println("device: " + device.name() + (info.emulated() ? " (timings say nothing about a GPU)"
            : String.format(Locale.ROOT, " (compute capability %s, %.1f GiB, %d SMs, driver %s)", info.computeCapability(),
                info.totalMemoryBytes() / (double) (1L << 30), info.multiprocessors(), info.driverVersionString())));
        if (!o.models().isEmpty()) {
            out.println("training: images/s, device-resident random batches, SGD momentum 0.9, weight decay 5e-4, "
                + o.warmup() + " warm-up + " + o.steps() + " timed steps");
            out.printf(Locale.ROOT, "  %-12s %6s %-9s %10s %12s  %s%n", "model", "batch", "precision", "ms/step", "images/s", "note");
            out.flush();
            for (TrainingCase c : o.models()) {
                for (boolean tf32 : new boolean[] {false, true}) {
                    Row r = training(device, c, tf32, o);
                    rows.add(r);
                    out.printf(Locale.ROOT, "  %-12s %6d %-9s %10s %12s  %s%n", c.model(), c.batch(), tf32 ? "tf32" : "fp32",
                        fmt(r.millis(), "%.2f"), fmt(r.value(), "%.0f"), r.note());
                    out.flush();
                }
            }
        }
        if (o.n() > 0) {
            rows.addAll(aggregation(device, o, out));
        }
        return rows;
    }

    /** CSV lines (header first) of the rows. */
    public static String csv(List<Row> rows) {
        StringBuilder s = new StringBuilder("section,name,detail,value,unit,ms,note\n");
        for (Row r : rows) {
            s.append(r.csv()).append('\n');
        }
        return s.toString();
    }

    private static String fmt(double v, String f) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, f, v);
    }

    // ---- training ---------------------------------------------------------------------------------------------

    static Row training(Device device, TrainingCase c, boolean tf32, Options o) {
        String detail = "batch " + c.batch() + " " + (tf32 ? "tf32" : "fp32");
        ModelSpec spec = Models.spec(c.model(), Models.defaultInput(c.model()), 10);
        try (GpuNetwork net = new GpuNetwork(device, spec);
             DeviceSgd sgd = new DeviceSgd(0.01, 0.9, 5e-4)) {
            if (tf32) {
                try {
                    net.setTf32(true);
                } catch (IllegalStateException e) {
                    return new Row("training", c.model(), detail, Double.NaN, "images/s", Double.NaN, "not run: " + e.getMessage());
                }
            }
            net.setParams(spec.create(o.seed()).params());
            net.setDropoutStream(Seeds.derive(o.seed(), "bench-dropout"), 0);
            int batches = 4;
            int size = net.inputSize();
            SplittableRandom r = new SplittableRandom(Seeds.derive(o.seed(), "bench-batches", c.batch()));
            DeviceBuffer[] xs = new DeviceBuffer[batches];
            DeviceBuffer[] ys = new DeviceBuffer[batches];
            try {
                for (int b = 0; b < batches; b++) {
                    float[] x = new float[c.batch() * size];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) r.nextGaussian();
                    }
                    xs[b] = device.upload(x);
                    ys[b] = device.upload(r.ints(c.batch(), 0, 10).toArray());
                }
                for (int s = 0; s < o.warmup(); s++) {
                    net.trainStepQueued(xs[s % batches], ys[s % batches], c.batch(), sgd);
                }
                net.lastLoss(); // waits for the warm-up
                long t0 = System.nanoTime();
                for (int s = 0; s < o.steps(); s++) {
                    net.trainStepQueued(xs[s % batches], ys[s % batches], c.batch(), sgd);
                }
                double loss = net.lastLoss();
                double seconds = (System.nanoTime() - t0) / 1e9;
                String note = Double.isFinite(loss) ? String.format(Locale.ROOT, "last loss %.3f", loss) : "LOSS NOT FINITE: " + loss;
                return new Row("training", c.model(), detail, o.steps() * (double) c.batch() / seconds, "images/s",
                    seconds * 1e3 / o.steps(), note);
            } finally {
                for (int b = 0; b < batches; b++) {
                    if (xs[b] != null) {
                        xs[b].close();
                    }
                    if (ys[b] != null) {
                        ys[b].close();
                    }
                }
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            return new Row("training", c.model(), detail, Double.NaN, "images/s", Double.NaN,
                "FAILED: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    // ---- aggregation ------------------------------------------------------------------------------------------

    private interface Timed {
        void run();
    }

    static List<Row> aggregation(Device device, Options o, PrintWriter out) {
        int n = o.n();
        int d = o.d();
        String size = "n=" + n + " d=" + d;
        long matrixBytes = 4L * n * d;
        long copyFloats = Math.min((long) n * d, 1L << 28); // at most 1 GiB copied
        List<Row> rows = new ArrayList<>();
        out.println("aggregation: " + size + " (" + String.format(Locale.ROOT, "%.2f", matrixBytes / 1e9)
            + " GB of rows), GB/s = bytes read + written / time, median of " + o.repeats() + " runs");
        long total = device.info().totalMemoryBytes();
        long needed = matrixBytes + 4 * copyFloats * 2 + 16L * d + (64L << 20);
        if (total > 0 && needed > 0.9 * total) {
            String why = String.format(Locale.ROOT, "not run: needs %.1f GiB, the device has %.1f GiB", needed / (double) (1L << 30),
                total / (double) (1L << 30));
            out.println("  " + why);
            rows.add(new Row("aggregation", "all", size, Double.NaN, "GB/s", Double.NaN, why));
            return rows;
        }
        GpuAggregation agg = new GpuAggregation(device);
        try (DeviceBuffer matrix = device.allocFloats((long) n * d);
             DeviceBuffer copyDst = device.allocFloats(copyFloats);
             DeviceBuffer outF = device.allocFloats(d);
             DeviceBuffer outI = device.allocInts(d)) {
            device.memset32(matrix, 0);
            agg.addNoise(matrix, (long) n * d, 1.0, o.seed(), 1);
            device.memset32(outF, 0);
            DeviceRows x = DeviceRows.of(matrix, n, d);
            double[] weights = new double[n];
            Arrays.fill(weights, 1.0 / n);
            double copy = time(device, o.repeats(), () -> device.copy(matrix, copyDst, 4 * copyFloats));
            double copyGbs = 2.0 * 4 * copyFloats / copy / 1e9;
            rows.add(print(out, new Row("aggregation", "device-to-device copy (cuMemcpyDtoD)",
                String.format(Locale.ROOT, "%.2f GB copied", 4.0 * copyFloats / 1e9), copyGbs, "GB/s", copy * 1e3, "reference")));
            long readWriteFloat = matrixBytes + 4L * d;
            rows.add(kernel(device, out, o, "coordinate median", size, readWriteFloat, copyGbs, () -> agg.median(x, outF)));
            rows.add(kernel(device, out, o, "trimmed mean (trim n/10)", size, readWriteFloat, copyGbs,
                () -> agg.trimmedMean(x, n / 10, outF)));
            rows.add(kernel(device, out, o, "sign votes", size, readWriteFloat, copyGbs, () -> agg.absSignSum(x, outI)));
            rows.add(kernel(device, out, o, "weighted sum (FedAvg)", size, readWriteFloat + 4L * d, copyGbs,
                () -> agg.accumulate(x, weights, outF)));
            int[] all = {0, d};
            rows.add(kernel(device, out, o, "Gram matrix (all coordinates)", size, matrixBytes, copyGbs, () -> agg.gram(x, all)));
            rows.add(kernel(device, out, o, "Gaussian noise on d", "d=" + d, 8L * d, copyGbs,
                () -> agg.addNoise(outF, d, 0.01, o.seed(), 2)));
        } catch (RuntimeException | OutOfMemoryError e) {
            String why = "FAILED: " + e.getClass().getSimpleName() + ": " + e.getMessage();
            out.println("  " + why);
            rows.add(new Row("aggregation", "all", size, Double.NaN, "GB/s", Double.NaN, why));
        }
        out.flush();
        return rows;
    }

    private static Row kernel(Device device, PrintWriter out, Options o, String name, String size, long bytes, double copyGbs,
                              Timed body) {
        double t = time(device, o.repeats(), body);
        double gbs = bytes / t / 1e9;
        return print(out, new Row("aggregation", name, size, gbs, "GB/s", t * 1e3,
            String.format(Locale.ROOT, "%.0f%% of copy", 100 * gbs / copyGbs)));
    }

    private static Row print(PrintWriter out, Row r) {
        out.printf(Locale.ROOT, "  %-38s %10s GB/s %10s ms  %s%n", r.name(), fmt(r.value(), "%.1f"), fmt(r.millis(), "%.3f"), r.note());
        out.flush();
        return r;
    }

    /** Median seconds of {@code repeats} runs after one warm-up, each ended by a synchronize. */
    private static double time(Device device, int repeats, Timed body) {
        body.run();
        device.synchronize();
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            body.run();
            device.synchronize();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }
}
