package org.badfl.clients;

import org.badfl.data.Dataset;
import org.badfl.data.Poisoning;
import org.badfl.engine.Network;

/**
 * One client's local training in an attack round, as {@link ClientAttack#train} sees it: the workspace model
 * (holding G when training starts), G, the client's own data, its seeded streams, the attack round's settings and
 * poisoning, and the round's composition.
 *
 * @param net       workspace model; W is left in it
 * @param global    G (not modified)
 * @param data      the training split the indices refer to (not modified)
 * @param indices   the client's sample indices (not modified)
 * @param seeds     the client's streams for the round
 * @param settings  the attack round's training settings
 * @param poisoning the attack's poisoning of the batches, or null for clean batches
 * @param share     the round's composition (null when the caller does not know it)
 */
public record LocalRun(Network net, float[] global, Dataset data, int[] indices, ClientSeeds seeds,
                       TrainingSettings settings, Poisoning poisoning, RoundShare share) {
}
