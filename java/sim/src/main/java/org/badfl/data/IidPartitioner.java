package org.badfl.data;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.badfl.util.Seeds;

/**
 * IID partition (docs/DATA.md, "Partitions"; DBA {@code image_helper.py}, Bagdasaryan et al.): a seeded
 * Fisher-Yates shuffle of all sample indices, then consecutive equal shares. When the number of samples is not
 * a multiple of the number of clients, the first {@code n mod clients} clients get one sample more, so every
 * sample is assigned (the references drop the remainder). Each share is returned in ascending index order.
 */
public final class IidPartitioner implements Partitioner {

    private final int clients;
    private final int minSamplesPerClient;

    /**
     * @param clients             number of clients (>= 1)
     * @param minSamplesPerClient every share must hold at least this many samples (>= 0), else the call fails
     */
    public IidPartitioner(int clients, int minSamplesPerClient) {
        if (clients < 1 || minSamplesPerClient < 0) {
            throw new IllegalArgumentException("iid partition: expected clients >= 1 and min samples >= 0, found clients "
                + clients + ", min samples " + minSamplesPerClient);
        }
        this.clients = clients;
        this.minSamplesPerClient = minSamplesPerClient;
    }

    @Override
    public Partition partition(int[] labels, int numClasses, long seed) {
        Partitioner.validate(labels, numClasses, clients, minSamplesPerClient, "iid partition");
        int n = labels.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        shuffle(order, new SplittableRandom(Seeds.derive(seed, "partition-iid")));
        int[][] shares = new int[clients][];
        int base = n / clients;
        int extra = n % clients;
        int pos = 0;
        for (int u = 0; u < clients; u++) {
            int size = base + (u < extra ? 1 : 0);
            shares[u] = Arrays.copyOfRange(order, pos, pos + size);
            Arrays.sort(shares[u]);
            pos += size;
        }
        return new Partition(describe(), shares, n, 1, 0);
    }

    @Override
    public String describe() {
        return "iid(clients=" + clients + ", min=" + minSamplesPerClient + ")";
    }

    /** Fisher-Yates shuffle of {@code a} in place (from the last position down, {@code nextInt(i+1)}). */
    static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
