package org.badfl.server.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SortingNetworkTest {

    @Test
    void sortsEveryZeroOneInputUpTo14Wires() {
        // 0-1 principle (Knuth 5.3.4, Theorem Z): a comparator network sorts all inputs iff it sorts all 0-1 inputs.
        for (int n = 1; n <= 14; n++) {
            SortingNetwork net = SortingNetwork.sorting(n);
            int[] keys = new int[n];
            for (int mask = 0; mask < (1 << n); mask++) {
                for (int i = 0; i < n; i++) {
                    keys[i] = (mask >>> i) & 1;
                }
                net.apply(keys);
                for (int i = 1; i < n; i++) {
                    assertTrue(keys[i - 1] <= keys[i], "n=" + n + " input " + Integer.toBinaryString(mask));
                }
            }
        }
    }

    @Test
    void batcherComparatorCountsForPowersOfTwo() {
        // (p² − p + 4)·2^(p−2) − 1 comparators for 2^p wires (Knuth 5.3.4, exercise 9 / Batcher 1968).
        int[] expected = {0, 1, 5, 19, 63, 191, 543, 1471};
        for (int p = 0; p < expected.length; p++) {
            assertEquals(expected[p], SortingNetwork.sorting(1 << p).size(), "2^" + p + " wires");
        }
    }

    @Test
    void sortsRandomInputsOfOddSizes() {
        SplittableRandom r = new SplittableRandom(7);
        for (int n : new int[] {15, 17, 20, 33, 50, 63, 65, 99, 100, 101, 127, 128, 129}) {
            SortingNetwork net = SortingNetwork.sorting(n);
            for (int rep = 0; rep < 30; rep++) {
                int[] keys = r.ints(n, -5, 5 + rep * 1000).toArray();
                int[] sorted = keys.clone();
                Arrays.sort(sorted);
                net.apply(keys);
                assertArrayEquals(sorted, keys, "n=" + n);
            }
        }
    }

    @Test
    void selectionNetworksPlaceTheWantedRanksAndAreSmaller() {
        SplittableRandom r = new SplittableRandom(11);
        for (int n : new int[] {1, 2, 3, 9, 20, 100, 101}) {
            int[][] wanted = {{n / 2, n / 2 + 1}, {Math.max(0, n / 2 - 1), n / 2 + 1}, {n / 10, n - n / 10}};
            for (int[] w : wanted) {
                SortingNetwork net = SortingNetwork.selecting(n, w[0], w[1]);
                assertTrue(net.size() <= SortingNetwork.sorting(n).size());
                for (int rep = 0; rep < 50; rep++) {
                    int[] keys = r.ints(n, -20, 20).toArray();
                    int[] sorted = keys.clone();
                    Arrays.sort(sorted);
                    net.apply(keys);
                    for (int k = w[0]; k < w[1]; k++) {
                        assertEquals(sorted[k], keys[k], "n=" + n + " rank " + k);
                    }
                }
            }
        }
        assertTrue(SortingNetwork.selecting(100, 49, 51).size() < SortingNetwork.sorting(100).size());
    }

    @Test
    void rejectsEmptyOrOutOfRangeOutputs() {
        assertThrows(IllegalArgumentException.class, () -> SortingNetwork.sorting(0));
        assertThrows(IllegalArgumentException.class, () -> SortingNetwork.selecting(5, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> SortingNetwork.selecting(5, 0, 6));
    }
}
