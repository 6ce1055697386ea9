package org.badfl.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.badfl.util.Seeds;

/**
 * Non-IID partition with a symmetric Dirichlet prior (docs/DATA.md, "Partitions"; DBA
 * {@code image_helper.py sample_dirichlet_train_data}, Bagdasaryan et al. {@code image_helper.py}): for every
 * class c, shuffle its sample indices, draw {@code p ~ Dir(alpha * 1_N)} over the N clients, and let client u
 * take the next {@code |c| * p_u} (rounded) indices in order. Smaller alpha gives more skewed class mixes;
 * alpha -> infinity tends to IID.
 *
 * <p><b>Rounding.</b> {@link Rounding#LARGEST_REMAINDER} (default) floors every {@code |c| * p_u} and gives the
 * leftover samples one each to the clients with the largest fractional parts (ties to the lower client), so
 * every sample is assigned. {@link Rounding#NEAREST} is the reference code's {@code int(round(|c| * p_u))}
 * (round half to even) with {@code min(remaining, count)}: a few samples of a class may stay unassigned, or the
 * last clients may get fewer than their share. The reference also multiplies by the size of class 0 for every
 * class (a slip); here each class uses its own size.
 *
 * <p><b>Minimum per client.</b> If a draw leaves some client below {@code minSamplesPerClient}, the whole draw
 * is repeated with the next draw number (up to {@code maxDraws}; the NIID-Bench convention of resampling while
 * the smallest client is too small). If all draws fail, the draw with the smallest total shortfall is repaired
 * deterministically: for clients in increasing order, while a client is short it takes first any unassigned
 * sample (NEAREST only), otherwise the most recently assigned sample of the currently largest client (ties to
 * the lower client). {@link Partition#draws()} and {@link Partition#movedForMinimum()} report what happened.
 *
 * <p>Randomness: draw d, class c uses its own generator {@code Seeds.derive(seed, "partition-dirichlet", d, c)}
 * (shuffle first, then the Dirichlet draw), so the result is a pure function of (labels, clients, alpha,
 * minimum, rounding, maxDraws, seed).
 */
public final class DirichletPartitioner implements Partitioner {

    /** How {@code |c| * p_u} becomes a whole number of samples. */
    public enum Rounding { LARGEST_REMAINDER, NEAREST }

    public static final double DEFAULT_ALPHA = 0.5;
    public static final int DEFAULT_MAX_DRAWS = 100;

    private final int clients;
    private final double alpha;
    private final int minSamplesPerClient;
    private final Rounding rounding;
    private final int maxDraws;

    /** Largest-remainder rounding, up to {@value #DEFAULT_MAX_DRAWS} draws. */
    public DirichletPartitioner(int clients, double alpha, int minSamplesPerClient) {
        this(clients, alpha, minSamplesPerClient, Rounding.LARGEST_REMAINDER, DEFAULT_MAX_DRAWS);
    }

    /**
     * @param clients             number of clients N (>= 1)
     * @param alpha               Dirichlet concentration (> 0, finite; paper/DBA default 0.5)
     * @param minSamplesPerClient every client gets at least this many samples (>= 0)
     * @param rounding            see the class comment
     * @param maxDraws            redraws before repairing (>= 1)
     */
    public DirichletPartitioner(int clients, double alpha, int minSamplesPerClient, Rounding rounding, int maxDraws) {
        if (clients < 1 || !(alpha > 0) || Double.isInfinite(alpha) || minSamplesPerClient < 0 || maxDraws < 1
            || rounding == null) {
            throw new IllegalArgumentException("dirichlet partition: expected clients >= 1, finite alpha > 0, min "
                + "samples >= 0, max draws >= 1 and a rounding, found clients " + clients + ", alpha " + alpha
                + ", min samples " + minSamplesPerClient + ", max draws " + maxDraws + ", rounding " + rounding);
        }
        this.clients = clients;
        this.alpha = alpha;
        this.minSamplesPerClient = minSamplesPerClient;
        this.rounding = rounding;
        this.maxDraws = maxDraws;
    }

    @Override
    public Partition partition(int[] labels, int numClasses, long seed) {
        Partitioner.validate(labels, numClasses, clients, minSamplesPerClient, "dirichlet partition");
        int[][] byClass = indicesByClass(labels, numClasses);
        Draw best = null;
        for (int d = 0; d < maxDraws; d++) {
            Draw draw = draw(byClass, seed, d);
            if (draw.shortfall == 0) {
                return draw.toPartition(describe(), labels.length, d + 1, 0);
            }
            if (best == null || draw.shortfall < best.shortfall) {
                best = draw;
            }
        }
        int moved = repair(best);
        return best.toPartition(describe(), labels.length, maxDraws, moved);
    }

