package org.badfl.clients;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.badfl.data.Dataset;
import org.badfl.engine.Compute;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Network;
import org.badfl.engine.NonFiniteException;
import org.badfl.engine.ParamLayout;
import org.badfl.server.HostRoundUpdates;
import org.badfl.server.RoundUpdates;

/**
 * {@link ClientTrainer} on the CPU engine: clients in parallel on {@code compute}'s threads, each on a workspace
 * model of its own (single-threaded inside), with {@link LocalTrainer}; updates land in host rows. Results are
 * bit-identical for any thread count (each update is a pure function of its task).
 */
public final class CpuClientTrainer implements ClientTrainer {

    private final LocalTrainer trainer;
    private final Dataset data;
    private final ModelSpec spec;
    private final Compute compute;
    private final ConcurrentLinkedDeque<Network> workspaces = new ConcurrentLinkedDeque<>();

    /**
     * @param honest  the honest clients' settings (an attack may change its own)
     * @param data    the training split the tasks' indices refer to
     * @param spec    the architecture
     * @param compute threads over clients (not closed by the trainer)
     */
    public CpuClientTrainer(TrainingSettings honest, Dataset data, ModelSpec spec, Compute compute) {
        this.trainer = new LocalTrainer(Objects.requireNonNull(honest, "training settings"));
        this.data = Objects.requireNonNull(data, "data");
        this.spec = Objects.requireNonNull(spec, "model spec");
        this.compute = Objects.requireNonNull(compute, "compute");
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public RoundUpdates newRound(ParamLayout layout, int slots) {
        return new HostRoundUpdates(layout, slots);
    }

    @Override
    public void train(float[] global, List<ClientTask> tasks, RoundUpdates received, Progress progress) {
        compute.parallelFor(tasks.size(), k -> {
            ClientTask task = tasks.get(k);
            Network net = workspaces.poll();
            if (net == null) {
                net = spec.build();
            }
            String failure = null;
            try {
                ClientUpdate u = trainer.train(net, global, data, task.clientId(), task.indices(), task.seed(),
                    task.attack(), task.rank(), task.share());
                received.receive(task.slot(), task.clientId(), task.samples(), u.delta());
            } catch (NonFiniteException e) {
                failure = diverged(task, e);
            } finally {
                workspaces.push(net);
            }
            progress.clientDone(task, failure);
        });
    }

    static String diverged(ClientTask task, NonFiniteException e) {
        return "client " + task.clientId() + ": local training diverged (" + e.getMessage() + ")";
    }

    @Override
    public void close() {
        workspaces.clear();
    }
}
