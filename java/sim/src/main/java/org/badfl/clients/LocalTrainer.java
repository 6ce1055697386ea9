package org.badfl.clients;

import org.badfl.data.Batch;
import org.badfl.data.BatchSampler;
import org.badfl.data.Dataset;
import org.badfl.data.Poisoning;
import org.badfl.engine.Network;
import org.badfl.engine.Sgd;
import org.badfl.util.Seeds;

/**
 * A client's local training in one round (the paper's Section III-A, FedAvg client): start from G, run E epochs
 * of mini-batch SGD over the client's shard in a seeded order, return Δ = W − G with the sample count.
 * A malicious client passes its {@link ClientAttack}, which poisons the batches and may change the
 * hyperparameters, the gradients, the parameters after each step and the final update.
 * <p>Randomness: everything flows from the client's round seed ({@code Seeds.derive(master, "client", round,
 * id)} in the simulator): batch order and poisoned slots from {@code derive(seed, "batches")}, dropout masks from
 * {@code derive(seed, "dropout")}. A fresh optimiser (zero momentum) is used every round. The result is a pure
 * function of (G, data, indices, settings, attack, seed): the network passed in only provides workspace (its
 * parameters and dropout stream are overwritten), so any instance of the architecture gives the same update.
 * <p>Stateless and thread-safe; the network must not be shared by concurrent calls.
 */
public final class LocalTrainer {

    private final TrainingSettings honest;

    public LocalTrainer(TrainingSettings honest) {
        this.honest = honest;
    }

    public TrainingSettings settings() {
        return honest;
    }

    /** Honest training. */
    public ClientUpdate train(Network net, float[] global, Dataset data, int clientId, int[] indices, long seed) {
        return train(net, global, data, clientId, indices, seed, null, 0, null);
    }

    /**
     * Trains one client.
     *
     * @param net      workspace model of the scenario's architecture (parameters overwritten)
     * @param global   G (not modified)
     * @param data     the training split the indices refer to (not modified)
     * @param clientId the client (for the result)
     * @param indices  the client's sample indices (not modified)
     * @param seed     the client's seed for this round
     * @param attack   the attack to run this round, or null for honest training
     * @param rank     the client's attacker number within its adversary (DBA trigger part)
     * @param share    the round's composition, for update scaling (may be null when the attack does not scale)
     * @throws org.badfl.engine.NonFiniteException when training diverges (NaN/Inf loss)
     */
    public ClientUpdate train(Network net, float[] global, Dataset data, int clientId, int[] indices, long seed,
                              ClientAttack attack, int rank, RoundShare share) {
        net.layout().checkLength("global model for client " + clientId, global);
        if (indices.length == 0) {
            throw new IllegalArgumentException("client " + clientId + ": expected at least one training sample, found 0");
        }
        TrainingSettings s = attack == null ? honest : attack.settings(honest);
        Poisoning poisoning = attack == null ? null : attack.poisoning(rank);
        net.setParams(global);
        net.setDropoutStream(Seeds.derive(seed, "dropout"), 0);
        Sgd sgd = new Sgd(s.lr(), s.momentum(), s.weightDecay());
        BatchSampler sampler = new BatchSampler(data, indices, s.batchSize(), poisoning, Seeds.derive(seed, "batches"));
        Batch batch = sampler.newBatch();
        float[] partialX = null;
        int[] partialY = null;
        double loss = Double.NaN;
        for (int epoch = 0; epoch < s.epochs(); epoch++) {
            sampler.startEpoch(epoch);
            while (sampler.next(batch, s.normalize())) {
                int n = batch.size();
                float[] x = batch.x();
                int[] y = batch.y();
                if (n < batch.capacity()) {
                    // the engine wants arrays of exactly n images; only the last batch of an epoch is short
                    if (partialY == null || partialY.length != n) {
                        partialX = new float[n * batch.imageSize()];
                        partialY = new int[n];
                    }
                    System.arraycopy(x, 0, partialX, 0, partialX.length);
                    System.arraycopy(y, 0, partialY, 0, n);
                    x = partialX;
                    y = partialY;
                }
                loss = net.lossAndGradients(x, y, n);
                if (attack != null) {
                    attack.adjustGradients(net, global);
                }
                sgd.step(net);
                if (attack != null) {
                    attack.afterStep(net, global);
                }
            }
        }
        float[] w = net.params();
        float[] delta = new float[w.length];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = w[i] - global[i];
        }
        if (attack != null) {
            attack.finishUpdate(delta, net.layout(), share);
        }
        return new ClientUpdate(clientId, delta, indices.length, attack != null, loss);
    }

    @Override
    public String toString() {
        return "LocalTrainer" + honest;
    }
}
