package org.badfl.clients;

/**
 * What a client sends back after local training: Δ = W − G and the number of samples it trained on.
 *
 * @param clientId the client
 * @param delta    W − G, laid out like G (owned by the receiver)
 * @param samples  the client's training samples (FedAvg weight n_i)
 * @param attacked true when the client ran its attack in this round
 * @param lastLoss mean training loss of the last batch (diagnostics)
 */
public record ClientUpdate(int clientId, float[] delta, long samples, boolean attacked, double lastLoss) {
}