    @Override
    public String describe() {
        return "dirichlet(alpha=" + alpha + ", clients=" + clients + ", min=" + minSamplesPerClient
            + (rounding == Rounding.NEAREST ? ", rounding=nearest" : "") + ")";
    }

    /** One draw: per-client lists in assignment order, unassigned samples, total shortfall below the minimum. */
    private final class Draw {
        final List<IntList> shares = new ArrayList<>();
        final IntList unassigned = new IntList();
        int shortfall;

        Partition toPartition(String method, int n, int draws, int moved) {
            int[][] out = new int[clients][];
            for (int u = 0; u < clients; u++) {
                out[u] = shares.get(u).toArray();
                Arrays.sort(out[u]);
            }
            return new Partition(method, out, n, draws, moved);
        }
    }

    private Draw draw(int[][] byClass, long seed, int drawNumber) {
        Draw draw = new Draw();
        for (int u = 0; u < clients; u++) {
            draw.shares.add(new IntList());
        }
        for (int c = 0; c < byClass.length; c++) {
            SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, "partition-dirichlet", drawNumber, c));
            int[] idx = byClass[c].clone();
            IidPartitioner.shuffle(idx, rng);
            double[] p = GammaSampler.symmetricDirichlet(alpha, clients, rng);
            int[] counts = counts(idx.length, p);
            int pos = 0;
            for (int u = 0; u < clients; u++) {
                int take = Math.min(counts[u], idx.length - pos);
                for (int k = 0; k < take; k++) {
                    draw.shares.get(u).add(idx[pos++]);
                }
            }
            while (pos < idx.length) {
                draw.unassigned.add(idx[pos++]);
            }
        }
        for (IntList share : draw.shares) {
            draw.shortfall += Math.max(0, minSamplesPerClient - share.size());
        }
        return draw;
    }

    /** Whole sample counts per client for a class of {@code size} samples and proportions {@code p}. */
    int[] counts(int size, double[] p) {
        int[] counts = new int[p.length];
        if (rounding == Rounding.NEAREST) {
            for (int u = 0; u < p.length; u++) {
                counts[u] = (int) Math.rint(size * p[u]);
            }
            return counts;
        }
        double[] frac = new double[p.length];
        int assigned = 0;
        for (int u = 0; u < p.length; u++) {
            double q = size * p[u];
            counts[u] = (int) Math.floor(q);
            frac[u] = q - counts[u];
            assigned += counts[u];
        }
        Integer[] order = new Integer[p.length];
        for (int u = 0; u < p.length; u++) {
            order[u] = u;
        }
        Arrays.sort(order, (a, b) -> frac[a] != frac[b] ? Double.compare(frac[b], frac[a]) : Integer.compare(a, b));
        // floating-point sums of p may be 1 - 1e-16, so the leftover is computed, not assumed to be < N
        for (int k = 0; assigned < size; k = (k + 1) % p.length) {
            counts[order[k]]++;
            assigned++;
        }
        return counts;
    }

    /** Brings every client to the minimum (see the class comment); returns the number of samples moved. */
    private int repair(Draw draw) {
        int moved = 0;
        int unassignedPos = 0;
        for (int u = 0; u < clients; u++) {
            IntList share = draw.shares.get(u);
            while (share.size() < minSamplesPerClient) {
                if (unassignedPos < draw.unassigned.size()) {
                    share.add(draw.unassigned.get(unassignedPos++));
                } else {
                    int donor = largestExcept(draw.shares, u);
                    IntList from = donor < 0 ? null : draw.shares.get(donor);
                    if (from == null || from.size() <= minSamplesPerClient) {
                        throw new IllegalStateException("dirichlet partition repair: no client above the minimum "
                            + minSamplesPerClient + " left to give client " + u + " a sample");
                    }
                    share.add(from.removeLast());
                }
                moved++;
            }
        }
        return moved;
    }

    private static int largestExcept(List<IntList> shares, int except) {
        int best = -1;
        for (int v = 0; v < shares.size(); v++) {
            if (v != except && (best < 0 || shares.get(v).size() > shares.get(best).size())) {
                best = v;
            }
        }
        return best;
    }

    static int[][] indicesByClass(int[] labels, int numClasses) {
        int[] counts = new int[numClasses];
        for (int l : labels) {
            counts[l]++;
        }
        int[][] out = new int[numClasses][];
        for (int c = 0; c < numClasses; c++) {
            out[c] = new int[counts[c]];
        }
        int[] fill = new int[numClasses];
        for (int i = 0; i < labels.length; i++) {
            out[labels[i]][fill[labels[i]]++] = i;
        }
        return out;
    }

    /** Growable int list (avoids boxing for 60,000-sample partitions). */
    static final class IntList {
        private int[] a = new int[16];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int get(int i) {
            return a[i];
        }

        int removeLast() {
            return a[--n];
        }

        int size() {
            return n;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
