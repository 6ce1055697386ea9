package org.badfl.gpu;

import java.util.Objects;

/**
 * A round's n update rows on a device, as one row-major matrix: row i is the {@code d} floats starting at float
 * {@code i·ld} of {@code buffer} ({@code ld >= d}). One buffer (rather than n) keeps every aggregation kernel a
 * single launch with coalesced row reads, and lets rows be slices of a larger buffer (e.g. clients' flat
 * parameter buffers laid out side by side, {@code ld} = their stride).
 *
 * @param buffer device memory holding at least {@code ((n-1)·ld + d)} floats
 * @param n      number of rows, >= 1
 * @param d      floats per row (coordinates), >= 1
 * @param ld     floats from the start of one row to the next, >= d
 */
public record DeviceRows(DeviceBuffer buffer, int n, int d, long ld) implements AutoCloseable {

    public DeviceRows {
        Objects.requireNonNull(buffer, "rows buffer");
        if (n < 1) {
            throw new IllegalArgumentException("device rows: expected n >= 1 rows, found " + n);
        }
        if (d < 1) {
            throw new IllegalArgumentException("device rows: expected d >= 1 coordinates per row, found " + d);
        }
        if (ld < d) {
            throw new IllegalArgumentException("device rows: row stride ld = " + ld + " is smaller than d = " + d);
        }
        long needed = ((n - 1) * ld + d) * 4L;
        if (buffer.bytes() < needed) {
            throw new IllegalArgumentException("device rows: " + n + " rows of " + d + " floats with stride " + ld
                + " need " + needed + " bytes, the buffer has " + buffer.bytes());
        }
    }

    /** Closes {@link #buffer()}: frees it if it owns its allocation (as after {@link #upload}), else nothing. */
    @Override
    public void close() {
        buffer.close();
    }

    /** Dense rows ({@code ld = d}). */
    public static DeviceRows of(DeviceBuffer buffer, int n, int d) {
        return new DeviceRows(buffer, n, d, d);
    }

    /**
     * Copies the first {@code d} values of each host row into a new dense n×d buffer on {@code device}; the caller
     * closes the result.
     */
    public static DeviceRows upload(Device device, float[][] rows, int d) {
        Objects.requireNonNull(rows, "rows");
        if (rows.length == 0) {
            throw new IllegalArgumentException("device rows: expected at least one row, found none");
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null || rows[i].length < d) {
                throw new IllegalArgumentException("row " + i + ": expected at least " + d + " values, found "
                    + (rows[i] == null ? "null" : rows[i].length));
            }
        }
        DeviceBuffer b = device.allocFloats((long) rows.length * d);
        for (int i = 0; i < rows.length; i++) {
            device.copyToDevice(rows[i], 0, b.sliceFloats((long) i * d, d), d);
        }
        return of(b, rows.length, d);
    }
}
