package org.badfl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code ./badfl gpu info|selftest} through the real command line. */
class GpuCommandTest {

    private record Run(int exit, String out) {
    }

    private static Run run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.execute(args);
            return new Run(exit, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void selftestOnTheEmulationPrintsTheCount() {
        Run r = run("gpu", "selftest", "--device", "emu", "--filter", "n=7 d=33 block=128");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("5 passed, 0 failed"), r.out()); // median, trimmed, signs, two weighted sums
    }

    @Test
    void infoReportsEveryComponent() {
        Run r = run("gpu", "info");
        assertEquals(0, r.exit(), r.out());
        for (String line : new String[] {"GPU: ", "CUDA driver: ", "fatbin: ", "JCublas: ", "CPU emulation: loadable"}) {
            assertTrue(r.out().contains(line), "missing '" + line + "' in\n" + r.out());
        }
    }

    @Test
    void quickBenchmarkRunsOnTheEmulationAndWritesCsv(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path csv = dir.resolve("bench.csv");
        Run r = run("gpu", "bench", "--device", "emu", "--quick", "--csv", csv.toString());
        assertEquals(0, r.exit(), r.out());
        for (String line : new String[] {"cnn-small", "resnet-tiny", "fp32", "device-to-device copy", "coordinate median",
            "Gram matrix", "% of copy"}) {
            assertTrue(r.out().contains(line), "missing '" + line + "' in\n" + r.out());
        }
        // TF32 cannot run on the emulation: reported, not faked
        assertTrue(r.out().contains("not run: TF32 GEMM runs only on a GPU"), r.out());
        String text = java.nio.file.Files.readString(csv);
        assertTrue(text.startsWith("section,name,detail,value,unit,ms,note"), text);
        assertEquals(4 + 7 + 1, text.split("\n").length, text); // header, 4 training rows, copy + 6 kernels
    }

    @Test
    void badBenchmarkModelIsAUsageError() {
        assertEquals(2, Main.execute("gpu", "bench", "--device", "emu", "--models", "resnet18"));
    }

    @Test
    void badDeviceIsAUsageError() {
        assertEquals(2, Main.execute("gpu", "selftest", "--device", "tpu"));
    }
}
