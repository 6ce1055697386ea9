package org.badfl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training step reuses its workspaces: after warm-up, all threads together allocate less than
 * {@code 32 KiB + 4 KiB per image} per step. What remains are small objects (lambdas, GEMM task grids, pass
 * descriptors, task futures: about 2-4 KiB per image, as convolutions run per image), while one activation
 * buffer of these models takes 10-40 KiB per image, so a workspace allocated per step would break the bound.
 * Checked in fresh JVMs on the plain-Java path ({@link AllocationCheck} says why), one without the vector module
 * at all, which also shows that the scalar path never loads {@code VectorLoops}.
 */
class TrainingAllocationTest {

    private static long bound(int batch) {
        return 32 * 1024 + 4 * 1024 * (long) batch;
    }

    private static String runJvm(String... jvmArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmArgs));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(AllocationCheck.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    private static void assertBounded(String output) {
        int cases = 0;
        for (String line : output.split("\\R")) {
            String[] f = line.trim().split(" ");
            if (f.length == 4 && f[3].matches("\\d+")) {
                cases++;
                int batch = Integer.parseInt(f[1]);
                long bytes = Long.parseLong(f[3]);
                assertTrue(bytes < bound(batch), f[0] + " at batch " + batch + " on " + f[2] + " threads allocated "
                    + bytes + " bytes per step, bound " + bound(batch));
            }
        }
        assertEquals(8, cases, output);
    }

    @Test
    void withoutTheVectorModule(@TempDir Path dir) throws Exception {
        Path classLog = dir.resolve("classes.log");
        String output = runJvm("-Xlog:class+load=info:file=" + classLog);
        assertBounded(output);
        assertTrue(output.contains("loaded-vector-loops=false"), output);
        String loaded = Files.readString(classLog);
        assertTrue(loaded.contains("org.badfl.engine.Loops "), "the log should list the engine's classes");
        assertFalse(loaded.contains("org.badfl.engine.VectorLoops "), "VectorLoops was loaded");
        assertFalse(loaded.contains("jdk.incubator.vector.FloatVector "), "FloatVector was loaded");
    }

    @Test
    void withTheModuleForcedScalar() throws Exception {
        String output = runJvm("--add-modules", "jdk.incubator.vector", "-Dbadfl.gemm=scalar");
        assertBounded(output);
        assertTrue(output.contains("loaded-vector-loops=false"), output);
    }
}
