package org.badfl.spark;

import java.io.Serializable;

/**
 * What an executor sends back for one task: the client's Δ = W − G, or why it has none.
 *
 * @param slot    the client's row in the round's updates
 * @param delta   the update, null when training diverged
 * @param failure null, or why the client sent no update
 */
record TrainedUpdate(int slot, float[] delta, String failure) implements Serializable {
}
