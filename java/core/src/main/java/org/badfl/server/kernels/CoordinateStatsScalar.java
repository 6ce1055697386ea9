package org.badfl.server.kernels;

import java.util.Arrays;
import org.badfl.engine.Compute;

/**
 * Scalar path of {@link CoordinateStats}: per coordinate, gather the n values as order keys and quickselect
 * the ranks needed (expected O(n) per coordinate instead of a sort). The trimmed mean then sorts only the
 * kept middle part so that it is summed in ascending order, like the reference.
 */
final class CoordinateStatsScalar {

    /** Below this many elements quickselect finishes with an insertion sort. */
    private static final int INSERTION = 16;

    private CoordinateStatsScalar() {
    }

    static void median(float[][] rows, int from, int to, float[] out, Compute compute) {
        int n = rows.length;
        compute.parallelRange(to - from, CoordinateStats.CHUNK, (s, e) -> {
            int[] col = new int[n];
            for (int c = from + s; c < from + e; c++) {
                gather(rows, c, col);
                int upper = select(col, 0, n - 1, n / 2);
                if ((n & 1) == 1) {
                    out[c] = CoordinateStats.fromKey(upper);
                } else {
                    int lower = max(col, 0, n / 2); // select left everything below rank n/2 in col[0, n/2)
                    out[c] = CoordinateStats.midpoint(CoordinateStats.fromKey(lower), CoordinateStats.fromKey(upper));
                }
            }
        });
    }

    static void trimmedMean(float[][] rows, int trim, int from, int to, float[] out, Compute compute) {
        int n = rows.length;
        int keep = n - 2 * trim;
        compute.parallelRange(to - from, CoordinateStats.CHUNK, (s, e) -> {
            int[] col = new int[n];
            for (int c = from + s; c < from + e; c++) {
                gather(rows, c, col);
                if (trim > 0) {
                    select(col, 0, n - 1, trim);              // col[trim..n) hold ranks >= trim
                    select(col, trim, n - 1, n - trim - 1);   // col[trim..n-trim) hold ranks trim..n-trim-1
                }
                Arrays.sort(col, trim, n - trim);              // ascending summation order, as the reference
                double sum = 0;
                for (int i = trim; i < n - trim; i++) {
                    sum += CoordinateStats.fromKey(col[i]);
                }
                out[c] = (float) (sum / keep);
            }
        });
    }

    private static void gather(float[][] rows, int c, int[] col) {
        for (int i = 0; i < col.length; i++) {
            col[i] = CoordinateStats.key(Float.floatToRawIntBits(rows[i][c]));
        }
    }

    /**
     * Rearranges {@code a[lo..hi]} so that {@code a[k]} holds the value of rank k − lo within it, everything
     * before it is ≤ and everything after it ≥ (Hoare partition, median-of-three pivot); returns {@code a[k]}.
     */
    static int select(int[] a, int lo, int hi, int k) {
        while (hi - lo > INSERTION) {
            int mid = (lo + hi) >>> 1;
            order3(a, lo, mid, hi);
            int pivot = a[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    int t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k]; // j < k < i: a[k] equals the pivot and is in place
            }
        }
        for (int i = lo + 1; i <= hi; i++) {
            int v = a[i];
            int j = i - 1;
            while (j >= lo && a[j] > v) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
        return a[k];
    }

    private static void order3(int[] a, int i, int j, int k) {
        if (a[j] < a[i]) {
            swap(a, i, j);
        }
        if (a[k] < a[j]) {
            swap(a, j, k);
            if (a[j] < a[i]) {
                swap(a, i, j);
            }
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static int max(int[] a, int from, int to) {
        int m = a[from];
        for (int i = from + 1; i < to; i++) {
            m = Math.max(m, a[i]);
        }
        return m;
    }
}
