package org.badfl.gpu;

import java.util.Objects;
import org.badfl.engine.ParamLayout;

/**
 * Host launchers of the aggregation kernels: the device versions of {@code org.badfl.server.kernels} (Gram,
 * CoordinateStats, SignVotes, WeightedSum) and {@code org.badfl.server.noise.GaussianNoise}, which are their
 * specification. Inputs are {@link DeviceRows} (one n×d matrix on the device); outputs are device buffers the
 * caller owns (except {@link #gram}, whose n×n result the host needs anyway and gets).
 * <p>Agreement with the CPU reference (checked by {@link AggregationChecks} on every device):
 * median, trimmed mean and sign votes are bit-identical; weighted sums are bit-identical when the CPU sums rows in
 * index order (kernels round multiply and add separately, as Java does); the Gram matrix differs only by the
 * order of its double additions; noise is bit-identical under the emulation and within a float ulp on a GPU.
 * <p>Launch shape: {@code blockSize} threads per block (1..1024) for the element-wise kernels, at most
 * {@code maxGridBlocks} blocks (kernels loop grid-stride over the rest). Neither changes any result. Median and
 * trimmed mean sort each column: in registers (a fully unrolled network, at most 128 threads per block) for
 * 33 <= n <= 128, in shared memory otherwise; both give the same bits. (Two lanes per column, each sorting half a
 * column and joined by one bitonic split step, measured slower on an H100: median 10.9 ms against 7.6 ms at n = 100,
 * d = 11,173,962; benchmarks/gpu/README.md.)
 */
public final class GpuAggregation {

    /** Default coordinates per Gram chunk (enlarged for large problems so partials stay under 64 MiB). */
    public static final int DEFAULT_GRAM_CHUNK = 32768;
    private static final long GRAM_PARTIAL_BUDGET_BYTES = 64L << 20;
    private static final int GRAM_TILE = 32;
    private static final int GRAM_THREADS = 64;
    private static final int PORTABLE_SHARED_BYTES = 48 * 1024;

    private final Device device;
    private final int blockSize;
    private final int maxGridBlocks;
    private final int gramChunk;
    private boolean sharedMemorySort;

    /** Launchers with 256-thread blocks, up to 65536 blocks, the default Gram chunk. */
    public GpuAggregation(Device device) {
        this(device, 256, 65536, DEFAULT_GRAM_CHUNK);
    }

    /**
     * @param blockSize     threads per block of the element-wise kernels (1..1024)
     * @param maxGridBlocks most blocks per launch (>= 1)
     * @param gramChunk     coordinates per Gram chunk before enlargement (>= 1); fixes the Gram's summation order
     */
    public GpuAggregation(Device device, int blockSize, int maxGridBlocks, int gramChunk) {
        this.device = Objects.requireNonNull(device, "device");
        if (blockSize < 1 || blockSize > 1024) {
            throw new IllegalArgumentException("blockSize: expected 1..1024, found " + blockSize);
        }
        if (maxGridBlocks < 1) {
            throw new IllegalArgumentException("maxGridBlocks: expected >= 1, found " + maxGridBlocks);
        }
        if (gramChunk < 1) {
            throw new IllegalArgumentException("gramChunk: expected >= 1, found " + gramChunk);
        }
        this.blockSize = blockSize;
        this.maxGridBlocks = maxGridBlocks;
        this.gramChunk = gramChunk;
    }

    public Device device() {
        return device;
    }

    private Dim3 gridFor(long items, int threadsPerBlock) {
        long blocks = Math.max(1, (items + threadsPerBlock - 1) / threadsPerBlock);
        return Dim3.of((int) Math.min(blocks, maxGridBlocks));
    }

    private static void checkOutput(String op, DeviceBuffer out, long elements, int elementBytes) {
        Objects.requireNonNull(out, op + ": output buffer");
        if (out.bytes() < elements * elementBytes) {
            throw new IllegalArgumentException(op + ": output buffer holds " + out.bytes() / elementBytes
                + " values, expected at least d = " + elements);
        }
    }

