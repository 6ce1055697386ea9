package org.badfl.data;

/**
 * Splits a training set among FL clients. Implementations are pure functions of (labels, number of classes,
 * their constructor parameters, seed): the same inputs give the same partition on any machine and thread
 * count.
 */
public interface Partitioner {

    /**
     * Partitions the sample indices {@code 0 .. labels.length-1} among clients.
     *
     * @param labels     label of every sample, in [0, numClasses) (not modified)
     * @param numClasses number of classes
     * @param seed       master seed of the partition
     */
    Partition partition(int[] labels, int numClasses, long seed);

    /** Partitions {@code data} by its labels. */
    default Partition partition(Dataset data, long seed) {
        return partition(data.labels(), data.numClasses(), seed);
    }

    /** One line naming the method and its parameters, e.g. "dirichlet(alpha=0.5, clients=100, min=10)". */
    String describe();

    /** Checks labels against the class count and the client minimum against the data size. */
    static void validate(int[] labels, int numClasses, int clients, int minSamplesPerClient, String method) {
        if (numClasses < 1) {
            throw new IllegalArgumentException(method + ": expected at least one class, found " + numClasses);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException(method + ": label of sample " + i + " expected in [0, " + numClasses
                    + "), found " + labels[i]);
            }
        }
        if ((long) clients * minSamplesPerClient > labels.length) {
            throw new IllegalArgumentException(method + ": " + clients + " clients x at least " + minSamplesPerClient
                + " samples need " + (long) clients * minSamplesPerClient + " samples, found " + labels.length);
        }
    }
}
