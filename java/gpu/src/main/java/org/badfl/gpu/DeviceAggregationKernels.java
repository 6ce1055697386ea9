package org.badfl.gpu;

import java.util.Arrays;
import java.util.Objects;
import org.badfl.engine.ParamLayout;
import org.badfl.server.RoundUpdates;
import org.badfl.server.AggregationKernels;

/**
 * {@link AggregationKernels} on a {@link Device} (a GPU, or its CPU emulation) through {@link GpuAggregation}: what
 * a {@code ServerContext} returns from {@code kernels()} when the server aggregates on the device (the simulator's
 * {@code --device gpu|emu}).
 * <p>Data movement: the {@link RoundUpdates} overloads read {@link DeviceRoundUpdates} of this device in place (the
 * clients trained there, their updates never left it), gathering a non-contiguous selection by device-to-device
 * copies; other updates (host rows) and the {@code float[][]} methods upload their rows for the call and free them
 * after it. Results (O(d) per call) come back to the host.
 * <p>{@link #dots}: there is no row-dot kernel yet, so dots and norms come from the Gram kernel over the rows and
 * {@code v} (O(n²·d) on the device instead of O(n·d)); the last Gram is kept and any pair of rows it covers (same
 * row arrays and ranges) is answered from it, so FLTrust's three dot products cost one Gram launch.
 * <p>Precision against the CPU kernels (tested on the emulation): median, trimmed mean, sign votes and weighted
 * sums bit-identical; Gram and dots within the CPU Gram's float-FMA bound (the device sums in double); noise
 * bit-identical on the emulation, within a float ulp on a GPU ({@link GpuAggregation}).
 */
public final class DeviceAggregationKernels implements AggregationKernels, AutoCloseable {

    private final GpuAggregation aggregation;
    private final Device device;

    private float[][] gramRefs;
    private int[] gramRanges;
    private double[] gram;

    private long uploads;
    private long launches;

    /** Kernels with {@link GpuAggregation}'s default launch shapes. */
    public DeviceAggregationKernels(Device device) {
        this(new GpuAggregation(device));
    }

    public DeviceAggregationKernels(GpuAggregation aggregation) {
        this.aggregation = Objects.requireNonNull(aggregation, "aggregation");
        this.device = aggregation.device();
    }

    @Override
    public String name() {
        return device.name();
    }

    /** Kernel calls answered on the device so far (for tests and logs: proves where a round ran). */
    public synchronized long deviceCalls() {
        return launches;
    }

    /** Uploads of host rows so far (each {@code float[][]} call, and each {@code RoundUpdates} call on host rows). */
    public synchronized long rowUploads() {
        return uploads;
    }

    // ---- Gram and dots ---------------------------------------------------------------------------------------

    @Override
    public synchronized double[] gram(float[][] rows, int[] ranges) {
        int d = rowLength("gram", rows);
        Objects.requireNonNull(ranges, "gram: ranges");
        int n = rows.length;
        double[] cached = fromCachedGram(rows, ranges);
        if (cached != null) {
            launches++;
            return cached;
        }
        if (n == 0) {
            return new double[0];
        }
        double[] g;
        try (DeviceRows onDevice = upload(rows, d)) {
            g = aggregation.gram(onDevice, ranges);
        }
        launches++;
        gramRefs = rows.clone();
        gramRanges = ranges.clone();
        gram = g;
        return g.clone();
    }

    @Override
    public synchronized double[] dots(float[][] rows, float[] v, int[] ranges) {
        rowLength("row dots", rows);
        if (v == null) {
            double[] g = gram(rows, ranges);
            double[] out = new double[rows.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = g[i * rows.length + i];
            }
            return out;
        }
        float[][] withV = Arrays.copyOf(rows, rows.length + 1);
        withV[rows.length] = v;
        int m = withV.length;
        double[] g = gram(withV, ranges);
        double[] out = new double[rows.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = g[i * m + rows.length];
        }
        return out;
    }

