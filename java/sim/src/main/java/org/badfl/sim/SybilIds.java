package org.badfl.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.badfl.util.Seeds;

/**
 * The client ids the server sees when adversaries play sybils (docs/ATTACKS.md, "Sybil"): every client of a sybil
 * adversary shows a fresh id every round, so a defense's per-client memory never sees it twice. In round t the S
 * sybil clients (all sybil adversaries, in client-id order) show the ids
 * {@code clients + (t − 1)·S + π_t(k)}, π_t a permutation of 0..S−1 drawn from {@code derive(seed, "sybil", t)}:
 * never an honest id (those are below {@code clients}), never an id of another round or another sybil. Honest
 * clients and non-sybil attackers keep their ids. Immutable.
 */
final class SybilIds {

    private final long seed;
    private final int clients;
    private final int[] indexOfClient;
    private final int sybils;

    /**
     * @param seed    the master seed
     * @param clients the number of clients (ids 0..clients−1)
     * @param sybil   true for the clients whose ids change every round
     */
    SybilIds(long seed, int clients, boolean[] sybil) {
        this.seed = seed;
        this.clients = clients;
        this.indexOfClient = new int[clients];
        int s = 0;
        for (int id = 0; id < clients; id++) {
            indexOfClient[id] = sybil[id] ? s++ : -1;
        }
        this.sybils = s;
    }

    /** The sybil clients of {@code adversaries} (those whose resolved config sets {@code sybil}). */
    static SybilIds of(long seed, int clients, List<Scenario.Adversary> adversaries) {
        boolean[] sybil = new boolean[clients];
        for (Scenario.Adversary a : adversaries) {
            if (Boolean.TRUE.equals(a.config().sybil)) {
                for (int id : a.clients()) {
                    sybil[id] = true;
                }
            }
        }
        return new SybilIds(seed, clients, sybil);
    }

    /** True when some client plays a sybil. */
    boolean any() {
        return sybils > 0;
    }

    /** The id the server sees for {@code clientId} in {@code round} (1-based). */
    int serverId(int clientId, int round) {
        int k = indexOfClient[clientId];
        if (k < 0) {
            return clientId;
        }
        if (round < 1) {
            throw new IllegalArgumentException("sybil ids: round must be >= 1, found " + round);
        }
        long id = (long) clients + (long) (round - 1) * sybils + permutation(round)[k];
        if (id > Integer.MAX_VALUE) {
            throw new IllegalStateException("sybil ids: round " + round + " needs an id beyond the int range");
        }
        return (int) id;
    }

    /** π_t: a seeded Fisher–Yates permutation of 0..S−1. */
    private int[] permutation(int round) {
        int[] p = new int[sybils];
        for (int i = 0; i < sybils; i++) {
            p[i] = i;
        }
        SplittableRandom random = new SplittableRandom(Seeds.derive(seed, "sybil", round));
        for (int i = sybils - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Sybil client ids in client-id order (for tests and descriptions). */
    List<Integer> sybilClients() {
        List<Integer> out = new ArrayList<>();
        for (int id = 0; id < clients; id++) {
            if (indexOfClient[id] >= 0) {
                out.add(id);
            }
        }
        return out;
    }
}
