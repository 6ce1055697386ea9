package org.badfl.data;

/**
 * The result of a {@link Partitioner}: for every client, the indices (ascending) of its training samples in
 * the dataset that was partitioned. Shares are disjoint. Immutable: accessors copy.
 */
public final class Partition {

    private final String method;
    private final int[][] shares;
    private final int datasetSize;
    private final int draws;
    private final int movedForMinimum;

    Partition(String method, int[][] shares, int datasetSize, int draws, int movedForMinimum) {
        this.method = method;
        this.shares = shares;
        this.datasetSize = datasetSize;
        this.draws = draws;
        this.movedForMinimum = movedForMinimum;
    }

    /** The method and parameters, e.g. "dirichlet(alpha=0.5, clients=100, min=10)". */
    public String method() {
        return method;
    }

    public int clients() {
        return shares.length;
    }

    /** Indices (ascending) of client {@code client}'s samples; a copy. */
    public int[] indices(int client) {
        return share(client).clone();
    }

    public int size(int client) {
        return share(client).length;
    }

    /** Size of the dataset that was partitioned. */
    public int datasetSize() {
        return datasetSize;
    }

    /** Samples given to no client (0 except with {@link DirichletPartitioner.Rounding#NEAREST}). */
    public int unassigned() {
        int assigned = 0;
        for (int[] s : shares) {
            assigned += s.length;
        }
        return datasetSize - assigned;
    }

    /** Number of Dirichlet draws made (1 for IID or when the first draw met the minimum). */
    public int draws() {
        return draws;
    }

    /** Samples moved by the minimum-size repair (0 when a draw met the minimum). */
    public int movedForMinimum() {
        return movedForMinimum;
    }

    /** Per-client sample counts and class histograms over {@code labels} (the partitioned labels). */
    public PartitionSummary summary(int[] labels, int numClasses) {
        if (labels.length != datasetSize) {
            throw new IllegalArgumentException("partition summary: expected labels of the " + datasetSize
                + " partitioned samples, found " + labels.length);
        }
        int[][] hist = new int[shares.length][numClasses];
        for (int u = 0; u < shares.length; u++) {
            for (int i : shares[u]) {
                hist[u][labels[i]]++;
            }
        }
        return new PartitionSummary(method, hist, null, draws, movedForMinimum, unassigned());
    }

    /** Summary with the dataset's class names. */
    public PartitionSummary summary(Dataset data) {
        PartitionSummary s = summary(data.labels(), data.numClasses());
        return s.withClassNames(data.classNames());
    }

    private int[] share(int client) {
        if (client < 0 || client >= shares.length) {
            throw new IndexOutOfBoundsException("client " + client + " outside partition of " + shares.length
                + " clients");
        }
        return shares[client];
    }

    @Override
    public String toString() {
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int[] s : shares) {
            min = Math.min(min, s.length);
            max = Math.max(max, s.length);
        }
        return method + ": " + shares.length + " clients, " + min + ".." + max + " samples each"
            + (unassigned() > 0 ? ", " + unassigned() + " unassigned" : "")
            + (movedForMinimum > 0 ? ", " + movedForMinimum + " moved for the minimum" : "")
            + (draws > 1 ? ", " + draws + " draws" : "");
    }
}
