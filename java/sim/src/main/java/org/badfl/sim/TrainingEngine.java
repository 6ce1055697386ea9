package org.badfl.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.badfl.clients.ClientTrainer;
import org.badfl.engine.Compute;

/**
 * Where a run's clients train when not in this JVM (e.g. {@code spark}: a cluster's executors). Engines are found
 * through {@link ServiceLoader} by {@link #name()}, so the simulator and the command line never link an engine's
 * classes: an engine's module only needs to be on the classpath. The local engine (this JVM's CPU or device) is
 * not one of them: it is what a {@link Simulation} uses without an engine.
 * <p>An engine trains the same clients with the same seeds as the local CPU trainer, so a run's results do not
 * depend on the engine.
 */
public interface TrainingEngine {

    /** The name of the local engine (no {@code TrainingEngine}: this JVM trains). */
    String LOCAL = "local";

    /** The engine's name, as in {@code --engine NAME}. */
    String name();

    /**
     * Connects to the engine's workers at {@code master} (its own URL syntax).
     *
     * @throws IllegalArgumentException when {@code master} is malformed or unreachable
     */
    Session connect(String master);

    /** A connection to an engine's workers, open for one or more runs. */
    interface Session extends AutoCloseable {

        /**
         * Checks that the workers can build {@code scenario} from its config (data and model); call it before a
         * run writes anything.
         *
         * @throws IllegalArgumentException naming what a worker is missing
         */
        void prepare(Scenario scenario);

        /** A trainer of {@code scenario}'s clients; {@code compute} is the driver's (not closed by the trainer). */
        ClientTrainer trainer(Scenario scenario, Compute compute);

        /** Where clients train, for logs and provenance (e.g. "spark local[2]"). */
        String description();

        /** Disconnects from the workers. */
        @Override
        void close();
    }

    /**
     * The engine named {@code name} on the classpath.
     *
     * @throws IllegalArgumentException when no engine of that name is on the classpath (listing those that are)
     */
    static TrainingEngine named(String name) {
        List<String> found = new ArrayList<>();
        for (TrainingEngine e : ServiceLoader.load(TrainingEngine.class)) {
            if (e.name().equals(name)) {
                return e;
            }
            found.add(e.name());
        }
        throw new IllegalArgumentException("engine '" + name + "': not on the classpath (engines found: "
            + (found.isEmpty() ? "none" : String.join(", ", found)) + "; the launcher ./badfl adds the spark "
            + "engine when it sees --engine spark)");
    }
}
