package org.badfl.clients;

import org.badfl.data.BatchSampler;
import org.badfl.data.Dataset;
import org.badfl.data.Poisoning;
import org.badfl.engine.Network;
import org.badfl.engine.Sgd;

/**
 * A client's local training in one round (the paper's Section III-A, FedAvg client): start from G, run E epochs
 * of mini-batch SGD over the client's shard in a seeded order, return Δ = W − G with the sample count.
 * The CPU engine's side of the training seam: {@link CpuClientTrainer} runs it for a round's clients in parallel,
 * {@link GpuClientTrainer} for attacking clients. A malicious client passes its {@link ClientAttack}, which poisons the batches and may change the
 * hyperparameters, the gradients, the parameters after each step and the final update, or run an optimisation of
 * its own ({@link ClientAttack#train}).
 * <p>Randomness: everything flows from the client's round seed ({@code Seeds.derive(master, "client", round,
 * id)} in the simulator): batch order and poisoned slots from {@code derive(seed, "batches")}, dropout masks from
 * {@code derive(seed, "dropout")} ({@link ClientSeeds}). A fresh optimiser (zero momentum) is used every round. The result is a pure
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
     * @param seed     the client's seed for this round ({@link ClientSeeds#of})
     * @param attack   the attack to run this round, or null for honest training
     * @param rank     the client's attacker number within its adversary (DBA trigger part)
     * @param share    the round's composition, for update scaling (may be null when the attack does not scale)
     * @throws org.badfl.engine.NonFiniteException when training diverges (NaN/Inf loss)
     */
    public ClientUpdate train(Network net, float[] global, Dataset data, int clientId, int[] indices, long seed,
                              ClientAttack attack, int rank, RoundShare share) {
        TrainingSettings s = attack == null ? honest : attack.settings(honest);
        Poisoning poisoning = attack == null ? null : attack.poisoning(rank);
        return train(net, global, data, clientId, indices, ClientSeeds.of(seed), s, poisoning, attack, share);
    }

    /**
     * The local training itself, with explicit streams, settings and poisoning (an attack's, or a poisoned training
     * outside the federation such as the heatmaps command's); leaves W in {@code net} and returns Δ = W − G.
     *
     * @param poisoning the batches' poisoning, or null for clean batches
     * @param attack    the attack whose hooks edit gradients, parameters and the final update, or null
     */
    public ClientUpdate train(Network net, float[] global, Dataset data, int clientId, int[] indices,
                              ClientSeeds seeds, TrainingSettings s, Poisoning poisoning, ClientAttack attack,
                              RoundShare share) {
        net.layout().checkLength("global model for client " + clientId, global);
        if (indices.length == 0) {
            throw new IllegalArgumentException("client " + clientId + ": expected at least one training sample, found 0");
        }
        net.setParams(global);
        net.setDropoutStream(seeds.dropout(), 0);
        double lastLoss;
        if (attack == null) {
            lastLoss = loop(net, global, data, indices, s, poisoning, seeds.batches(), null, null).lastLoss();
        } else {
            lastLoss = attack.train(new LocalRun(net, global, data, indices, seeds, s, poisoning, share));
        }
        float[] w = net.params();
        float[] delta = new float[w.length];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = w[i] - global[i];
        }
        if (attack != null) {
            attack.finishUpdate(delta, net.layout(), share);
        }
        return new ClientUpdate(clientId, delta, indices.length, attack != null, lastLoss);
    }

    /** A hook on the model between the steps of {@link #loop}; {@code global} is G (not modified). */
    @FunctionalInterface
    interface StepHook {
        void apply(Network net, float[] global);
    }

    /**
     * The standard loop: SGD from the parameters in {@code net} over {@code s.epochs()} epochs of the seeded batches
     * (fresh optimiser), {@code beforeStep} between the gradients and the step, {@code afterStep} after it (either
     * may be null).
     */
    static TrainingLoop.Result loop(Network net, float[] global, Dataset data, int[] indices, TrainingSettings s,
                                    Poisoning poisoning, long batchesSeed, StepHook beforeStep, StepHook afterStep) {
        Sgd sgd = new Sgd(s.lr(), s.momentum(), s.weightDecay());
        BatchSampler sampler = new BatchSampler(data, indices, s.batchSize(), poisoning, batchesSeed);
        return TrainingLoop.run(sampler, s.epochs(), s.normalize(), batch -> {
            double loss = net.lossAndGradients(batch.x(), batch.y(), batch.size());
            if (beforeStep != null) {
                beforeStep.apply(net, global);
            }
            sgd.step(net);
            if (afterStep != null) {
                afterStep.apply(net, global);
            }
            return loss;
        });
    }

    @Override
    public String toString() {
        return "LocalTrainer" + honest;
    }
}
