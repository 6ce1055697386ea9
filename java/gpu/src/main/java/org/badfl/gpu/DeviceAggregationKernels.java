package org.badfl.gpu;

import java.util.Arrays;
import java.util.Objects;
import org.badfl.engine.ParamLayout;
import org.badfl.server.kernels.AggregationKernels;

/**
 * {@link AggregationKernels} on a {@link Device} (a GPU, or its CPU emulation) through {@link GpuAggregation}: what
 * a {@code ServerContext} returns from {@code kernels()} when the server aggregates on the device (the simulator's
 * {@code --device gpu|emu}).
 * <p>Data movement: the round's rows arrive on the host (the simulator downloads each client's Δ), so the first
 * kernel of a round uploads them into one n×d {@link DeviceRows}; later kernels on the same rows (same row arrays,
 * by identity, in the same order) reuse that upload, so a defense's round costs one upload of the updates plus
 * O(d) for each result. Another set of rows (FLAME's admitted subset, FLTrust's root update) replaces the cached
 * upload: at most one copy of the updates lives on the device. Rows must not change between two calls of a round
 * (the {@link AggregationKernels} contract; {@code RoundUpdates} rows are read-only to defenses).
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

    private float[][] uploadedRefs;
    private DeviceRows uploaded;

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

    /** Uploads of a round's rows so far. */
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
        double[] g = aggregation.gram(rowsOnDevice(rows, d), ranges);
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
            aggregation.median(rowsOnDevice(rows, d), o);
            launches++;
            device.copyToHost(o, out, 0, d);
        }
    }

    @Override
    public synchronized void trimmedMean(float[][] rows, int trim, float[] out) {
        int d = rowsWithOutput("trimmed mean", rows, out);
        try (DeviceBuffer o = device.allocFloats(d)) {
            aggregation.trimmedMean(rowsOnDevice(rows, d), trim, o);
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
            aggregation.absSignSum(rowsOnDevice(rows, d), o);
            launches++;
            device.copyToHost(o, out, 0, d);
        }
    }

    @Override
    public synchronized void accumulate(float[][] rows, double[] weights, float[] out) {
        int d = rowsWithOutput("weighted sum", rows, out);
        try (DeviceBuffer o = device.upload(out)) {
            aggregation.accumulate(rowsOnDevice(rows, d), weights, o);
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
            aggregation.accumulateLayerScaled(rowsOnDevice(rows, d), weights, layerScale, layout, o);
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

    /** Frees the cached rows. The device itself belongs to the caller. */
    @Override
    public synchronized void close() {
        dropUpload();
        gram = null;
        gramRefs = null;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** The rows on the device: the cached upload when it holds exactly these row arrays, else a new upload. */
    private DeviceRows rowsOnDevice(float[][] rows, int d) {
        if (uploaded != null && uploaded.d() == d && sameRefs(uploadedRefs, rows)) {
            return uploaded;
        }
        dropUpload(); // at most one copy of the updates on the device
        uploaded = DeviceRows.upload(device, rows, d);
        uploadedRefs = rows.clone();
        uploads++;
        return uploaded;
    }

    private void dropUpload() {
        if (uploaded != null) {
            uploaded.close();
            uploaded = null;
            uploadedRefs = null;
        }
    }

    private static boolean sameRefs(float[][] a, float[][] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
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
