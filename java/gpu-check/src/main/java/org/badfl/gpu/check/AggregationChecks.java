package org.badfl.gpu.check;

import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.DeviceRows;
import org.badfl.gpu.GpuAggregation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.kernels.CoordinateStats;
import org.badfl.server.kernels.Gram;
import org.badfl.server.kernels.GramReference;
import org.badfl.server.kernels.SignVotes;
import org.badfl.server.kernels.WeightedSum;
import org.badfl.server.noise.GaussianNoise;
import org.badfl.util.Seeds;

/**
 * Each aggregation kernel against its Java reference ({@code org.badfl.server.kernels}, {@code server.noise}) on
 * random inputs, at several block sizes and at odd sizes (n = 1, d = 1, d not a multiple of the block), with
 * outputs poisoned ({@link Compare#POISON_BITS}) and guard elements after them, so that an unwritten or
 * overwritten element fails. Inputs mix Gaussians of varied scale with ties, signed zeros and exact zeros.
 * <p>Tolerances and why:
 * <ul>
 *   <li>median, sign votes: bit-identical (order statistics and integers).</li>
 *   <li>trimmed mean, weighted sums: the double sum of each coordinate may be ordered differently by a future
 *       CPU implementation: {@code 1e-12·Σ|terms| + |ref|·2⁻²³} (the float result may round to the neighbour).
 *       The current kernels and references agree bit for bit.</li>
 *   <li>Gram: a different order of double additions: {@code 1e-11·sqrt(G_ii·G_jj)}.</li>
 *   <li>Gaussian noise: bit-identical on the emulation; on a GPU its double log/sin/cos may differ from the JVM's
 *       by an ulp or two: {@code 1e-9·σ + |ref|·2⁻²²}.</li>
 * </ul>
 */
public final class AggregationChecks {

    /** Block sizes every element-wise kernel is checked at (37: not a multiple of the warp). */
    static final int[] BLOCKS = {32, 37, 128, 256, 1024};
    /** (n, d) shapes: single row, single coordinate, odd sizes, more rows than a Gram tile. */
    static final int[][] SHAPES = {{1, 1}, {1, 37}, {2, 5}, {3, 1000}, {7, 33}, {16, 1}, {33, 4099}, {65, 3}, {100, 257}};

    private static final double FLOAT_ULP = 0x1.0p-23;

    private AggregationChecks() {
    }

    /** All aggregation checks, inputs drawn from {@code seed}. */
    public static List<DeviceCheck> all(long seed) {
        List<DeviceCheck> checks = new ArrayList<>();
        for (int[] s : SHAPES) {
            int n = s[0];
            int d = s[1];
            for (int block : BLOCKS) {
                String shape = " n=" + n + " d=" + d + " block=" + block;
                checks.add(new DeviceCheck("median" + shape, dev -> median(dev, n, d, block, seed)));
                checks.add(new DeviceCheck("trimmed mean" + shape, dev -> trimmedMean(dev, n, d, block, seed)));
                checks.add(new DeviceCheck("sign votes" + shape, dev -> signVotes(dev, n, d, block, seed)));
                checks.add(new DeviceCheck("weighted sum" + shape, dev -> weightedSum(dev, n, d, block, seed)));
                checks.add(new DeviceCheck("layer-scaled weighted sum" + shape, dev -> layerScaled(dev, n, d, block, seed)));
                checks.add(new DeviceCheck("gaussian noise d=" + d + " block=" + block, dev -> noise(dev, d, block, 0, seed)));
            }
            checks.add(new DeviceCheck("gram all coordinates n=" + n + " d=" + d, dev -> gram(dev, n, d, Gram.all(d), 32768, seed)));
            checks.add(new DeviceCheck("gram 3 ranges, 5-coordinate chunks n=" + n + " d=" + d,
                dev -> gram(dev, n, d, new int[] {0, d / 3, d / 3, d / 3, d / 2, d}, 5, seed)));
        }
        checks.add(new DeviceCheck("median with NaN, infinities, signed zeros n=6", dev -> specialValues(dev, 6, seed, false)));
        checks.add(new DeviceCheck("median with NaN, infinities, signed zeros n=7", dev -> specialValues(dev, 7, seed, false)));
        checks.add(new DeviceCheck("trimmed mean with NaN, infinities, signed zeros n=7", dev -> specialValues(dev, 7, seed, true)));
        for (int n : new int[] {33, 64, 65, 99, 100, 128}) {
            checks.add(new DeviceCheck("median with NaN, infinities, signed zeros n=" + n + " (register network)",
                dev -> specialValues(dev, n, seed, false)));
            checks.add(new DeviceCheck("trimmed mean with NaN, infinities, signed zeros n=" + n + " (register network)",
                dev -> specialValues(dev, n, seed, true)));
        }
        checks.add(new DeviceCheck("median n=100 d=1000 grid-stride (2 blocks of 64 lanes)", dev -> medianSmallGrid(dev, seed)));
        checks.add(new DeviceCheck("median n=300 (padded to 512 rows)", dev -> median(dev, 300, 70, 128, seed)));
        checks.add(new DeviceCheck("median and trimmed mean n=100, n=50 sorted in shared memory (not registers)",
            dev -> sharedSort(dev, seed)));
        checks.add(new DeviceCheck("rows with a stride: median, weighted sum n=5 d=41 ld=50", dev -> strided(dev, seed)));
        checks.add(new DeviceCheck("gaussian noise from element 6 (mid-block) d=45", dev -> noise(dev, 45, 64, 6, seed)));
        checks.add(new DeviceCheck("gaussian noise grid-stride (2 blocks of 32) d=5000", dev -> noiseSmallGrid(dev, seed)));
        return checks;
    }