    // ---- Gram ------------------------------------------------------------------------------------------------

    /**
     * {@code Gram.compute} on the device: the n×n matrix (row-major, symmetric) of
     * Σ_{c in ranges} rows[i][c]·rows[j][c], summed in double.
     *
     * @param ranges coordinate ranges {@code [s0, e0, s1, e1, ...]} with 0 <= s <= e <= d
     */
    public double[] gram(DeviceRows rows, int[] ranges) {
        Objects.requireNonNull(rows, "rows");
        int[] chunks = gramChunks(ranges, rows.d(), rows.n());
        int n = rows.n();
        int nChunks = chunks.length / 2;
        if (nChunks == 0) {
            return new double[n * n];
        }
        long pairs = (long) n * (n + 1) / 2;
        int tiles = (n + GRAM_TILE - 1) / GRAM_TILE;
        int tilePairs = tiles * (tiles + 1) / 2;
        try (DeviceBuffer chunkTable = device.upload(chunks);
             DeviceBuffer partial = device.allocDoubles(nChunks * pairs);
             DeviceBuffer g = device.allocDoubles((long) n * n)) {
            device.launch("gram_forward_kernel", Dim3.of(tilePairs, nChunks), Dim3.of(GRAM_THREADS), 0,
                KernelArgs.create().ptr(rows.buffer()).i64(rows.ld()).i32(n).ptr(chunkTable).i32(nChunks).ptr(partial));
            device.launch("gram_reduce_forward_kernel", gridFor(pairs, blockSize), Dim3.of(blockSize), 0,
                KernelArgs.create().ptr(partial).i32(n).i32(nChunks).ptr(g));
            return device.downloadDoubles(g, n * n);
        }
    }

