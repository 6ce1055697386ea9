package org.badfl.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.badfl.clients.ClientTrainer;
import org.badfl.engine.ParamLayout;
import org.badfl.server.HostRoundUpdates;
import org.badfl.server.RoundUpdates;
import org.badfl.sim.ConfigLoader;
import org.badfl.sim.Scenario;

/**
 * {@link ClientTrainer} on a Spark cluster: each round G is broadcast, the round's tasks are parallelized one per
 * partition ({@link TrainingTask}: slot, client, round seed, adversary, rank, share), each executor trains them with
 * the local CPU trainer of its own copy of the scenario ({@link ClientTraining}) and returns the updates, which land
 * in the round's host rows by slot. The defense runs on the driver as in a local run. Results equal the local CPU
 * engine's bit for bit, for any partitioning and any number of executors or task attempts, provided every executor
 * runs the same badfl build and JVM flags as the driver.
 */
class SparkClientTrainer implements ClientTrainer {

    private final JavaSparkContext spark;
    private final Scenario scenario;
    private final String configJson;
    private final String fingerprint;
    private final String description;

    SparkClientTrainer(JavaSparkContext spark, Scenario scenario, String description) {
        this.spark = spark;
        this.scenario = scenario;
        this.configJson = ConfigLoader.toJson(scenario.config());
        this.fingerprint = scenario.fingerprint();
        this.description = description;
    }

    @Override
    public String device() {
        return description;
    }

    @Override
    public RoundUpdates newRound(ParamLayout layout, int slots) {
        return new HostRoundUpdates(layout, slots);
    }

    /** The index of the adversary whose attack object this is (by identity: the id a task shows may be a Sybil's). */
    private int adversaryRunning(org.badfl.clients.ClientAttack attack) {
        for (int a = 0; a < scenario.adversaries().size(); a++) {
            if (scenario.adversaries().get(a).attack() == attack) {
                return a;
            }
        }
        throw new IllegalStateException("attack " + attack.describe() + " belongs to no adversary of the scenario");
    }

    @Override
    public void train(float[] global, List<ClientTask> tasks, RoundUpdates received, Progress progress) {
        if (tasks.isEmpty()) {
            return;
        }
        List<TrainingTask> shipped = new ArrayList<>(tasks.size());
        for (ClientTask t : tasks) {
            shipped.add(TrainingTask.of(t, t.attacking() ? adversaryRunning(t.attack()) : -1));
        }
        Broadcast<float[]> g = spark.broadcast(global.clone());
        List<TrainedUpdate> updates;
        try {
            updates = spark.parallelize(shipped, shipped.size())
                .mapPartitions(training(configJson, fingerprint, g)).collect();
        } finally {
            g.destroy();
        }
        if (updates.size() != tasks.size()) {
            throw new IllegalStateException("spark returned " + updates.size() + " updates for " + tasks.size()
                + " clients");
        }
        ClientTask[] bySlot = new ClientTask[received.size()];
        for (ClientTask t : tasks) {
            bySlot[t.slot()] = t;
        }
        for (TrainedUpdate u : updates) {
            ClientTask task = bySlot[u.slot()];
            if (u.delta() != null) {
                received.receive(task.slot(), task.clientId(), task.samples(), u.delta());
            }
            progress.clientDone(task, u.failure());
        }
    }

    /** The executors' function of a round (tests subclass it to inject failures). */
    ClientTraining training(String configJson, String fingerprint, Broadcast<float[]> global) {
        return new ClientTraining(configJson, fingerprint, global);
    }

    @Override
    public void close() {
        // the Spark context belongs to the engine session
    }
}
