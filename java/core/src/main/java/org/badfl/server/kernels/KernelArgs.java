package org.badfl.server.kernels;

import java.util.Objects;

/** Argument checks shared by the kernels: messages name the kernel, the input and expected vs found. */
final class KernelArgs {

    private KernelArgs() {
    }

    /** Every row non-null and at least {@code length} long; at least {@code minRows} rows. */
    static void rows(String kernel, float[][] rows, int minRows, int length) {
        Objects.requireNonNull(rows, kernel + ": rows");
        if (rows.length < minRows) {
            throw new IllegalArgumentException(kernel + ": expected at least " + minRows + " rows, found " + rows.length);
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null) {
                throw new IllegalArgumentException(kernel + ": row " + i + " is null");
            }
            if (rows[i].length < length) {
                throw new IllegalArgumentException(kernel + ": row " + i + " has " + rows[i].length
                    + " values, expected at least " + length);
            }
        }
    }

    /** {@code 0 <= from <= to <= outLength}. */
    static void range(String kernel, int from, int to, int outLength) {
        if (from < 0 || from > to || to > outLength) {
            throw new IllegalArgumentException(kernel + ": coordinate range [" + from + ", " + to
                + ") must lie within the output's " + outLength + " values");
        }
    }

    /**
     * Ranges {@code [s0, e0, s1, e1, ...]}: even length, each {@code 0 <= s <= e <= length}.
     * Overlapping ranges are allowed (a coordinate then counts twice), as in the reference.
     */
    static void ranges(String kernel, int[] ranges, int length) {
        Objects.requireNonNull(ranges, kernel + ": ranges");
        if ((ranges.length & 1) != 0) {
            throw new IllegalArgumentException(kernel + ": ranges must be pairs [start, end, ...], found "
                + ranges.length + " numbers");
        }
        for (int r = 0; r < ranges.length; r += 2) {
            if (ranges[r] < 0 || ranges[r] > ranges[r + 1] || ranges[r + 1] > length) {
                throw new IllegalArgumentException(kernel + ": range " + r / 2 + " [" + ranges[r] + ", "
                    + ranges[r + 1] + ") must satisfy 0 <= start <= end <= " + length);
            }
        }
    }

    /** Shortest row length (no bound, Integer.MAX_VALUE, for no rows: an empty round). */
    static int minLength(float[][] rows) {
        int m = Integer.MAX_VALUE;
        for (float[] r : rows) {
            m = Math.min(m, r.length);
        }
        return m;
    }
}
