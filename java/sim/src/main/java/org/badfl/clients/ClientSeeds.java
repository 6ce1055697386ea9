package org.badfl.clients;

import org.badfl.util.Seeds;

/**
 * The two random streams of one client's local training, derived in this one place for every trainer (CPU,
 * device, the heatmaps command): the batch order and poisoned slots ({@code derive(seed, "batches")}) and the
 * dropout masks ({@code derive(seed, "dropout")}), where {@code seed} is the client's seed for the round
 * ({@link #clientRound}).
 *
 * @param batches seed of the {@link org.badfl.data.BatchSampler} (epoch e's order from it)
 * @param dropout seed of the model's dropout stream (step 0 at the start of local training)
 */
public record ClientSeeds(long batches, long dropout) {

    /** The client's seed for a round: {@code Seeds.derive(master, "client", round, clientId)}. */
    public static long clientRound(long master, int round, int clientId) {
        return Seeds.derive(master, "client", round, clientId);
    }

    /** The streams of client {@code clientId} in {@code round} of a run seeded by {@code master}. */
    public static ClientSeeds forClient(long master, int round, int clientId) {
        return of(clientRound(master, round, clientId));
    }

    /** The streams of a training seeded by {@code seed} (a client's round seed, or the server's root training). */
    public static ClientSeeds of(long seed) {
        return withPrefix(seed, "");
    }

    /**
     * The streams named {@code prefix + "batches"} and {@code prefix + "dropout"}, for a training outside the
     * federation that must not share the clients' streams (e.g. {@code "heatmaps:"}).
     */
    public static ClientSeeds withPrefix(long seed, String prefix) {
        return new ClientSeeds(Seeds.derive(seed, prefix + "batches"), Seeds.derive(seed, prefix + "dropout"));
    }
}
