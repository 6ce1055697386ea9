package org.badfl.clients;

import java.util.List;
import java.util.Objects;
import org.badfl.engine.ParamLayout;
import org.badfl.server.RoundUpdates;

/**
 * The training seam of the simulator: trains a round's selected clients from G and leaves each client's update
 * Δ = W − G in its slot of the round's received updates. The device is chosen once, when the trainer is built:
 * {@link CpuClientTrainer} (the CPU engine, clients in parallel) or {@link GpuClientTrainer} (honest clients on a
 * device, their updates left there; attacking clients on the CPU, whose attack hooks edit gradients and parameters
 * on the host). Either way every client's batches and dropout masks come from its {@link ClientSeeds}, so the
 * result is a pure function of (G, data, task) on that device.
 */
public interface ClientTrainer extends AutoCloseable {

    /**
     * One client's training in a round.
     *
     * @param slot     the client's row in the round's updates
     * @param clientId the id the server sees for the client (its own, or a sybil's fresh id of the round)
     * @param indices  its sample indices in the trainer's data (not modified)
     * @param samples  the sample count the server receives with its update (FedAvg weight)
     * @param seed     the client's seed for the round ({@link ClientSeeds#clientRound})
     * @param attack   the attack it runs this round, or null for honest training
     * @param rank     its attacker number within its adversary (DBA trigger part); 0 when honest
     * @param share    its adversary's share of the round (update scaling), null when honest
     */
    record ClientTask(int slot, int clientId, int[] indices, long samples, long seed, ClientAttack attack, int rank,
                      RoundShare share) {

        public ClientTask {
            Objects.requireNonNull(indices, "client indices");
        }

        public boolean attacking() {
            return attack != null;
        }
    }

    /** Reports each trained client (progress) and each client whose training diverged. */
    interface Progress {
        /** Client {@code task} finished; {@code failure} is null, or why it sent no update. */
        void clientDone(ClientTask task, String failure);
    }

    /** Where honest clients train ("cpu" or the device's name), for logs. */
    String device();

    /** Empty updates of a round of {@code slots} clients, holding rows where this trainer leaves them. */
    RoundUpdates newRound(ParamLayout layout, int slots);

    /**
     * Trains every task from {@code global} (not modified) and puts its update into slot {@code task.slot()} of
     * {@code received} (a {@link #newRound} of this trainer). A client whose training diverges puts nothing (its
     * slot stays empty) and is reported with its reason.
     */
    void train(float[] global, List<ClientTask> tasks, RoundUpdates received, Progress progress);

    /** Frees what the trainer holds (device memory); the device itself belongs to the caller. */
    @Override
    void close();
}