    /** The Gram of {@code rows} picked from the last Gram when it covers every row (by identity) and the ranges. */
    private double[] fromCachedGram(float[][] rows, int[] ranges) {
        if (gram == null || !Arrays.equals(gramRanges, ranges)) {
            return null;
        }
        int m = gramRefs.length;
        int[] index = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            index[i] = -1;
            for (int k = 0; k < m; k++) {
                if (gramRefs[k] == rows[i]) {
                    index[i] = k;
                    break;
                }
            }
            if (index[i] < 0) {
                return null;
            }
        }
        int n = rows.length;
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i * n + j] = gram[index[i] * m + index[j]];
            }
        }
        return out;
    }

    // ---- coordinate statistics, sign votes, weighted sums ---------------------------------------------------

    @Override
    public synchronized void median(float[][] rows, float[] out) {
        int d = rowsWithOutput("median", rows, out);
        try (DeviceBuffer o = device.allocFloats(d)) {
            try (DeviceRows onDevice = upload(rows, d)) {
                aggregation.median(onDevice, o);
            }
            launches++;
            device.copyToHost(o, out, 0, d);
        }
    }

    @Override
    public synchronized void trimmedMean(float[][] rows, int trim, float[] out) {
        int d = rowsWithOutput("trimmed mean", rows, out);
        try (DeviceBuffer o = device.allocFloats(d)) {
            try (DeviceRows onDevice = upload(rows, d)) {
                aggregation.trimmedMean(onDevice, trim, o);
            }
            launches++;
            device.copyToHost(o, out, 0, d);
        }
    }

    @Override
    public synchronized void absSignSum(float[][] rows, int[] out) {
        Objects.requireNonNull(out, "sign votes: out");
        int d = rowLength("sign votes", rows);
        requireRows("sign votes", rows);
        if (out.length != d) {
            throw new IllegalArgumentException("sign votes: output has " + out.length + " values, expected the rows' "
                + d);
        }
        try (DeviceBuffer o = device.allocInts(d)) {
            try (DeviceRows onDevice = upload(rows, d)) {
                aggregation.absSignSum(onDevice, o);
            }
            launches++;
            device.copyToHost(o, out, 0, d);
        }
    }

    @Override
    public synchronized void accumulate(float[][] rows, double[] weights, float[] out) {
        int d = rowsWithOutput("weighted sum", rows, out);
        try (DeviceBuffer o = device.upload(out)) {
            try (DeviceRows onDevice = upload(rows, d)) {
                aggregation.accumulate(onDevice, weights, o);
            }
            launches++;
            device.copyToHost(o, out, 0, d);
        }
    }

    @Override
    public synchronized void accumulateLayerScaled(float[][] rows, double[] weights, double[][] layerScale,
                                                   ParamLayout layout, float[] out) {
        Objects.requireNonNull(layout, "layer-scaled sum: layout");
        int d = rowsWithOutput("layer-scaled sum", rows, out);
        layout.checkLength("layer-scaled sum output", out);
        try (DeviceBuffer o = device.upload(out)) {
            try (DeviceRows onDevice = upload(rows, d)) {
                aggregation.accumulateLayerScaled(onDevice, weights, layerScale, layout, o);
            }
            launches++;
            device.copyToHost(o, out, 0, d);
        }
    }

    // ---- noise -----------------------------------------------------------------------------------------------

    @Override
    public synchronized void addNoise(float[] target, int from, int to, double sigma, long seed, long stream) {
        Objects.requireNonNull(target, "noise target");
        if (from < 0 || from > to || to > target.length) {
            throw new IllegalArgumentException("noise range [" + from + ", " + to + ") must lie within the target's "
                + target.length + " values");
        }
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("noise sigma must be finite and >= 0, got " + sigma);
        }
        int count = to - from;
        if (sigma == 0 || count == 0) {
            return;
        }
        try (DeviceBuffer t = device.allocFloats(count)) {
            device.copyToDevice(target, from, t, count);
            aggregation.addNoise(t, count, sigma, seed, stream, from);
            launches++;
            device.copyToHost(t, target, from, count);
        }
    }

    // ---- a round's updates, read where they live --------------------------------------------------------------

    @Override
    public synchronized double[] gram(RoundUpdates updates, int[] ranges) {
        Objects.requireNonNull(ranges, "gram: ranges");
        int n = updates.size();
        if (n == 0) {
            return new double[0];
        }
        double[] g;
        try (DeviceRows rows = rowsOf(updates)) {
            g = aggregation.gram(rows, ranges);
        }
        launches++;
        return g;
    }

    @Override
    public synchronized double[] dots(RoundUpdates updates, float[] v, int[] ranges) {
        if (v == null) {
            double[] g = gram(updates, ranges);
            int n = updates.size();
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                out[i] = g[i * n + i];
            }
            return out;
        }
        return dotsAndSquaredNorms(updates, v, ranges)[0];
    }

    /**
     * One Gram over the rows and {@code v} (rows gathered on the device, {@code v} uploaded); the Gram is kept so
     * that a later {@code dots(new float[][] {v}, null, ranges)} (FLTrust's root norm) is answered from it.
     */
    @Override
    public synchronized double[][] dotsAndSquaredNorms(RoundUpdates updates, float[] v, int[] ranges) {
        Objects.requireNonNull(ranges, "row dots: ranges");
        if (v == null) {
            double[] norms = dots(updates, null, ranges);
            return new double[][] {norms, norms.clone()};
        }
        int n = updates.size();
        int d = updates.dimension();
        if (v.length != d) {
            throw new IllegalArgumentException("row dots: v has " + v.length + " values, expected the rows' " + d);
        }
        int m = n + 1;
        double[] g;
        try (DeviceBuffer withV = device.allocFloats((long) m * d)) {
            if (n > 0) {
                try (DeviceRows rows = rowsOf(updates)) {
                    device.copy(rows.buffer(), withV, 4L * n * d); // rowsOf gives dense rows (ld = d)
                }
            }
            device.copyToDevice(v, 0, withV.sliceFloats((long) n * d, d), d);
            g = aggregation.gram(DeviceRows.of(withV, m, d), ranges);
        }
        launches++;
        gramRefs = new float[m][];
        gramRefs[n] = v; // the rows are not host arrays: only v can be looked up later
        gramRanges = ranges.clone();
        gram = g;
        double[] dots = new double[n];
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            dots[i] = g[i * m + n];
            norms[i] = g[i * m + i];
        }
        return new double[][] {dots, norms};
    }

    @Override
    public synchronized void median(RoundUpdates updates, float[] out) {
        int d = updatesWithOutput("median", updates, out);
        try (DeviceBuffer o = device.allocFloats(d); DeviceRows rows = rowsOf(updates)) {
            aggregation.median(rows, o);
            launches++;
            device.copyToHost(o, out, 0, d);
        }
    }

    @Override
    public synchronized void trimmedMean(RoundUpdates updates, int trim, float[] out) {
        int d = updatesWithOutput("trimmed mean", updates, out);
        try (DeviceBuffer o = device.allocFloats(d); DeviceRows rows = rowsOf(updates)) {
            aggregation.trimmedMean(rows, trim, o);
            launches++;
            device.copyToHost(o, out, 0, d);
        }
    }

    @Override
    public synchronized void absSignSum(RoundUpdates updates, int[] out) {
        Objects.requireNonNull(out, "sign votes: out");
        int d = updates.dimension();
        if (updates.size() == 0) {
            throw new IllegalArgumentException("sign votes: expected at least 1 row, found 0");
        }
        if (out.length != d) {
            throw new IllegalArgumentException("sign votes: output has " + out.length + " values, expected the rows' "
                + d);
        }
        try (DeviceBuffer o = device.allocInts(d); DeviceRows rows = rowsOf(updates)) {
            aggregation.absSignSum(rows, o);
            launches++;
            device.copyToHost(o, out, 0, d);
        }
    }

    @Override
    public synchronized void accumulate(RoundUpdates updates, double[] weights, float[] out) {
        int d = updatesWithOutput("weighted sum", updates, out);
        try (DeviceBuffer o = device.upload(out); DeviceRows rows = rowsOf(updates)) {
            aggregation.accumulate(rows, weights, o);
            launches++;
            device.copyToHost(o, out, 0, d);
        }
    }

    @Override
    public synchronized void accumulateLayerScaled(RoundUpdates updates, double[] weights, double[][] layerScale,
                                                   ParamLayout layout, float[] out) {
        Objects.requireNonNull(layout, "layer-scaled sum: layout");
        int d = updatesWithOutput("layer-scaled sum", updates, out);
        layout.checkLength("layer-scaled sum output", out);
        try (DeviceBuffer o = device.upload(out); DeviceRows rows = rowsOf(updates)) {
            aggregation.accumulateLayerScaled(rows, weights, layerScale, layout, o);
            launches++;
            device.copyToHost(o, out, 0, d);
        }
    }

    /** Forgets the kept Gram (call after each round). The device itself belongs to the caller. */
    @Override
    public synchronized void close() {
        gram = null;
        gramRefs = null;
        gramRanges = null;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /**
     * The updates' rows on this device as dense rows (ld = d), to close after use: device rows of this device in
     * place (or gathered on it), host rows uploaded for the call.
     */
    private DeviceRows rowsOf(RoundUpdates updates) {
        if (updates instanceof DeviceRoundUpdates onDevice && onDevice.device() == device) {
            return onDevice.deviceRows();
        }
        return upload(updates.rows(), updates.dimension());
    }

    /** Host rows uploaded into a new dense n×d buffer (closed by the caller). */
    private DeviceRows upload(float[][] rows, int d) {
        uploads++;
        return DeviceRows.upload(device, rows, d);
    }

    private static int updatesWithOutput(String kernel, RoundUpdates updates, float[] out) {
        Objects.requireNonNull(out, kernel + ": out");
        if (updates.size() == 0) {
            throw new IllegalArgumentException(kernel + ": expected at least 1 row, found 0");
        }
        int d = updates.dimension();
        if (out.length != d) {
            throw new IllegalArgumentException(kernel + ": output has " + out.length + " values, expected the rows' " + d);
        }
        return d;
    }

    /** Common row length; rows must be non-null and of equal length (0 for no rows). */
    private static int rowLength(String kernel, float[][] rows) {
        Objects.requireNonNull(rows, kernel + ": rows");
        int d = -1;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null) {
                throw new IllegalArgumentException(kernel + ": row " + i + " is null");
            }
            if (d < 0) {
                d = rows[i].length;
            } else if (rows[i].length != d) {
                throw new IllegalArgumentException(kernel + ": row " + i + " has " + rows[i].length
                    + " values, expected " + d + " like row 0");
            }
        }
        return Math.max(d, 0);
    }

    private static void requireRows(String kernel, float[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException(kernel + ": expected at least 1 row, found 0");
        }
    }

    private static int rowsWithOutput(String kernel, float[][] rows, float[] out) {
        Objects.requireNonNull(out, kernel + ": out");
        int d = rowLength(kernel, rows);
        requireRows(kernel, rows);
        if (out.length != d) {
            throw new IllegalArgumentException(kernel + ": output has " + out.length + " values, expected the rows' " + d);
        }
        return d;
    }
}
