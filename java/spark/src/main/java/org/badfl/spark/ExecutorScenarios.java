package org.badfl.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.badfl.clients.CpuClientTrainer;
import org.badfl.engine.Compute;
import org.badfl.sim.ConfigLoader;
import org.badfl.sim.Scenario;

/**
 * The scenarios an executor JVM has built, once each, keyed by fingerprint: the data, partition and attacks are
 * rebuilt from the run's config (every derivation is seeded, so they equal the driver's), which is why the
 * dataset must be readable at the same path on every worker (the embedded MNIST always is).
 */
final class ExecutorScenarios {

    /** A scenario and the local CPU trainer of its clients (one client per Spark task thread). */
    record Prepared(Scenario scenario, CpuClientTrainer trainer) {
    }

    /** Marks messages of failures on an executor, so the driver can cut them out of Spark's job failure. */
    static final String FAILURE_PREFIX = "badfl executor: ";

    private static final Map<String, Prepared> PREPARED = new ConcurrentHashMap<>();

    private ExecutorScenarios() {
    }

    /**
     * The scenario of {@code configJson} (built on first use in this JVM).
     *
     * @throws IllegalArgumentException naming the host and what is missing when the scenario cannot be built here
     */
    static Prepared get(String configJson, String fingerprint) {
        Prepared p = PREPARED.get(fingerprint);
        if (p != null) {
            return p;
        }
        synchronized (PREPARED) {
            return PREPARED.computeIfAbsent(fingerprint, f -> prepare(configJson, f));
        }
    }

    private static Prepared prepare(String configJson, String fingerprint) {
        Scenario scenario;
        try {
            scenario = Scenario.prepare(ConfigLoader.parse(configJson, "the run's config"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(FAILURE_PREFIX + "on host " + host() + ", the scenario cannot be built: "
                + e.getMessage() + " (every worker must see the dataset '"
                + ConfigLoader.parse(configJson, "the run's config").dataset + "' at the same path)", e);
        }
        if (!scenario.fingerprint().equals(fingerprint)) {
            throw new IllegalStateException(FAILURE_PREFIX + "on host " + host() + ", the scenario built from the "
                + "config has fingerprint " + scenario.fingerprint() + ", the driver's is " + fingerprint
                + " (different badfl versions on driver and executors?)");
        }
        // Spark runs several tasks per executor in parallel: each client trains single-threaded, as it does locally.
        CpuClientTrainer trainer = new CpuClientTrainer(scenario.training(), scenario.train(), scenario.modelSpec(),
            Compute.create(1));
        return new Prepared(scenario, trainer);
    }

    static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "(unknown host)";
        }
    }
}
