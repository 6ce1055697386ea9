package org.badfl.experiment;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * What produced a result, so that a table cell can be traced back: badfl's version, the source commit and whether
 * the working tree was modified, the JDK, the CPU model, threads and training device, the start time and (once
 * finished) the wall time. Facts that cannot be determined are recorded as {@code "unknown"}, never guessed.
 */
public final class Provenance {

    private Provenance() {
    }

    /**
     * Collects the provenance of a run starting now.
     *
     * @param version badfl's version (the command line's)
     * @param threads threads the run uses (0 = all cores, recorded as their number)
     * @param device  where clients train, in words
     */
    public static ObjectNode collect(String version, int threads, String device) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("badfl_version", version);
        String commit = git("rev-parse", "HEAD");
        o.put("source_commit", commit == null ? "unknown" : commit);
        String status = commit == null ? null : git("status", "--porcelain", "--untracked-files=no");
        if (status == null) {
            o.put("source_modified", "unknown");
        } else {
            o.put("source_modified", !status.isEmpty());
        }
        o.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        o.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
            + System.getProperty("os.arch"));
        o.put("cpu_model", cpuModel());
        o.put("cores", Runtime.getRuntime().availableProcessors());
        o.put("threads", threads > 0 ? threads : org.badfl.engine.Compute.availableCores());
        o.put("device", device);
        o.put("start", Instant.now().toString());
        return o;
    }

    /** Adds the wall time since {@code startNanos} (from {@link System#nanoTime()}). */
    public static ObjectNode finish(ObjectNode provenance, long startNanos) {
        provenance.put("wall_seconds", Math.round((System.nanoTime() - startNanos) / 1e6) / 1e3);
        return provenance;
    }

    /** The first "model name" of /proc/cpuinfo, else the JVM's architecture with "unknown model". */
    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return "unknown (" + System.getProperty("os.arch") + ")";
    }

    /** Output of {@code git ARGS} in the working directory (trimmed), or null when git is missing or fails. */
    private static String git(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "git";
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8).trim() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