    /** Chunk table {start, end, ...}: each range cut into pieces of the chunk length; none spans two ranges. */
    int[] gramChunks(int[] ranges, int d, int n) {
        Objects.requireNonNull(ranges, "ranges");
        if (ranges.length % 2 != 0) {
            throw new IllegalArgumentException("gram ranges: expected pairs [start, end, ...], found " + ranges.length + " values");
        }
        long total = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            if (ranges[r] < 0 || ranges[r] > ranges[r + 1] || ranges[r + 1] > d) {
                throw new IllegalArgumentException("gram range " + r / 2 + ": [" + ranges[r] + ", " + ranges[r + 1]
                    + ") is not inside [0, " + d + ")");
            }
            total += ranges[r + 1] - ranges[r];
        }
        long pairs = (long) n * (n + 1) / 2;
        long maxChunks = Math.max(1, Math.min(65535, GRAM_PARTIAL_BUDGET_BYTES / (8 * pairs)));
        long chunk = Math.max(gramChunk, (total + maxChunks - 1) / maxChunks);
        // Splitting per range can add one chunk per range; enlarge until the table fits.
        while (countChunks(ranges, chunk) > 65535) {
            chunk *= 2;
        }
        int count = countChunks(ranges, chunk);
        int[] out = new int[2 * count];
        int k = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (long s = ranges[r]; s < ranges[r + 1]; s += chunk) {
                out[k++] = (int) s;
                out[k++] = (int) Math.min(ranges[r + 1], s + chunk);
            }
        }
        return out;
    }

    private static int countChunks(int[] ranges, long chunk) {
        long c = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            c += (ranges[r + 1] - ranges[r] + chunk - 1) / chunk;
        }
        return (int) Math.min(Integer.MAX_VALUE, c);
    }

    // ---- coordinate statistics -------------------------------------------------------------------------------

    /** {@code CoordinateStats.median}: out[c] = median of column c (numpy midpoint for even n), c < d. */
    public void median(DeviceRows rows, DeviceBuffer out) {
        Objects.requireNonNull(rows, "rows");
        checkOutput("median", out, rows.d(), 4);
        launchColumnSort("coordinate_median_forward_kernel", rows, out, null);
    }

    /** {@code CoordinateStats.trimmedMean}: drop {@code trim} lowest and highest per coordinate, average the rest. */
    public void trimmedMean(DeviceRows rows, int trim, DeviceBuffer out) {
        Objects.requireNonNull(rows, "rows");
        if (trim < 0 || 2 * trim >= rows.n()) {
            throw new IllegalArgumentException("trimmed mean: cannot trim " + trim + " from each side of " + rows.n() + " rows");
        }
        checkOutput("trimmed mean", out, rows.d(), 4);
        launchColumnSort("coordinate_trimmed_mean_forward_kernel", rows, out, trim);
    }

    private void launchColumnSort(String kernel, DeviceRows rows, DeviceBuffer out, Integer trim) {
        int n = rows.n();
        if (n >= 33 && n <= 128 && !sharedMemorySort) {
            // register network (kernels/coordinate_stats.cu): 64 or 128 keys per thread, at most 128 threads per block
            String variant = kernel.replace("_forward_kernel", n <= 64 ? "_64_forward_kernel" : "_128_forward_kernel");
            int threads = Math.min(blockSize, 128);
            KernelArgs args = KernelArgs.create().ptr(rows.buffer()).i64(rows.ld()).i32(n).i32(rows.d());
            if (trim != null) {
                args.i32(trim);
            }
            args.ptr(out);
            device.launch(variant, gridFor(rows.d(), threads), Dim3.of(threads), 0, args);
            return;
        }
        int np = Integer.highestOneBit(n);
        if (np < n) {
            np <<= 1;
        }
        int columns = columnsPerBlock(np);
        Dim3 grid = gridFor(rows.d(), columns);
        KernelArgs args = KernelArgs.create().ptr(rows.buffer()).i64(rows.ld()).i32(n).i32(rows.d()).i32(np);
        if (trim != null) {
            args.i32(trim);
        }
        args.ptr(out);
        device.launch(kernel, grid, Dim3.of(columns), np * columns * 4, args);
    }

    /** Checks: sort every column in shared memory even where the register network would be used. */
    public GpuAggregation sharedMemorySort(boolean on) {
        this.sharedMemorySort = on;
        return this;
    }

    /**
     * Threads (= columns) per block for sorting columns of {@code np} keys: at most blockSize, within 48 KiB of
     * shared memory when a warp's worth fits there (several blocks per SM), else within the device's opt-in limit.
     */
    int columnsPerBlock(int np) {
        long perColumn = 4L * np;
        int maxShared = device.info().maxSharedBytesPerBlock();
        long limit = perColumn * 32 <= PORTABLE_SHARED_BYTES ? PORTABLE_SHARED_BYTES : maxShared;
        long columns = Math.min(blockSize, limit / perColumn);
        if (columns < 1) {
            throw new IllegalArgumentException("coordinate statistics of " + np + " (padded) rows need " + perColumn
                + " bytes of shared memory per coordinate; " + device.name() + " allows " + maxShared + " per block");
        }
        return (int) (columns >= 32 ? columns / 32 * 32 : columns);
    }

    // ---- sign votes, weighted sums ---------------------------------------------------------------------------

    /** {@code SignVotes.absSignSum}: out[c] = |Σ_i sign(rows[i][c])| as int, c < d. */
    public void absSignSum(DeviceRows rows, DeviceBuffer out) {
        Objects.requireNonNull(rows, "rows");
        checkOutput("sign votes", out, rows.d(), 4);
        device.launch("sign_votes_forward_kernel", gridFor(rows.d(), blockSize), Dim3.of(blockSize), 0,
            KernelArgs.create().ptr(rows.buffer()).i64(rows.ld()).i32(rows.n()).i32(rows.d()).ptr(out));
    }

    /** {@code WeightedSum.accumulate}: out[c] += Σ_i weights[i]·rows[i][c] (double per coordinate), c < d. */
    public void accumulate(DeviceRows rows, double[] weights, DeviceBuffer out) {
        Objects.requireNonNull(rows, "rows");
        checkWeights(weights, rows.n());
        checkOutput("weighted sum", out, rows.d(), 4);
        try (DeviceBuffer w = device.upload(weights)) {
            device.launch("weighted_sum_forward_kernel", gridFor(rows.d(), blockSize), Dim3.of(blockSize), 0,
                KernelArgs.create().ptr(rows.buffer()).i64(rows.ld()).i32(rows.n()).i32(rows.d()).ptr(w).ptr(out));
        }
    }

    /**
     * {@code WeightedSum.accumulateLayerScaled}: out[c] += Σ_i weights[i]·layerScale[i][l(c)]·rows[i][c], l(c) the
     * layout entry of c; {@code layerScale[i] == null} means scale 1. Requires d = layout.size().
     */
    public void accumulateLayerScaled(DeviceRows rows, double[] weights, double[][] layerScale, ParamLayout layout,
                                      DeviceBuffer out) {
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(layerScale, "layerScale");
        int n = rows.n();
        checkWeights(weights, n);
        if (layout.size() != rows.d()) {
            throw new IllegalArgumentException("layer-scaled sum: rows have d = " + rows.d() + " coordinates, layout has "
                + layout.size());
        }
        if (layerScale.length != n) {
            throw new IllegalArgumentException("layer-scaled sum: expected " + n + " layer-scale rows, found " + layerScale.length);
        }
        int entries = layout.entries().size();
        checkOutput("layer-scaled sum", out, rows.d(), 4);
        double[] coef = new double[n * entries];
        int[] ends = new int[entries];
        for (int e = 0; e < entries; e++) {
            ends[e] = layout.entries().get(e).end();
        }
        for (int i = 0; i < n; i++) {
            if (layerScale[i] != null && layerScale[i].length < entries) {
                throw new IllegalArgumentException("layer-scaled sum: layerScale[" + i + "] has " + layerScale[i].length
                    + " values, expected one per layout entry (" + entries + ")");
            }
            for (int e = 0; e < entries; e++) {
                double f = layerScale[i] == null ? 1.0 : layerScale[i][e];
                coef[i * entries + e] = weights[i] * f; // grouped as the CPU reference: (w·f)·x
            }
        }
        try (DeviceBuffer c = device.upload(coef); DeviceBuffer end = device.upload(ends)) {
            device.launch("weighted_sum_layer_scaled_forward_kernel", gridFor(rows.d(), blockSize), Dim3.of(blockSize), 0,
                KernelArgs.create().ptr(rows.buffer()).i64(rows.ld()).i32(n).i32(rows.d()).ptr(c).ptr(end).i32(entries).ptr(out));
        }
    }

    private static void checkWeights(double[] weights, int n) {
        Objects.requireNonNull(weights, "weights");
        if (weights.length != n) {
            throw new IllegalArgumentException("weights: expected one per row (" + n + "), found " + weights.length);
        }
    }

    // ---- Gaussian noise --------------------------------------------------------------------------------------

    /** {@code GaussianNoise.add}: target[k] += σ·z_k for k < count, z from stream (seed, stream). */
    public void addNoise(DeviceBuffer target, long count, double sigma, long seed, long stream) {
        addNoise(target, count, sigma, seed, stream, 0);
    }

    /**
     * target[k] += σ·z_{first + k} for k < count: the slice of the stream that a slice of a larger vector starting at
     * element {@code first} receives under {@code GaussianNoise.add} on the whole vector.
     */
    public void addNoise(DeviceBuffer target, long count, double sigma, long seed, long stream, long first) {
        Objects.requireNonNull(target, "noise target");
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("noise sigma must be finite and >= 0, got " + sigma);
        }
        if (count < 0 || first < 0) {
            throw new IllegalArgumentException("noise: count and first index must be >= 0, got " + count + " and " + first);
        }
        checkOutput("noise", target, count, 4);
        if (sigma == 0 || count == 0) {
            return;
        }
        long philoxBlocks = (first + count - 1) / 4 - first / 4 + 1;
        device.launch("gaussian_noise_forward_kernel", gridFor(philoxBlocks, blockSize), Dim3.of(blockSize), 0,
            KernelArgs.create().ptr(target).i64(count).f64(sigma).i64(seed).i64(stream).i64(first));
    }
}
