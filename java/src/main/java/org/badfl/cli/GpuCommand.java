package org.badfl.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceInfo;
import org.badfl.gpu.DeviceSelfTest;
import org.badfl.gpu.Devices;
import org.badfl.gpu.EmulatedDevice;
import org.badfl.gpu.GpuProbe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./badfl gpu info|selftest}: what the GPU backend finds on this machine, and its kernels checked against Java. */
@Command(name = "gpu", mixinStandardHelpOptions = true,
    description = "GPU backend: probe report (info) and kernel self-test against the Java reference (selftest).",
    subcommands = {GpuCommand.Info.class, GpuCommand.SelfTest.class})
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
}