    // ---- inputs ----------------------------------------------------------------------------------------------

    /** n rows of d floats: per-row scale e^N(0,1), 15% drawn from {-1, -0, 0, 0.5, 1} (ties, signed zeros). */
    static float[][] rows(long seed, String purpose, int n, int d) {
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, purpose, n, d));
        float[] special = {-1f, -0f, 0f, 0.5f, 1f};
        float[][] rows = new float[n][d];
        for (int i = 0; i < n; i++) {
            double scale = Math.exp(r.nextGaussian());
            for (int c = 0; c < d; c++) {
                rows[i][c] = r.nextDouble() < 0.15 ? special[r.nextInt(special.length)] : (float) (scale * r.nextGaussian());
            }
        }
        return rows;
    }

    private static double[] weights(long seed, int n) {
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, "weights", n));
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = r.nextDouble(-1, 2);
        }
        return w;
    }

    private static float[] initialOut(long seed, int d) {
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, "initial-out", d));
        float[] out = new float[d];
        for (int c = 0; c < d; c++) {
            out[c] = (float) r.nextGaussian();
        }
        return out;
    }

    /** A fresh output of d elements plus guard elements, all poison. */
    private static DeviceBuffer poisoned(Device dev, int d) {
        DeviceBuffer b = dev.allocInts(d + Compare.GUARD);
        dev.memset32(b, Compare.POISON_BITS);
        return b;
    }

    /** Downloads d floats + guard; checks the guard; returns the d floats. */
    private static float[] resultFloats(Device dev, DeviceBuffer out, int d, String what) {
        float[] all = dev.downloadFloats(out, d + Compare.GUARD);
        Compare.guardIntact(what, DeviceChecks.guardBits(all, d));
        return Arrays.copyOf(all, d);
    }

    // ---- checks ----------------------------------------------------------------------------------------------

    static void median(Device dev, int n, int d, int block, long seed) {
        float[][] x = rows(seed, "stats", n, d);
        float[] ref = new float[d];
        CoordinateStats.median(x, ref, Compute.serial());
        try (DeviceRows rows = DeviceRows.upload(dev, x, d); DeviceBuffer out = poisoned(dev, d)) {
            new GpuAggregation(dev, block, 65536, GpuAggregation.DEFAULT_GRAM_CHUNK).median(rows, out);
            Compare.exact("median", ref, resultFloats(dev, out, d, "median"));
        }
    }

    /** The shared-memory sort at sizes that normally take the register network: same bits as the reference. */
    static void sharedSort(Device dev, long seed) {
        for (int n : new int[] {100, 50}) {
            int d = 301;
            float[][] x = rows(seed, "shared-sort", n, d);
            float[] med = new float[d];
            float[] trimmed = new float[d];
            CoordinateStats.median(x, med, Compute.serial());
            CoordinateStats.trimmedMean(x, n / 10, trimmed, Compute.serial());
            GpuAggregation agg = new GpuAggregation(dev, 128, 65536, GpuAggregation.DEFAULT_GRAM_CHUNK).sharedMemorySort(true);
            try (DeviceRows rows = DeviceRows.upload(dev, x, d); DeviceBuffer out = poisoned(dev, d)) {
                agg.median(rows, out);
                Compare.exact("median n=" + n + " (shared-memory sort)", med, resultFloats(dev, out, d, "median"));
                agg.trimmedMean(rows, n / 10, out);
                Compare.close("trimmed mean n=" + n + " (shared-memory sort)", trimmed, resultFloats(dev, out, d, "trimmed"),
                    sumTolerance(x, null, d), FLOAT_ULP);
            }
        }
    }

    static void medianSmallGrid(Device dev, long seed) {
        int n = 100;
        int d = 1000;
        float[][] x = rows(seed, "small-grid", n, d);
        float[] ref = new float[d];
        CoordinateStats.median(x, ref, Compute.serial());
        try (DeviceRows rows = DeviceRows.upload(dev, x, d); DeviceBuffer out = poisoned(dev, d)) {
            new GpuAggregation(dev, 64, 2, GpuAggregation.DEFAULT_GRAM_CHUNK).median(rows, out);
            Compare.exact("median", ref, resultFloats(dev, out, d, "median"));
        }
    }

    static void trimmedMean(Device dev, int n, int d, int block, long seed) {
        float[][] x = rows(seed, "stats", n, d);
        int trim = (n - 1) / 3; // 0 for n <= 3
        float[] ref = new float[d];
        CoordinateStats.trimmedMean(x, trim, ref, Compute.serial());
        try (DeviceRows rows = DeviceRows.upload(dev, x, d); DeviceBuffer out = poisoned(dev, d)) {
            new GpuAggregation(dev, block, 65536, GpuAggregation.DEFAULT_GRAM_CHUNK).trimmedMean(rows, trim, out);
            Compare.close("trimmed mean (trim " + trim + ")", ref, resultFloats(dev, out, d, "trimmed mean"),
                sumTolerance(x, null, d), FLOAT_ULP);
        }
    }

    static void signVotes(Device dev, int n, int d, int block, long seed) {
        float[][] x = rows(seed, "signs", n, d);
        int[] ref = new int[d];
        SignVotes.absSignSum(x, ref, Compute.serial());
        try (DeviceRows rows = DeviceRows.upload(dev, x, d); DeviceBuffer out = poisoned(dev, d)) {
            new GpuAggregation(dev, block, 65536, GpuAggregation.DEFAULT_GRAM_CHUNK).absSignSum(rows, out);
            int[] all = dev.downloadInts(out, d + Compare.GUARD);
            Compare.guardIntact("sign votes", Arrays.copyOfRange(all, d, d + Compare.GUARD));
            Compare.exact("sign votes", ref, Arrays.copyOf(all, d));
        }
    }

    static void weightedSum(Device dev, int n, int d, int block, long seed) {
        float[][] x = rows(seed, "weighted", n, d);
        double[] w = weights(seed, n);
        float[] ref = initialOut(seed, d);
        float[] start = ref.clone();
        WeightedSum.accumulate(x, w, ref, Compute.serial());
        try (DeviceRows rows = DeviceRows.upload(dev, x, d); DeviceBuffer out = poisoned(dev, d)) {
            dev.copyToDevice(start, 0, out, d);
            new GpuAggregation(dev, block, 65536, GpuAggregation.DEFAULT_GRAM_CHUNK).accumulate(rows, w, out);
            Compare.close("weighted sum", ref, resultFloats(dev, out, d, "weighted sum"), sumTolerance(x, w, d), FLOAT_ULP);
        }
    }

    /** A layout of d coordinates cut into entries of varied length, one of them empty. */
    static ParamLayout layout(int d) {
        ParamLayout.Builder b = ParamLayout.builder();
        int at = 0;
        int k = 0;
        int[] lengths = {3, 0, 17, 1, 64, 250, 5};
        while (at < d) {
            int len = Math.min(lengths[k % lengths.length], d - at);
            b.add("p" + k, len, k % 3 == 2 ? ParamKind.BIAS : ParamKind.WEIGHT);
            at += len;
            k++;
        }
        return b.build();
    }

    static void layerScaled(Device dev, int n, int d, int block, long seed) {
        float[][] x = rows(seed, "layer-scaled", n, d);
        double[] w = weights(seed, n);
        ParamLayout layout = layout(d);
        int entries = layout.entries().size();
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, "layer-scale", n, d));
        double[][] scale = new double[n][];
        for (int i = 0; i < n; i++) {
            if (i % 3 != 1) { // every third client: null, i.e. scale 1
                scale[i] = new double[entries];
                for (int e = 0; e < entries; e++) {
                    scale[i][e] = r.nextDouble(0, 1.5);
                }
            }
        }
        float[] ref = initialOut(seed, d);
        float[] start = ref.clone();
        WeightedSum.accumulateLayerScaled(x, w, scale, layout, ref, Compute.serial());
        double[] effective = new double[n]; // bound the terms with the largest scale a row can get
        for (int i = 0; i < n; i++) {
            effective[i] = Math.abs(w[i]) * 1.5;
        }
        try (DeviceRows rows = DeviceRows.upload(dev, x, d); DeviceBuffer out = poisoned(dev, d)) {
            dev.copyToDevice(start, 0, out, d);
            new GpuAggregation(dev, block, 65536, GpuAggregation.DEFAULT_GRAM_CHUNK)
                .accumulateLayerScaled(rows, w, scale, layout, out);
            Compare.close("layer-scaled weighted sum", ref, resultFloats(dev, out, d, "layer-scaled sum"),
                sumTolerance(x, effective, d), FLOAT_ULP);
        }
    }

    /** Per coordinate 1e-12·Σ_i |w_i·x_i| (w = 1 when null): room for a reordered double sum. */
    private static double[] sumTolerance(float[][] x, double[] w, int d) {
        double[] tol = new double[d];
        for (int i = 0; i < x.length; i++) {
            double wi = w == null ? 1 : Math.abs(w[i]);
            for (int c = 0; c < d; c++) {
                tol[c] += 1e-12 * wi * Math.abs(x[i][c]);
            }
        }
        return tol;
    }

    static void gram(Device dev, int n, int d, int[] ranges, int chunk, long seed) {
        float[][] x = rows(seed, "gram", n, d);
        double[] ref = GramReference.compute(x, ranges); // the definition: the CPU kernel sums chunks in float
        try (DeviceRows rows = DeviceRows.upload(dev, x, d)) {
            double[] got = new GpuAggregation(dev, 256, 65536, chunk).gram(rows, ranges);
            double[] tol = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    tol[i * n + j] = 1e-11 * Math.sqrt(ref[i * n + i] * ref[j * n + j]);
                }
            }
            Compare.close("gram over " + Arrays.toString(ranges), ref, got, tol, 0);
        }
    }

    static void specialValues(Device dev, int n, long seed, boolean trimmed) {
        int d = 200;
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, "special", n));
        float[] pool = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, 1f, -1f, Float.MIN_VALUE,
            -Float.MIN_VALUE, Float.MAX_VALUE};
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                x[i][c] = r.nextDouble() < 0.5 ? pool[r.nextInt(pool.length)] : (float) r.nextGaussian();
            }
        }
        float[] ref = new float[d];
        if (trimmed) {
            CoordinateStats.trimmedMean(x, 2, ref, Compute.serial());
        } else {
            CoordinateStats.median(x, ref, Compute.serial());
        }
        try (DeviceRows rows = DeviceRows.upload(dev, x, d); DeviceBuffer out = poisoned(dev, d)) {
            GpuAggregation agg = new GpuAggregation(dev, 64, 65536, GpuAggregation.DEFAULT_GRAM_CHUNK);
            if (trimmed) {
                agg.trimmedMean(rows, 2, out);
            } else {
                agg.median(rows, out);
            }
            Compare.exact(trimmed ? "trimmed mean" : "median", ref, resultFloats(dev, out, d, "output"));
        }
    }

    static void strided(Device dev, long seed) {
        int n = 5;
        int d = 41;
        int ld = 50;
        float[][] x = rows(seed, "strided", n, d);
        try (DeviceBuffer b = dev.allocFloats((long) (n - 1) * ld + d)) {
            dev.memset32(b, Float.floatToRawIntBits(1e30f)); // the gaps between rows must be ignored
            for (int i = 0; i < n; i++) {
                dev.copyToDevice(x[i], 0, b.sliceFloats((long) i * ld, d), d);
            }
            DeviceRows rows = new DeviceRows(b, n, d, ld);
            GpuAggregation agg = new GpuAggregation(dev, 32, 65536, GpuAggregation.DEFAULT_GRAM_CHUNK);
            float[] med = new float[d];
            CoordinateStats.median(x, med, Compute.serial());
            try (DeviceBuffer out = poisoned(dev, d)) {
                agg.median(rows, out);
                Compare.exact("median of strided rows", med, resultFloats(dev, out, d, "median"));
            }
            double[] w = weights(seed, n);
            float[] ref = new float[d];
            WeightedSum.accumulate(x, w, ref, Compute.serial());
            try (DeviceBuffer out = poisoned(dev, d)) {
                dev.memset32(out.sliceFloats(0, d), 0);
                agg.accumulate(rows, w, out);
                Compare.close("weighted sum of strided rows", ref, resultFloats(dev, out, d, "weighted sum"),
                    sumTolerance(x, w, d), FLOAT_ULP);
            }
        }
    }

    static void noise(Device dev, int d, int block, int first, long seed) {
        long noiseSeed = Seeds.derive(seed, "noise-seed", d);
        long stream = Seeds.derive(seed, "noise-stream", d);
        double sigma = 0.37;
        float[] whole = initialOut(seed, first + d);
        float[] start = Arrays.copyOfRange(whole, first, first + d);
        GaussianNoise.add(whole, sigma, noiseSeed, stream, Compute.serial());
        float[] ref = Arrays.copyOfRange(whole, first, first + d);
        try (DeviceBuffer out = poisoned(dev, d)) {
            dev.copyToDevice(start, 0, out, d);
            new GpuAggregation(dev, block, 65536, GpuAggregation.DEFAULT_GRAM_CHUNK).addNoise(out, d, sigma, noiseSeed, stream, first);
            compareNoise(dev, ref, resultFloats(dev, out, d, "noise"), sigma);
        }
    }

    static void noiseSmallGrid(Device dev, long seed) {
        int d = 5000;
        long noiseSeed = -1L;
        long stream = 1L << 40; // high word of the stream counter in use
        double sigma = 2.5;
        float[] ref = new float[d];
        GaussianNoise.add(ref, sigma, noiseSeed, stream, Compute.serial());
        try (DeviceBuffer out = poisoned(dev, d)) {
            dev.memset32(out.sliceFloats(0, d), 0);
            new GpuAggregation(dev, 32, 2, GpuAggregation.DEFAULT_GRAM_CHUNK).addNoise(out, d, sigma, noiseSeed, stream);
            compareNoise(dev, ref, resultFloats(dev, out, d, "noise"), sigma);
        }
    }

    private static void compareNoise(Device dev, float[] ref, float[] got, double sigma) {
        if (dev.emulated()) {
            Compare.exact("noise (emulation: same double arithmetic as the JVM)", ref, got);
        } else {
            Compare.close("noise (GPU libm within an ulp or two of the JVM's)", ref, got, 1e-9 * sigma, 0x1.0p-22);
        }
    }
}
