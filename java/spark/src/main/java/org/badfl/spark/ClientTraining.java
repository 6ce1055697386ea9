package org.badfl.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.badfl.clients.ClientAttack;
import org.badfl.clients.ClientTrainer.ClientTask;
import org.badfl.server.HostRoundUpdates;
import org.badfl.sim.Scenario;

/**
 * The executors' side of a round: trains each task of a partition from the broadcast G with the local
 * {@link org.badfl.clients.CpuClientTrainer} of the executor's copy of the scenario. A client's update is a pure
 * function of (G, data, task) — its batches and dropout masks come from its round seed — so which executor trains
 * it, in which partition and in which attempt, does not change it.
 */
class ClientTraining implements FlatMapFunction<Iterator<TrainingTask>, TrainedUpdate> {

    private static final long serialVersionUID = 1L;

    private final String configJson;
    private final String fingerprint;
    private final Broadcast<float[]> global;

    ClientTraining(String configJson, String fingerprint, Broadcast<float[]> global) {
        this.configJson = configJson;
        this.fingerprint = fingerprint;
        this.global = global;
    }

    @Override
    public Iterator<TrainedUpdate> call(Iterator<TrainingTask> tasks) {
        ExecutorScenarios.Prepared prepared = ExecutorScenarios.get(configJson, fingerprint);
        Scenario scenario = prepared.scenario();
        float[] g = global.value();
        List<TrainedUpdate> out = new ArrayList<>();
        while (tasks.hasNext()) {
            TrainingTask t = tasks.next();
            beforeTask(t);
            ClientAttack attack = t.attacking() ? scenario.adversaries().get(t.adversary()).attack() : null;
            ClientTask task = new ClientTask(0, t.clientId(), t.indices(), t.samples(), t.seed(), attack, t.rank(),
                t.share());
            String[] failure = new String[1];
            try (HostRoundUpdates row = new HostRoundUpdates(scenario.modelSpec().layout(), 1)) {
                prepared.trainer().train(g, List.of(task), row, (done, why) -> failure[0] = why);
                float[] delta = row.receivedRow(0);
                out.add(new TrainedUpdate(t.slot(), delta, failure[0]));
            }
        }
        return out.iterator();
    }

    /** Called before each task on the executor; a test subclass fails attempts here to check Spark's retries. */
    protected void beforeTask(TrainingTask task) {
    }
}
