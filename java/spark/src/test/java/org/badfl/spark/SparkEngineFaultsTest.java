package org.badfl.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.badfl.clients.ClientTrainer;
import org.badfl.data.DatasetSource;
import org.badfl.engine.Compute;
import org.badfl.sim.RunFolder;
import org.badfl.sim.Scenario;
import org.badfl.sim.ScenarioConfig;
import org.badfl.sim.Simulation;
import org.badfl.sim.TrainingEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark's task retries, resuming a Spark run, and an executor that cannot see the dataset. */
class SparkEngineFaultsTest {

    /** Tasks failed on purpose (executors run in this JVM with a local master). */
    static final AtomicInteger INJECTED = new AtomicInteger();

    /** Fails the first attempt of every task of slot 1: Spark must run it again. */
    static final class FailingFirstAttempt extends ClientTraining {
        private static final long serialVersionUID = 1L;

        FailingFirstAttempt(String configJson, String fingerprint, Broadcast<float[]> global) {
            super(configJson, fingerprint, global);
        }

        @Override
        protected void beforeTask(TrainingTask task) {
            if (task.slot() == 1 && TaskContext.get().attemptNumber() == 0) {
                INJECTED.incrementAndGet();
                throw new IllegalStateException("injected failure of the first attempt (test)");
            }
        }
    }

    /** A session whose trainer fails first attempts. */
    static final class FlakySession implements TrainingEngine.Session {
        private final SparkEngine.SparkSession session;

        FlakySession(SparkEngine.SparkSession session) {
            this.session = session;
        }

        @Override
        public void prepare(Scenario scenario) {
            session.prepare(scenario);
        }

        @Override
        public ClientTrainer trainer(Scenario scenario, Compute compute) {
            return new SparkClientTrainer(session.context(), scenario, description()) {
                @Override
                ClientTraining training(String configJson, String fingerprint, Broadcast<float[]> global) {
                    return new FailingFirstAttempt(configJson, fingerprint, global);
                }
            };
        }

        @Override
        public String description() {
            return "flaky " + session.description();
        }

        @Override
        public void close() {
            session.close();
        }
    }

    @TempDir
    Path dir;

    static Scenario scenario;
    static Simulation.Outcome local;

    @BeforeAll
    static void localReference() {
        scenario = Scenario.prepare(SparkRuns.small());
        local = Simulation.of(scenario).threads(2).build().run();
        assertTrue(local.complete());
    }

    /**
     * A Sybil adversary (the server sees fresh ids, so the executors must not derive data or attack from the id) and
     * an omniscient one (ALIE: its clients train honestly on the executors, the driver crafts their rows).
     */
    @Test
    void sybilAndOmniscientAdversariesGiveTheLocalResult() {
        ScenarioConfig c = SparkRuns.small();
        c.fraction = 0.6;
        c.primary.sybil = true;
        org.badfl.sim.AdversaryConfig alie = new org.badfl.sim.AdversaryConfig();
        alie.attack = "alie";
        alie.attackers = 1;
        c.moreAdversaries = new java.util.ArrayList<>(java.util.List.of(alie));
        Scenario s = Scenario.prepare(c);
        Simulation.Outcome reference = Simulation.of(s).threads(2).build().run();
        try (TrainingEngine.Session session = new SparkEngine().connect("local[2]")) {
            Simulation.Outcome spark = Simulation.of(s).threads(2).engine(session).build().run();
            assertEquals(SparkRuns.stable(reference.summary()), SparkRuns.stable(spark.summary()));
            assertEquals(reference.records().size(), spark.records().size());
            for (int i = 0; i < reference.records().size(); i++) {
                assertTrue(reference.records().get(i).sameMetrics(spark.records().get(i)), "record " + i);
            }
        }
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndTheResultIsUnchanged() {
        INJECTED.set(0);
        // local[N,F]: a local master retries a task F - 1 times (local[N] never retries)
        try (TrainingEngine.Session flaky = new FlakySession(
            (SparkEngine.SparkSession) new SparkEngine().connect("local[2,2]"))) {
            Simulation.Outcome spark = Simulation.of(scenario).threads(2).engine(flaky).build().run();
            assertEquals(4, INJECTED.get(), "one injected failure per round and defense");
            assertEquals(SparkRuns.stable(local.summary()), SparkRuns.stable(spark.summary()));
        }
    }

    @Test
    void aSparkRunResumesAfterAnInterruption() throws Exception {
        RunFolder part = RunFolder.create(dir.resolve("part"), scenario.config(), false);
        try (TrainingEngine.Session session = new SparkEngine().connect("local[2]")) {
            Simulation.Outcome stopped = Simulation.of(scenario).threads(2).folder(part).engine(session)
                .stopHook((d, t) -> d == 0 && t == 1).build().run();
            assertFalse(stopped.complete());
            assertEquals(1, stopped.records().size());
            assertFalse(Files.exists(part.summaryJson()));
        }
        Scenario again = Scenario.prepare(part.readConfig()); // what --resume does
        try (TrainingEngine.Session session = new SparkEngine().connect("local[2]")) {
            Simulation.Outcome resumed = Simulation.of(again).threads(2).folder(part).engine(session).build().run();
            assertTrue(resumed.complete());
        }
        assertEquals(SparkRuns.stable(local.summary()), SparkRuns.readSummary(part.summaryJson()));
    }

    @Test
    void anExecutorWithoutTheDatasetIsBadInputNamingIt() {
        // The driver has the data; the executors must load "idx:<missing>" themselves and cannot.
        Path missing = dir.resolve("not-on-the-workers");
        ScenarioConfig c = SparkRuns.small();
        c.dataset = "idx:" + missing;
        Scenario driverOnly = Scenario.prepare(c, DatasetSource.loadEmbeddedMnist());
        IllegalArgumentException e;
        try (TrainingEngine.Session session = new SparkEngine().connect("local[2]")) {
            e = assertThrows(IllegalArgumentException.class, () -> session.prepare(driverOnly));
        }
        assertTrue(e.getMessage().contains("every worker must see the dataset 'idx:" + missing + "'"), e.getMessage());
        assertTrue(e.getMessage().startsWith("--spark-master local[2]: executor on host "), e.getMessage());
    }
}
