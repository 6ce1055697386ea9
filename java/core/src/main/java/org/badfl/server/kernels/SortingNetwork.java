package org.badfl.server.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A comparator network on n wires as two index lists: comparator k puts the smaller of wires {@code lo(k)}
 * and {@code hi(k)} on {@code lo(k)} and the larger on {@code hi(k)} ({@code lo(k) < hi(k)}).
 * <p>Built from Batcher's odd–even merge sort (K. E. Batcher, "Sorting networks and their applications",
 * AFIPS 1968; Knuth TAOCP vol. 3, §5.3.4, Algorithm M) for any n: the network for the next power of two with
 * the missing wires taken as +∞, whose comparators touching them do nothing and are dropped. Then pruned
 * for selection: walking backwards from the output positions that are wanted, a comparator is kept only if
 * one of its wires still influences a wanted output. The comparators stay in Batcher's layer order, so
 * consecutive comparators are mostly independent (instruction-level parallelism when run on vectors).
 * <p>The same network sorts SIMD lanes independently ({@link CoordinateStats}: one lane = one coordinate),
 * and a CUDA thread can run it on registers. Immutable; networks are cached per (n, wanted outputs).
 */
final class SortingNetwork {

    private static final Map<String, SortingNetwork> CACHE = new ConcurrentHashMap<>();

    private final int wires;
    private final int[] lo;
    private final int[] hi;

    private SortingNetwork(int wires, int[] lo, int[] hi) {
        this.wires = wires;
        this.lo = lo;
        this.hi = hi;
    }

    /** The full sorting network on n wires (every output position sorted). */
    static SortingNetwork sorting(int n) {
        return selecting(n, 0, n);
    }

    /**
     * A network after which output positions {@code [from, to)} hold the order statistics of those ranks
     * (wire r = r-th smallest for every r in the range); other positions hold unspecified values.
     */
    static SortingNetwork selecting(int n, int from, int to) {
        if (n < 1) {
            throw new IllegalArgumentException("sorting network: need n >= 1 wires, got " + n);
        }
        if (from < 0 || to > n || from >= to) {
            throw new IllegalArgumentException("sorting network on " + n + " wires: output range [" + from + ", "
                + to + ") is empty or out of range");
        }
        return CACHE.computeIfAbsent(n + ":" + from + ":" + to, key -> build(n, from, to));
    }

    private static SortingNetwork build(int n, int from, int to) {
        List<int[]> all = batcher(n);
        BitSet needed = new BitSet(n);
        needed.set(from, to);
        boolean[] keep = new boolean[all.size()];
        int kept = 0;
        for (int k = all.size() - 1; k >= 0; k--) {
            int[] c = all.get(k);
            if (needed.get(c[0]) || needed.get(c[1])) {
                keep[k] = true;
                kept++;
                needed.set(c[0]);
                needed.set(c[1]);
            }
        }
        int[] lo = new int[kept];
        int[] hi = new int[kept];
        int m = 0;
        for (int k = 0; k < all.size(); k++) {
            if (keep[k]) {
                lo[m] = all.get(k)[0];
                hi[m] = all.get(k)[1];
                m++;
            }
        }
        return new SortingNetwork(n, lo, hi);
    }

    /** Batcher's odd–even merge sort on n wires, in layer order (iterative form, wires ≥ n dropped). */
    private static List<int[]> batcher(int n) {
        List<int[]> out = new ArrayList<>();
        for (int p = 1; p < n; p += p) {
            for (int k = p; k >= 1; k /= 2) {
                for (int j = k % p; j + k < n; j += 2 * k) {
                    for (int i = 0; i < k && i + j + k < n; i++) {
                        if ((i + j) / (2 * p) == (i + j + k) / (2 * p)) {
                            out.add(new int[] {i + j, i + j + k});
                        }
                    }
                }
            }
        }
        return out;
    }

    int wires() {
        return wires;
    }

    /** Number of comparators. */
    int size() {
        return lo.length;
    }

    /** Smaller-output wire of each comparator (a copy). */
    int[] lo() {
        return lo.clone();
    }

    /** Larger-output wire of each comparator (a copy). */
    int[] hi() {
        return hi.clone();
    }

    /** Runs the network on one column of values (test helper and scalar reference of the vector kernel). */
    void apply(int[] keys) {
        for (int k = 0; k < lo.length; k++) {
            int a = keys[lo[k]];
            int b = keys[hi[k]];
            keys[lo[k]] = Math.min(a, b);
            keys[hi[k]] = Math.max(a, b);
        }
    }

    @Override
    public String toString() {
        return "SortingNetwork[" + wires + " wires, " + lo.length + " comparators, first " 
            + Arrays.toString(Arrays.copyOf(lo, Math.min(4, lo.length))) + "]";
    }
}
