package org.badfl.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceInfo;
import org.badfl.gpu.check.DeviceSelfTest;
import org.badfl.gpu.check.GpuBenchmark;
import org.badfl.gpu.Devices;
import org.badfl.gpu.EmulatedDevice;
import org.badfl.gpu.GpuProbe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./badfl gpu info|selftest|bench}: what the GPU backend finds on this machine, its kernels checked against the
 * Java reference, and its throughput (training images/s, aggregation GB/s).
 */
@Command(name = "gpu", mixinStandardHelpOptions = true,
    description = "GPU backend: probe report (info), kernel self-test against the Java reference (selftest), "
        + "benchmarks (bench).",
    subcommands = {GpuCommand.Info.class, GpuCommand.SelfTest.class, GpuCommand.Bench.class})
public final class GpuCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Probe report: driver, devices, fatbin, JCublas, CPU emulation. */
    @Command(name = "info", mixinStandardHelpOptions = true,
        description = "Report the GPU (name, compute capability, memory, driver), the fatbin, JCublas and the CPU emulation.")
    static final class Info implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            GpuProbe p = Devices.probe();
            out.print(p.report());
            if (p.emulatorLoadable()) {
                try (EmulatedDevice emu = new EmulatedDevice()) {
                    DeviceInfo i = emu.info();
                    out.println("CPU emulation: " + emu.kernels().size() + " kernels, " + i.multiprocessors()
                        + " worker threads, " + i.maxSharedBytesPerBlock() / 1024 + " KiB shared memory per block");
                }
            }
            out.flush();
            return 0;
        }
    }

    /** Every kernel against its Java reference; prints "N passed, N failed", exit 1 on any failure. */
    @Command(name = "selftest", mixinStandardHelpOptions = true,
        description = "Run every kernel check (execution model, aggregation kernels vs the Java reference) on a device; "
            + "prints 'N passed, N failed' and exits 1 if any failed.")
    static final class SelfTest implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--device", defaultValue = "auto",
            description = "gpu, emu (the kernels on the CPU) or auto (gpu when usable, else emu). Default: ${DEFAULT-VALUE}.")
        String device;

        @Option(names = "--filter", description = "Only the checks whose name contains this text.")
        String filter;

        @Option(names = "--seed", defaultValue = "" + DeviceSelfTest.DEFAULT_SEED, description = "Seed of the random inputs.")
        long seed;

        @Option(names = {"-v", "--verbose"}, description = "Print every check, not only failures.")
        boolean verbose;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if ("auto".equalsIgnoreCase(device.trim())) {
                GpuProbe p = Devices.probe();
                if (!p.available()) {
                    out.println("no usable GPU (" + p.reason() + "): running on the CPU emulation");
                }
            }
            DeviceSelfTest.Result r;
            try (Device d = Devices.open(device, true)) {
                out.println("device: " + d.name());
                out.flush();
                r = DeviceSelfTest.run(d, seed, filter, verbose, out);
            }
            return r.failed() == 0 ? 0 : 1;
        }
    }

    /** Training images/s and aggregation GB/s on a device. */
    @Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the GPU backend: training images/s (cnn-paper batch 64, resnet18 batch 128; fp32 and TF32) "
            + "and the aggregation kernels at n = 100, d = 11,173,962 in GB/s against the device-to-device copy bandwidth.")
    static final class Bench implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--device", defaultValue = "auto",
            description = "gpu, emu (only sensible with --quick) or auto. Default: ${DEFAULT-VALUE}.")
        String device;

        @Option(names = "--quick", description = "Tiny sizes (cnn-small and resnet-tiny batch 2, n=5 d=4099, one step): "
            + "a smoke test that finishes in seconds on the CPU emulation.")
        boolean quick;

        @Option(names = "--models", split = ",", paramLabel = "NAME:BATCH",
            description = "Training cases (default cnn-paper:64,resnet18:128); 'none' skips training.")
        java.util.List<String> models;

        @Option(names = "--n", description = "Rows of the aggregation matrix (default 100; 0 skips aggregation).")
        Integer n;

        @Option(names = "--d", description = "Coordinates per row (default 11173962, ResNet-18's parameter count).")
        Integer d;

        @Option(names = "--steps", description = "Timed training steps per case (default 20).")
        Integer steps;

        @Option(names = "--warmup", description = "Untimed training steps first (default 3).")
        Integer warmup;

        @Option(names = "--repeats", description = "Timed runs per aggregation kernel, median reported (default 5).")
        Integer repeats;

        @Option(names = "--csv", paramLabel = "FILE", description = "Also write the results as CSV.")
        java.nio.file.Path csv;

        @Override
        public Integer call() throws java.io.IOException {
            PrintWriter out = spec.commandLine().getOut();
            GpuBenchmark.Options base = quick ? GpuBenchmark.Options.quick() : GpuBenchmark.Options.standard();
            java.util.List<GpuBenchmark.TrainingCase> cases = base.models();
            if (models != null) {
                cases = models.size() == 1 && "none".equalsIgnoreCase(models.get(0).trim()) ? java.util.List.of()
                    : models.stream().map(GpuBenchmark.TrainingCase::parse).toList();
            }
            GpuBenchmark.Options o = new GpuBenchmark.Options(cases, n != null ? n : base.n(), d != null ? d : base.d(),
                steps != null ? steps : base.steps(), warmup != null ? warmup : base.warmup(),
                repeats != null ? repeats : base.repeats(), base.seed());
            if ("auto".equalsIgnoreCase(device.trim()) && !Devices.probe().available()) {
                out.println("no usable GPU (" + Devices.probe().reason() + "): running on the CPU emulation"
                    + (quick ? "" : "; its timings say nothing about a GPU (use --quick for a smoke test)"));
            }
            java.util.List<GpuBenchmark.Row> rows;
            try (Device dev = Devices.open(device)) {
                rows = GpuBenchmark.run(dev, o, out);
            }
            if (csv != null) {
                java.nio.file.Files.writeString(csv, GpuBenchmark.csv(rows));
                out.println("results written to " + csv);
            }
            boolean failed = rows.stream().anyMatch(r -> r.note().startsWith("FAILED") || r.note().contains("NOT FINITE"));
            out.flush();
            return failed ? 1 : 0;
        }
    }
}
