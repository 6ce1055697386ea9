package org.badfl.gpu.check;

import org.badfl.gpu.Device;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The GPU backend's self-test: {@link DeviceChecks} (execution model, memory), {@link AggregationChecks} (every
 * aggregation kernel against its Java reference) and {@link org.badfl.gpu.check.TrainingChecks} (every training kernel
 * against its engine layer, whole models against {@link org.badfl.engine.Network}) run on one device. The JUnit
 * suite runs the same checks; {@code ./badfl gpu selftest} runs them where there is no Maven (the GPU machine).
 * Checks marked {@linkplain DeviceCheck#gpuOnly() GPU-only} (tensor cores) are skipped on the CPU emulation and
 * counted as skipped.
 */
public final class DeviceSelfTest {

    /** Seed of the checks' random inputs (fixed: a failure reproduces). */
    public static final long DEFAULT_SEED = 20240607L;

    /** Outcome of a run. */
    public record Result(int passed, int failed, int skipped, List<String> failures) {
        /** "N passed, N failed" (+ ", N skipped (GPU only)" when checks were skipped). */
        public String summary() {
            return passed + " passed, " + failed + " failed" + (skipped > 0 ? ", " + skipped + " skipped (GPU only)" : "");
        }
    }

    private DeviceSelfTest() {
    }

    /** Every check, in a fixed order. */
    public static List<DeviceCheck> checks(long seed) {
        List<DeviceCheck> all = new ArrayList<>(DeviceChecks.all(seed));
        all.addAll(AggregationChecks.all(seed));
        all.addAll(org.badfl.gpu.check.TrainingChecks.all(seed));
        return all;
    }

    /**
     * Runs every check whose name contains {@code filter} (null: all) on {@code device}; prints each failure (and,
     * if verbose, each pass) and the summary line {@code N passed, N failed} to {@code out}.
     */
    public static Result run(Device device, long seed, String filter, boolean verbose, PrintWriter out) {
        int passed = 0;
        int skipped = 0;
        List<String> failures = new ArrayList<>();
        long t0 = System.nanoTime();
        for (DeviceCheck c : checks(seed)) {
            if (filter != null && !c.name().contains(filter)) {
                continue;
            }
            if (!c.runsOn(device)) {
                skipped++;
                if (verbose) {
                    out.println("SKIP " + c.name() + " (GPU only: the CPU emulation cannot run tensor-core instructions)");
                }
                continue;
            }
            long start = System.nanoTime();
            try {
                c.run(device);
                passed++;
                if (verbose) {
                    out.printf(Locale.ROOT, "PASS %s (%.1f ms)%n", c.name(), (System.nanoTime() - start) / 1e6);
                    out.flush();
                }
            } catch (AssertionError | RuntimeException e) {
                String msg = c.name() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
                failures.add(msg);
                out.println("FAIL " + msg);
                out.flush();
            }
        }
        Result r = new Result(passed, failures.size(), skipped, List.copyOf(failures));
        out.printf(Locale.ROOT, "%s on %s (%.1f s)%n", r.summary(), device.name(), (System.nanoTime() - t0) / 1e9);
        out.flush();
        return r;
    }
}
