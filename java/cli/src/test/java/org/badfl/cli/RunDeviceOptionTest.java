package org.badfl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.badfl.gpu.Devices;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./badfl run --device}: where clients train is printed, a bad value is a usage error, emu runs end to end. */
class RunDeviceOptionTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String device, String name) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute("run", "--dataset", "synthetic:n=160,test=40,classes=3,size=16", "--clients", "4", "--rounds", "1",
            "--epochs", "1", "--batch-size", "8", "--attack", "none", "--defense", "fedavg", "--out", dir.toString(),
            "--name", name, "--progress", "none", "--root-set", "8", "--inspection-set", "4", "--min-samples", "5",
            "--device", device);
    }

    @Test
    void theEmulatedDeviceTrainsTheClientsAndSaysSo() throws Exception {
        assertEquals(0, run("emu", "emu"), err.toString());
        assertTrue(out.toString().contains("training on CPU emulation") && out.toString().contains("slow"), out.toString());
        assertTrue(Files.exists(dir.resolve("emu").resolve("summary.json")));
    }

    @Test
    void autoFallsBackToTheCpuWithTheReasonWhenThereIsNoGpu() {
        assertEquals(0, run("auto", "auto"), err.toString());
        if (!Devices.probe().available()) {
            assertTrue(out.toString().contains("no usable GPU (" + Devices.probe().reason() + "): training on the CPU"),
                out.toString());
        } else {
            // with a GPU, auto trains there (and says so) rather than falling back
            assertTrue(out.toString().contains("the defenses aggregate there too"), out.toString());
            assertTrue(!out.toString().contains("no usable GPU"), out.toString());
        }
    }

    @Test
    void anUnknownDeviceIsAUsageErrorAndWritesNothing() throws Exception {
        assertEquals(2, run("tpu", "tpu"));
        assertTrue(err.toString().contains("expected gpu, emu, cpu or auto, found 'tpu'"), err.toString());
        assertTrue(!Files.exists(dir.resolve("tpu")), "no run folder for a rejected command line");
    }
}
