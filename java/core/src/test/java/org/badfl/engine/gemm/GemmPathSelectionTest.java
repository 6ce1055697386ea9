package org.badfl.engine.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Path selection at class initialisation, in fresh JVMs (about a second each): without the
 * {@code jdk.incubator.vector} module the scalar path runs and never loads a Vector API class; the system
 * property forces either path.
 */
class GemmPathSelectionTest {

    private record Result(int exitCode, String output) {
    }

    /** Runs {@link ScalarOnlyCheck} expecting default path {@code expected}. */
    private static Result runJvm(String expected, String... jvmArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmArgs));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ScalarOnlyCheck.class.getName());
        command.add(expected);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        return new Result(process.exitValue(), output);
    }

    @Test
    void withoutVectorModuleTheScalarPathRunsAndVectorIsRefused() throws Exception {
        Result r = runJvm("SCALAR", "-verbose:class");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("vector refused: GEMM path VECTOR needs module jdk.incubator.vector"),
                r.output());
        assertFalse(r.output().contains("org.badfl.engine.gemm.VectorGemm "), "VectorGemm was loaded");
        assertFalse(r.output().contains("jdk.incubator.vector.FloatVector "), "FloatVector was loaded");
    }

    @Test
    void propertyForcesScalarEvenWithTheModule() throws Exception {
        Result r = runJvm("SCALAR", "--add-modules", "jdk.incubator.vector", "-Dbadfl.gemm=scalar", "-verbose:class");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("OK"), r.output());
        assertFalse(r.output().contains("org.badfl.engine.gemm.VectorGemm "), "VectorGemm was loaded");
    }

    @Test
    void moduleGivesVectorByDefault() throws Exception {
        Result r = runJvm("VECTOR", "--add-modules", "jdk.incubator.vector", "-verbose:class");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("OK"), r.output());
        assertTrue(r.output().contains("org.badfl.engine.gemm.VectorGemm "), "the check above would see a load");
    }

    @Test
    void forcingVectorWithoutTheModuleFailsLoudly() throws Exception {
        Result r = runJvm("VECTOR", "-Dbadfl.gemm=vector");
        assertTrue(r.exitCode() != 0, r.output());
        assertTrue(r.output().contains("-Dbadfl.gemm=vector but module jdk.incubator.vector is not in the boot layer"),
                r.output());
    }
}
