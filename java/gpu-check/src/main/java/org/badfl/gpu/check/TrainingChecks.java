package org.badfl.gpu.check;

import org.badfl.gpu.nn.DeviceContext;
import org.badfl.gpu.nn.DeviceGemm;
import org.badfl.gpu.nn.DeviceLayer;
import org.badfl.gpu.nn.DeviceSgd;
import org.badfl.gpu.nn.DeviceSoftmaxCrossEntropy;
import org.badfl.gpu.nn.GemmOutput;
import org.badfl.gpu.nn.DevicePass;
import org.badfl.gpu.nn.GpuNetwork;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.badfl.engine.BatchNorm2d;
import org.badfl.engine.Compute;
import org.badfl.engine.Conv2d;
import org.badfl.engine.Dropout;
import org.badfl.engine.Layer;
import org.badfl.engine.Linear;
import org.badfl.engine.MaxPool2d;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Models;
import org.badfl.engine.Network;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.engine.Pass;
import org.badfl.engine.Sgd;
import org.badfl.engine.Shape;
import org.badfl.engine.SoftmaxCrossEntropy;
import org.badfl.engine.gemm.GemmReference;
import org.badfl.gpu.check.CheckFailure;
import org.badfl.gpu.check.Compare;
import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.check.DeviceCheck;
import org.badfl.gpu.KernelArgs;
import org.badfl.util.Seeds;

/**
 * Every training kernel against its CPU specification in {@code org.badfl.engine}, on any device (the CPU emulation
 * in CI, a GPU where present): the GEMM against {@link GemmReference} for every transpose, both tile sizes, split-K,
 * the NCHW output mapping and biases; each layer's device version against the engine layer on the same random
 * inputs at odd sizes (batch 3, 5x7 images, 3 channels, stride 2, padding) and several block sizes; whole models
 * ({@link GpuNetwork} against {@link Network}: logits, loss, gradients, parameters after two SGD steps, saliency).
 * Outputs and gradient buffers are poisoned first ({@link Compare#POISON_BITS}), so an unwritten element fails.
 *
 * <h2>Tolerances</h2>
 * <ul>
 * <li>Bit-identical (Compare.exact): ReLU (plain and guided), max pooling (forward, backward), dropout, global
 *     average pooling, residual add, linear bias gradient, SGD, W − G: same IEEE operations in the same order.</li>
 * <li>GEMM-based outputs (convolution, linear, the GEMM itself): the kernels add K products in float (FMA chains),
 *     so they are within (K + c)·2⁻²⁴·Σ|a·b| of the exact sum (the classic bound on a sum of K terms in any order,
 *     plus c roundings of the epilogue). Against {@link GemmReference} (double) that is the tolerance; the engine's
 *     layers run {@link org.badfl.engine.gemm.Gemm}, which also sums in float, so layer checks allow
 *     (2K + c)·2⁻²⁴·Σ|a·b|. Σ|a·b| is computed the way the reference is, by the engine itself on |inputs| and
 *     |weights|. TF32 adds 2⁻⁹·Σ|a·b|: both factors carry 10 mantissa bits (2⁻¹¹ relative each when
 *     rounded to nearest, 2⁻¹⁰ if the hardware truncates).</li>
 * <li>Double-accumulated statistics (BatchNorm, convolution bias gradient, softmax cross-entropy): the device sums
 *     in a different order (tree), so the doubles differ by ~1e-16 relative and the float results by at most an ulp:
 *     2⁻²²·|ref| plus, where an output is a difference of large terms, 2⁻²²·(those terms) or 1e-9 of the tensor's
 *     largest value (10⁶ above double reassociation, 60 times below one float ulp of that value).</li>
 * <li>Whole models: errors of the float GEMMs (~K·2⁻²⁴ relative per layer) propagate through every layer, the loss
 *     and two SGD steps; measured on the emulation: at most 2e-7 of each tensor's largest value (gradients, parameters
 *     after two steps, logits, saliency maps) against the engine's float GEMM, 1.5e-6 against its earlier
 *     double-accumulating GEMM; losses within 3e-8 relative. The check allows {@value #MODEL_TOL} of
 *     the largest |value| of each parameter tensor (and of the logits, the saliency map) plus {@value #MODEL_EPS}·|ref|,
 *     losses {@value #LOSS_TOL} relative: more than ten times the largest difference seen, while an indexing or
 *     formula error changes values by a sizeable fraction of their scale.</li>
 * </ul>
 */
public final class TrainingChecks {

    private static final double U = 0x1.0p-24;
    private static final double TF32_PRODUCT = 0x1.0p-9;
    public static final double MODEL_TOL = 2e-5;
    public static final double LOSS_TOL = 1e-6;
    public static final double MODEL_EPS = 1e-5;
    private static final int[] BLOCKS = {32, 96, 1024};

    private TrainingChecks() {
    }

    /** All training checks, inputs drawn from {@code seed}. */
    public static List<DeviceCheck> all(long seed) {
        List<DeviceCheck> c = new ArrayList<>();
        addGemm(c, seed);
        addConv(c, seed);
        addLinear(c, seed);
        for (int block : BLOCKS) {
            c.add(new DeviceCheck("relu forward, backward, guided backward block=" + block, d -> relu(d, block, seed)));
            c.add(new DeviceCheck("max pool k=2 s=2 on 3x5x7 batch 3 (ties, NaN) block=" + block,
                d -> maxPool(d, new Shape(3, 5, 7), 2, 2, 3, block, seed)));
            c.add(new DeviceCheck("batch norm train + eval on 3x5x7 batch 3 block=" + block,
                d -> batchNorm(d, new Shape(3, 5, 7), 3, block, seed)));
            c.add(new DeviceCheck("dropout p=0.3 on 3x5x7 batch 3 block=" + block, d -> dropout(d, block, seed)));
            c.add(new DeviceCheck("global average pool 5x3x3 batch 3, residual add block=" + block,
                d -> avgPoolAndResidual(d, block, seed)));
        }
        c.add(new DeviceCheck("max pool k=3 s=2 (overlapping windows) on 2x7x6 batch 2",
            d -> maxPool(d, new Shape(2, 7, 6), 3, 2, 2, 64, seed)));
        c.add(new DeviceCheck("max pool k=2 s=1 on 1x4x5 batch 5", d -> maxPool(d, new Shape(1, 4, 5), 2, 1, 5, 32, seed)));
        c.add(new DeviceCheck("batch norm 1x1 planes (4 channels, batch 5)", d -> batchNorm(d, new Shape(4, 1, 1), 5, 64, seed)));
        c.add(new DeviceCheck("softmax cross-entropy batch 5, 7 classes", d -> softmaxCrossEntropy(d, 5, 7, seed)));
        c.add(new DeviceCheck("softmax cross-entropy batch 1, 2 classes, large logits", d -> softmaxCrossEntropy(d, 1, 2, seed)));
        c.add(new DeviceCheck("sgd momentum 0.9, weight decay, BatchNorm statistics untouched", d -> sgd(d, 0.9, 5e-4, seed)));
        c.add(new DeviceCheck("sgd without momentum", d -> sgd(d, 0, 1e-3, seed)));
        c.add(new DeviceCheck("update W - G", d -> vectorSub(d, seed)));
        addModels(c, seed);
        return c;
    }

    // ================================================================== GEMM

    private static void addGemm(List<DeviceCheck> c, long seed) {
        int[][] shapes = {{1, 1, 1}, {5, 7, 3}, {33, 65, 17}, {70, 129, 40}};
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 2) != 0;
            boolean tb = (t & 1) != 0;
            String tr = (ta ? "T" : "N") + (tb ? "T" : "N");
            for (int[] s : shapes) {
                c.add(new DeviceCheck("sgemm " + tr + " " + s[0] + "x" + s[1] + "x" + s[2] + " tile 64x64",
                    d -> gemm(d, ta, tb, s[0], s[1], s[2], 64, 64, 0, false, false, seed)));
            }
            c.add(new DeviceCheck("sgemm " + tr + " 130x70x45 tile 128x128, 3 k slices, accumulate",
                d -> gemm(d, ta, tb, 130, 70, 45, 128, 128, 3, true, false, seed)));
            c.add(new DeviceCheck("sgemm " + tr + " 67x150x21 tile 64x128",
                d -> gemm(d, ta, tb, 67, 150, 21, 64, 128, 0, false, false, seed)));
            for (int[] tile : new int[][] {{128, 128}, {64, 128}, {64, 64}}) {
                c.add(new DeviceCheck("sgemm " + tr + " 136x260x76 tile " + tile[0] + "x" + tile[1]
                    + ", 2 k slices: float4 loads (aligned) = scalar loads (unaligned), bit for bit",
                    d -> gemmVectorPath(d, ta, tb, 136, 260, 76, tile[0], tile[1], 2, seed)));
            }
            c.add(new DeviceCheck("sgemm tf32 " + tr + " 150x90x70 (GPU only)",
                d -> gemm(d, ta, tb, 150, 90, 70, 0, 0, 0, false, true, seed), true));
        }
        c.add(new DeviceCheck("sgemm NT 9x13x1100: planned split-K", d -> gemm(d, false, true, 9, 13, 1100, 0, 0, 0, false, false, seed)));
        c.add(new DeviceCheck("sgemm tf32 NT 9x13x1100 split-K (GPU only)",
            d -> gemm(d, false, true, 9, 13, 1100, 0, 0, 0, true, true, seed), true));
        c.add(new DeviceCheck("sgemm NCHW output with row bias", d -> gemmMapped(d, 64, 64, 1, seed)));
        c.add(new DeviceCheck("sgemm NCHW output with row bias, 64x128 tile", d -> gemmMapped(d, 64, 128, 1, seed)));
        c.add(new DeviceCheck("sgemm NCHW output with row bias, 2 k slices", d -> gemmMapped(d, 128, 128, 2, seed)));
        c.add(new DeviceCheck("sgemm column bias, k = 0", d -> gemmColumnBias(d, seed)));
    }

    /** op(A)·op(B) (+ C) against GemmReference; tile 0x0 = planned, splits 0 = planned. */
    static void gemm(Device dev, boolean ta, boolean tb, int m, int n, int k, int tileM, int tileN, int splits,
                     boolean accumulate, boolean tf32, long seed) {
        int lda = (ta ? m : k) + 3; // padded leading dimensions
        int ldb = (tb ? k : n) + 1;
        int ldc = n + 2;
        float[] a = gaussian(seed, "gemm-a", (ta ? k : m) * lda, 1);
        float[] b = gaussian(seed, "gemm-b", (tb ? n : k) * ldb, 1);
        float[] c0 = gaussian(seed, "gemm-c", m * ldc, 1);
        float[] ref = c0.clone();
        GemmReference.sgemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, ref, 0, ldc, accumulate);
        float[] bound = accumulate ? abs(c0) : new float[m * ldc];
        GemmReference.sgemm(ta, tb, m, n, k, abs(a), 0, lda, abs(b), 0, ldb, bound, 0, ldc, true);
        try (DeviceBuffer ab = dev.upload(a); DeviceBuffer bb = dev.upload(b); DeviceBuffer cb = poisoned(dev, m * ldc)) {
            DeviceGemm g = new DeviceGemm(dev).forceTile(tileM, tileN).forceSplits(splits);
            try (g) {
                g.setTf32(tf32);
                if (accumulate) {
                    dev.copyToDevice(c0, 0, cb, c0.length);
                }
                g.sgemm(ta, tb, m, n, k, ab, lda, bb, ldb, cb, ldc, accumulate);
                float[] all = dev.downloadFloats(cb, m * ldc + Compare.GUARD);
                Compare.guardIntact("sgemm C", guard(all, m * ldc));
                float[] got = new float[m * n];
                float[] want = new float[m * n];
                double[] tol = new double[m * n];
                double per = (k + 4) * U + (tf32 ? TF32_PRODUCT : 0);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        got[i * n + j] = all[i * ldc + j];
                        want[i * n + j] = ref[i * ldc + j];
                        tol[i * n + j] = per * bound[i * ldc + j];
                    }
                    for (int j = n; j < ldc; j++) { // the padding between rows is never written
                        if (Float.floatToRawIntBits(all[i * ldc + j]) != Compare.POISON_BITS && !accumulate) {
                            throw new CheckFailure("sgemm wrote C[" + i + "][" + j + "] beyond its " + n + " columns");
                        }
                    }
                }
                Compare.close("sgemm " + m + "x" + n + "x" + k + " plan " + g.plan(m, n, k), want, got, tol, 0);
            }
        }
    }

    /**
     * The float4 load path (operands with 16-byte aligned rows: ld a multiple of 4, aligned base) against the scalar
     * path (the same operands one float past an aligned address): identical bits, and both within the reference's
     * tolerance. The shape has full tiles and edge tiles, and a last k tile shorter than 8 in each slice.
     */
    static void gemmVectorPath(Device dev, boolean ta, boolean tb, int m, int n, int k, int tileM, int tileN, int splits,
                               long seed) {
        int lda = ta ? m : k; // multiples of 4: rows stay 16-byte aligned
        int ldb = tb ? k : n;
        float[] a = gaussian(seed, "gemm-vec-a", (ta ? k : m) * lda, 1);
        float[] b = gaussian(seed, "gemm-vec-b", (tb ? n : k) * ldb, 1);
        float[] ref = new float[m * n];
        GemmReference.sgemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, ref, 0, n, false);
        float[] bound = new float[m * n];
        GemmReference.sgemm(ta, tb, m, n, k, abs(a), 0, lda, abs(b), 0, ldb, bound, 0, n, false);
        float[] shiftedA = new float[a.length + 1];
        float[] shiftedB = new float[b.length + 1];
        System.arraycopy(a, 0, shiftedA, 1, a.length);
        System.arraycopy(b, 0, shiftedB, 1, b.length);
        try (DeviceBuffer ab = dev.upload(a); DeviceBuffer bb = dev.upload(b); DeviceBuffer as = dev.upload(shiftedA);
             DeviceBuffer bs = dev.upload(shiftedB); DeviceBuffer cv = poisoned(dev, m * n);
             DeviceBuffer cs = poisoned(dev, m * n);
             DeviceGemm g = new DeviceGemm(dev).forceTile(tileM, tileN).forceSplits(splits)) {
            g.sgemm(ta, tb, m, n, k, ab, lda, bb, ldb, cv, n, false);
            g.sgemm(ta, tb, m, n, k, as.sliceFloats(1, a.length), lda, bs.sliceFloats(1, b.length), ldb, cs, n, false);
            float[] vector = dev.downloadFloats(cv, m * n);
            float[] scalar = dev.downloadFloats(cs, m * n);
            Compare.exact("sgemm float4 loads vs scalar loads", scalar, vector);
            double[] tol = new double[m * n];
            for (int i = 0; i < m * n; i++) {
                tol[i] = (k + 4) * U * bound[i];
            }
            Compare.close("sgemm " + m + "x" + n + "x" + k + " (float4 loads)", ref, vector, tol, 0);
        }
    }

    /** W (outC x K) · X (K x nb*P) written as NCHW with a row bias, against the reference scattered by hand. */
    static void gemmMapped(Device dev, int tileM, int tileN, int splits, long seed) {
        int outC = 5;
        int k = 11;
        int nb = 3;
        int p = 7;
        int n = nb * p;
        float[] w = gaussian(seed, "mapped-w", outC * k, 1);
        float[] x = gaussian(seed, "mapped-x", k * n, 1);
        float[] bias = gaussian(seed, "mapped-bias", outC, 1);
        float[] y = new float[outC * n];
        GemmReference.sgemm(false, false, outC, n, k, w, 0, k, x, 0, n, y, 0, n, false);
        float[] bound = new float[outC * n];
        GemmReference.sgemm(false, false, outC, n, k, abs(w), 0, k, abs(x), 0, n, bound, 0, n, false);
        float[] ref = new float[outC * n];
        double[] tol = new double[outC * n];
        for (int o = 0; o < outC; o++) {
            for (int j = 0; j < nb; j++) {
                for (int q = 0; q < p; q++) {
                    int dst = (j * outC + o) * p + q;
                    ref[dst] = y[o * n + j * p + q] + bias[o];
                    tol[dst] = (k + 4) * U * (bound[o * n + j * p + q] + Math.abs(bias[o]));
                }
            }
        }
        try (DeviceBuffer wb = dev.upload(w); DeviceBuffer xb = dev.upload(x); DeviceBuffer bb = dev.upload(bias);
             DeviceBuffer out = poisoned(dev, outC * n); DeviceGemm g = new DeviceGemm(dev).forceTile(tileM, tileN).forceSplits(splits)) {
            g.run(false, false, outC, n, k, wb, k, xb, n, GemmOutput.nchw(out, outC, p), bb, null, false);
            float[] all = dev.downloadFloats(out, outC * n + Compare.GUARD);
            Compare.guardIntact("NCHW output", guard(all, outC * n));
            Compare.close("sgemm NCHW output + row bias", ref, Arrays.copyOf(all, outC * n), tol, 0);
        }
    }

    /** k = 0 gives C = column bias; then a product with a column bias (linear layer form). */
    static void gemmColumnBias(Device dev, long seed) {
        int m = 3;
        int n = 6;
        int k = 9;
        float[] bias = gaussian(seed, "col-bias", n, 1);
        float[] a = gaussian(seed, "col-a", m * k, 1);
        float[] b = gaussian(seed, "col-b", n * k, 1);
        try (DeviceBuffer bb = dev.upload(bias); DeviceBuffer ab = dev.upload(a); DeviceBuffer wb = dev.upload(b);
             DeviceBuffer out = poisoned(dev, m * n); DeviceGemm g = new DeviceGemm(dev)) {
            g.run(false, true, m, n, 0, ab, k, wb, k, GemmOutput.rowMajor(out, n), null, bb, false);
            float[] expect = new float[m * n];
            for (int i = 0; i < m; i++) {
                System.arraycopy(bias, 0, expect, i * n, n);
            }
            Compare.exact("k = 0: C = 0 + column bias", expect, dev.downloadFloats(out, m * n));
            float[] ref = new float[m * n];
            GemmReference.sgemm(false, true, m, n, k, a, 0, k, b, 0, k, ref, 0, n, false);
            float[] bound = new float[m * n];
            GemmReference.sgemm(false, true, m, n, k, abs(a), 0, k, abs(b), 0, k, bound, 0, n, false);
            double[] tol = new double[m * n];
            for (int i = 0; i < m * n; i++) {
                ref[i] += bias[i % n];
                tol[i] = (k + 4) * U * (bound[i] + Math.abs(bias[i % n]));
            }
            g.run(false, true, m, n, k, ab, k, wb, k, GemmOutput.rowMajor(out, n), null, bb, false);
            Compare.close("X·Wᵀ + column bias", ref, dev.downloadFloats(out, m * n), tol, 0);
        }
    }

    // ================================================================== convolution

    private static void addConv(List<DeviceCheck> c, long seed) {
        c.add(new DeviceCheck("conv2d 3x5x7 -> 4, k3 s1 p1, bias, batch 3 block=32",
            d -> conv(d, new Shape(3, 5, 7), 4, 3, 1, 1, true, 3, 32, DeviceContext.DEFAULT_COLS_BUDGET, seed)));
        c.add(new DeviceCheck("conv2d 3x5x7 -> 4, k3 s1 p1, bias, batch 3, one image per chunk block=1024",
            d -> conv(d, new Shape(3, 5, 7), 4, 3, 1, 1, true, 3, 1024, 1, seed)));
        c.add(new DeviceCheck("conv2d 2x6x5 -> 5, k3 s2 p0, no bias, batch 2 block=96",
            d -> conv(d, new Shape(2, 6, 5), 5, 3, 2, 0, false, 2, 96, DeviceContext.DEFAULT_COLS_BUDGET, seed)));
        c.add(new DeviceCheck("conv2d 1x4x4 -> 3, k1 s1 p0, bias, batch 5",
            d -> conv(d, new Shape(1, 4, 4), 3, 1, 1, 0, true, 5, 64, DeviceContext.DEFAULT_COLS_BUDGET, seed)));
        c.add(new DeviceCheck("conv2d 3x7x7 -> 6, k5 s2 p2, bias, batch 3, 2-image chunks",
            d -> conv(d, new Shape(3, 7, 7), 6, 5, 2, 2, true, 3, 128, 2 * 75 * 16, seed)));
        c.add(new DeviceCheck("conv2d 8x12x12 -> 20, k3 s1 p1, batch 4 (weight gradient k = 576: split-K)",
            d -> conv(d, new Shape(8, 12, 12), 20, 3, 1, 1, false, 4, 256, DeviceContext.DEFAULT_COLS_BUDGET, seed)));
    }

    static void conv(Device dev, Shape in, int outC, int k, int s, int p, boolean bias, int batch, int block, long budget,
                     long seed) {
        Network net = Network.builder("conv", in).conv("c", outC, k, s, p, bias).spec().create(seed);
        Conv2d layer = (Conv2d) net.layers().get(0);
        Network absNet = net.spec().withParams(abs(net.params()));
        Shape o = layer.outputShape();
        float[] x = gaussian(seed, "conv-x", batch * in.size(), 1);
        float[] dy = gaussian(seed, "conv-dy", batch * o.size(), 1);
        LayerRun ref = LayerRun.of(net, 0, x, dy, batch, Pass.train(Compute.serial(), 0, 0));
        LayerRun bound = LayerRun.of(absNet, 0, abs(x), abs(dy), batch, Pass.train(Compute.serial(), 0, 0));
        int ckk = in.channels() * k * k;
        DeviceRun got = DeviceRun.of(dev, net, 0, x, dy, batch, DevicePass.train(0, 0), block, budget);
        String what = "conv2d " + layer.describe();
        // both sides sum in float: twice the one-sided bound (see the class comment)
        Compare.close(what + " forward", ref.out, got.out, scaled(bound.out, (2 * ckk + 4) * U), 0);
        Compare.close(what + " input gradient", ref.dIn, got.dIn, scaled(bound.dIn, (2 * (outC + k * k) + 4) * U), 0);
        ParamLayout.Entry w = net.layout().entry("c.weight");
        Compare.close(what + " weight gradient", slice(ref.grads, w), slice(got.grads, w),
            scaled(slice(bound.grads, w), (2 * (batch * o.plane() + batch) + 4) * U), 0);
        if (bias) {
            ParamLayout.Entry b = net.layout().entry("c.bias");
            Compare.close(what + " bias gradient (double sums)", slice(ref.grads, b), slice(got.grads, b),
                scaled(slice(bound.grads, b), 4 * U), 0);
        }
    }

    // ================================================================== linear

    private static void addLinear(List<DeviceCheck> c, long seed) {
        c.add(new DeviceCheck("linear 3x2x2 -> 7 batch 3 block=32", d -> linear(d, new Shape(3, 2, 2), 7, 3, 32, seed)));
        c.add(new DeviceCheck("linear 13 -> 1 batch 1 block=1024", d -> linear(d, Shape.flat(13), 1, 1, 1024, seed)));
        c.add(new DeviceCheck("linear 600 -> 10 batch 5 (split-K forward)", d -> linear(d, Shape.flat(600), 10, 5, 128, seed)));
    }

    static void linear(Device dev, Shape in, int outF, int batch, int block, long seed) {
        Network net = Network.builder("linear", in).linear("fc", outF).spec().create(seed);
        Linear layer = (Linear) net.layers().get(0);
        Network absNet = net.spec().withParams(abs(net.params()));
        float[] x = gaussian(seed, "linear-x", batch * in.size(), 1);
        float[] dy = gaussian(seed, "linear-dy", batch * outF, 1);
        LayerRun ref = LayerRun.of(net, 0, x, dy, batch, Pass.train(Compute.serial(), 0, 0));
        LayerRun bound = LayerRun.of(absNet, 0, abs(x), abs(dy), batch, Pass.train(Compute.serial(), 0, 0));
        DeviceRun got = DeviceRun.of(dev, net, 0, x, dy, batch, DevicePass.train(0, 0), block, DeviceContext.DEFAULT_COLS_BUDGET);
        String what = "linear " + layer.describe();
        Compare.close(what + " forward", ref.out, got.out, scaled(bound.out, (2 * in.size() + 4) * U), 0);
        Compare.close(what + " input gradient", ref.dIn, got.dIn, scaled(bound.dIn, (2 * outF + 4) * U), 0);
        ParamLayout.Entry w = net.layout().entry("fc.weight");
        Compare.close(what + " weight gradient", slice(ref.grads, w), slice(got.grads, w),
            scaled(slice(bound.grads, w), (2 * batch + 4) * U), 0);
        ParamLayout.Entry b = net.layout().entry("fc.bias");
        Compare.exact(what + " bias gradient (same double sum)", slice(ref.grads, b), slice(got.grads, b));
    }

    // ================================================================== element-wise layers

    static void relu(Device dev, int block, long seed) {
        Shape s = new Shape(3, 5, 7);
        int batch = 3;
        Network net = Network.builder("relu", s).relu().spec().create(seed);
        float[] x = special(gaussian(seed, "relu-x", batch * s.size(), 1), seed);
        float[] dy = special(gaussian(seed, "relu-dy", batch * s.size(), 1), seed + 1);
        for (boolean guided : new boolean[] {false, true}) {
            Pass pass = new Pass(Compute.serial(), false, false, guided, 0, 0);
            LayerRun ref = LayerRun.of(net, 0, x, dy, batch, pass);
            DeviceRun got = DeviceRun.of(dev, net, 0, x, dy, batch, new DevicePass(false, false, guided, 0, 0), block,
                DeviceContext.DEFAULT_COLS_BUDGET);
            Compare.exact("relu forward", ref.out, got.out);
            Compare.exact(guided ? "relu guided backward" : "relu backward", ref.dIn, got.dIn);
        }
    }

    static void maxPool(Device dev, Shape s, int k, int stride, int batch, int block, long seed) {
        Network net = Network.builder("pool", s).maxPool(k, stride).spec().create(seed);
        MaxPool2d layer = (MaxPool2d) net.layers().get(0);
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, "pool-x", s.size(), k, stride));
        float[] x = new float[batch * s.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(5) - 2; // many ties: the first maximum must win
        }
        x[3] = Float.NaN; // a NaN wins its windows
        x[x.length - 2] = -0f;
        float[] dy = gaussian(seed, "pool-dy", batch * layer.outputShape().size(), 1);
        LayerRun ref = LayerRun.of(net, 0, x, dy, batch, Pass.train(Compute.serial(), 0, 0));
        DeviceRun got = DeviceRun.of(dev, net, 0, x, dy, batch, DevicePass.train(0, 0), block, DeviceContext.DEFAULT_COLS_BUDGET);
        Compare.exact("max pool forward " + layer.describe(), ref.out, got.out);
        Compare.exact("max pool backward " + layer.describe(), ref.dIn, got.dIn);
    }

    static void batchNorm(Device dev, Shape s, int batch, int block, long seed) {
        Network net = Network.builder("bn", s).batchNorm("bn").spec().create(seed);
        BatchNorm2d layer = (BatchNorm2d) net.layers().get(0);
        int c = s.channels();
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, "bn-params", c));
        float[] params = net.params();
        for (int i = 0; i < c; i++) {
            params[layer.weightOffset() + i] = (float) r.nextDouble(0.5, 1.5) * (i % 2 == 0 ? 1 : -1);
            params[layer.biasOffset() + i] = (float) r.nextGaussian();
            params[layer.runningMeanOffset() + i] = (float) r.nextGaussian();
            params[layer.runningVarOffset() + i] = (float) r.nextDouble(0.2, 3);
        }
        float[] x = gaussian(seed, "bn-x", batch * s.size(), 2);
        for (int i = 0; i < x.length; i++) {
            x[i] += 3; // a mean far from 0: variance by cancellation would lose digits
        }
        float[] dy = gaussian(seed, "bn-dy", batch * s.size(), 1);
        params = params.clone(); // the engine's training forward updates its live buffer
        // training: output, running statistics, all gradients
        LayerRun ref = LayerRun.of(net.spec().withParams(params), 0, x, dy, batch, Pass.train(Compute.serial(), 0, 0));
        DeviceRun got = DeviceRun.of(dev, net.spec().withParams(params), 0, x, dy, batch, DevicePass.train(0, 0), block,
            DeviceContext.DEFAULT_COLS_BUDGET);
        Compare.close("batch norm train forward", ref.out, got.out, affineTolerance(x, params, layer, batch, true, ref.out), 0);
        Compare.close("batch norm running statistics (params after the forward)", ref.params, got.params, 0, 4 * U);
        // dx = gamma/sigma (dy - mean(dy) - xhat mean(dy xhat)): the subtraction cancels, so float rounding is
        // bounded by the largest terms, not by each result (the engine and the kernel order the sums differently).
        Compare.close("batch norm train input gradient", ref.dIn, got.dIn, 16 * U * maxAbs(ref.dIn), 4 * U);
        Compare.close("batch norm gamma, beta gradients", ref.grads, got.grads, 1e-9 * maxAbs(ref.grads), 4 * U);
        // eval: running statistics, input gradient only (saliency) and with parameter gradients
        for (boolean paramGrads : new boolean[] {false, true}) {
            Network evalNet = net.spec().withParams(params);
            Pass pass = new Pass(Compute.serial(), false, paramGrads, false, 0, 0);
            LayerRun er = LayerRun.of(evalNet, 0, x, dy, batch, pass);
            DeviceRun eg = DeviceRun.of(dev, net.spec().withParams(params), 0, x, dy, batch,
                new DevicePass(false, paramGrads, false, 0, 0), block, DeviceContext.DEFAULT_COLS_BUDGET);
            Compare.close("batch norm eval forward", er.out, eg.out, affineTolerance(x, params, layer, batch, false, er.out), 0);
            Compare.exact("batch norm eval leaves running statistics", er.params, eg.params);
            Compare.close("batch norm eval input gradient (dy * scale)", er.dIn, eg.dIn, 0, 4 * U);
            if (paramGrads) {
                Compare.close("batch norm eval gamma, beta gradients", er.grads, eg.grads, 1e-9 * maxAbs(er.grads), 4 * U);
            }
        }
    }

    /** 2⁻²²·(|x·scale| + |shift|) per element: room for one-ulp differences of the float scale and shift. */
    private static double[] affineTolerance(float[] x, float[] params, BatchNorm2d layer, int batch, boolean training,
                                            float[] ref) {
        Shape s = layer.inputShape();
        int c = s.channels();
        int p = s.plane();
        double[] tol = new double[ref.length];
        for (int ch = 0; ch < c; ch++) {
            double mu;
            double var;
            if (training) {
                double sum = 0;
                double sq = 0;
                for (int b = 0; b < batch; b++) {
                    for (int i = 0; i < p; i++) {
                        sum += x[(b * c + ch) * p + i];
                    }
                }
                mu = sum / ((double) batch * p);
                for (int b = 0; b < batch; b++) {
                    for (int i = 0; i < p; i++) {
                        double d = x[(b * c + ch) * p + i] - mu;
                        sq += d * d;
                    }
                }
                var = sq / ((double) batch * p);
            } else {
                mu = params[layer.runningMeanOffset() + ch];
                var = params[layer.runningVarOffset() + ch];
            }
            double scale = Math.abs(params[layer.weightOffset() + ch]) / Math.sqrt(var + BatchNorm2d.EPS);
            double shift = Math.abs(params[layer.biasOffset() + ch]) + Math.abs(mu) * scale;
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < p; i++) {
                    int e = (b * c + ch) * p + i;
                    tol[e] = 4 * U * (Math.abs(x[e]) * scale + shift);
                }
            }
        }
        return tol;
    }

    static void dropout(Device dev, int block, long seed) {
        Shape s = new Shape(3, 5, 7);
        int batch = 3;
        Network net = Network.builder("drop", s).dropout(0.3).spec().create(seed);
        Dropout layer = (Dropout) net.layers().get(0);
        float[] x = gaussian(seed, "drop-x", batch * s.size(), 1);
        float[] dy = gaussian(seed, "drop-dy", batch * s.size(), 1);
        long dropSeed = Seeds.derive(seed, "dropout-seed");
        long step = (1L << 33) + 5; // both words of the step counter in use
        LayerRun ref = LayerRun.of(net, 0, x, dy, batch, Pass.train(Compute.serial(), dropSeed, step));
        DeviceRun got = DeviceRun.of(dev, net, 0, x, dy, batch, DevicePass.train(dropSeed, step), block,
            DeviceContext.DEFAULT_COLS_BUDGET);
        Compare.exact("dropout forward (Philox mask)", ref.out, got.out);
        Compare.exact("dropout backward", ref.dIn, got.dIn);
        int kept = 0;
        for (int i = 0; i < x.length; i++) {
            boolean keep = Dropout.keep(dropSeed, step, layer.stream(), i, 0.3);
            if (x[i] != 0f && keep != (got.out[i] != 0f)) {
                throw new CheckFailure("dropout element " + i + ": Dropout.keep says " + keep + ", the device output is " + got.out[i]);
            }
            kept += keep ? 1 : 0;
        }
        if (kept == 0 || kept == x.length) {
            throw new CheckFailure("dropout p=0.3 kept " + kept + " of " + x.length + " elements");
        }
        DeviceRun eval = DeviceRun.of(dev, net, 0, x, dy, batch, DevicePass.eval(), block, DeviceContext.DEFAULT_COLS_BUDGET);
        Compare.exact("dropout in evaluation is the identity", x, eval.out);
        Compare.exact("dropout backward in evaluation is the identity", dy, eval.dIn);
    }

    static void avgPoolAndResidual(Device dev, int block, long seed) {
        Shape s = new Shape(5, 3, 3);
        int batch = 3;
        Network net = Network.builder("gap", s).globalAvgPool().spec().create(seed);
        float[] x = gaussian(seed, "gap-x", batch * s.size(), 1);
        float[] dy = gaussian(seed, "gap-dy", batch * s.channels(), 1);
        LayerRun ref = LayerRun.of(net, 0, x, dy, batch, Pass.train(Compute.serial(), 0, 0));
        DeviceRun got = DeviceRun.of(dev, net, 0, x, dy, batch, DevicePass.train(0, 0), block, DeviceContext.DEFAULT_COLS_BUDGET);
        Compare.exact("global average pool forward", ref.out, got.out);
        Compare.exact("global average pool backward", ref.dIn, got.dIn);
        // residual add: out = a + b (forward) and dx = dMain + dShortcut (backward)
        int n = 77;
        float[] a = gaussian(seed, "res-a", n, 1);
        float[] b = gaussian(seed, "res-b", n, 1);
        float[] sum = new float[n];
        for (int i = 0; i < n; i++) {
            sum[i] = a[i] + b[i];
        }
        try (DeviceContext ctx = new DeviceContext(dev, block, DeviceContext.DEFAULT_COLS_BUDGET);
             DeviceBuffer ab = dev.upload(a); DeviceBuffer bb = dev.upload(b); DeviceBuffer out = poisoned(dev, n)) {
            for (String kernel : new String[] {"residual_add_forward_kernel", "residual_add_backward_kernel"}) {
                dev.memset32(out, Compare.POISON_BITS);
                ctx.launch(kernel, n, KernelArgs.create().ptr(ab).ptr(bb).ptr(out).i64(n));
                float[] all = dev.downloadFloats(out, n + Compare.GUARD);
                Compare.guardIntact(kernel, guard(all, n));
                Compare.exact(kernel, sum, Arrays.copyOf(all, n));
            }
        }
    }

    static void softmaxCrossEntropy(Device dev, int batch, int classes, long seed) {
        float[] z = gaussian(seed, "ce-z", batch * classes, classes == 2 ? 60 : 3);
        int[] labels = new int[batch];
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, "ce-labels", batch));
        for (int b = 0; b < batch; b++) {
            labels[b] = r.nextInt(classes);
        }
        float[] dRef = new float[batch * classes];
        double lossRef = SoftmaxCrossEntropy.lossAndGradient(z, labels, batch, classes, dRef);
        try (DeviceContext ctx = new DeviceContext(dev); DeviceSoftmaxCrossEntropy ce = new DeviceSoftmaxCrossEntropy(ctx);
             DeviceBuffer zb = dev.upload(z); DeviceBuffer lb = dev.upload(labels); DeviceBuffer d = poisoned(dev, batch * classes)) {
            double loss = ce.lossAndGradient(zb, lb, batch, classes, d);
            if (!(Math.abs(loss - lossRef) <= 1e-12 * (1 + Math.abs(lossRef)))) {
                throw new CheckFailure("softmax cross-entropy loss: expected " + lossRef + ", got " + loss);
            }
            float[] all = dev.downloadFloats(d, batch * classes + Compare.GUARD);
            Compare.guardIntact("dLogits", guard(all, batch * classes));
            // exp/log within an ulp of the JVM's in double: the float gradients agree to an ulp
            Compare.close("softmax cross-entropy gradient", dRef, Arrays.copyOf(all, batch * classes), 1e-15, 2 * U);
        }
    }

    static void sgd(Device dev, double momentum, double weightDecay, long seed) {
        ModelSpec spec = Network.builder("sgd", new Shape(2, 3, 3)).conv("c", 3, 2, 1, 0, true).batchNorm("bn").relu()
            .flatten().linear("fc", 4).spec();
        Network net = spec.create(seed);
        ParamLayout layout = net.layout();
        float[] w = net.params();
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, "sgd-stats"));
        for (ParamLayout.Entry e : layout.entries()) {
            if (!e.kind().trainable()) {
                for (int i = e.offset(); i < e.end(); i++) {
                    w[i] = (float) r.nextDouble(0.1, 2); // must come back unchanged
                }
            }
        }
        float[] ref = w.clone();
        Sgd cpu = new Sgd(0.05, momentum, weightDecay);
        try (DeviceBuffer params = dev.upload(w); DeviceBuffer grads = dev.allocFloats(layout.size());
             DeviceSgd gpu = new DeviceSgd(0.05, momentum, weightDecay).setBlockSize(64)) {
            for (int step = 0; step < 3; step++) {
                float[] g = gaussian(seed, "sgd-grad-" + step, layout.size(), 1);
                cpu.step(layout, ref, g, Compute.serial());
                dev.copyToDevice(g, 0, grads, g.length);
                gpu.step(layout, params, grads);
            }
            Compare.exact("sgd parameters after 3 steps (momentum " + momentum + ", weight decay " + weightDecay + ")",
                ref, dev.downloadFloats(params, layout.size()));
        }
    }

    static void vectorSub(Device dev, long seed) {
        int n = 1001;
        float[] a = gaussian(seed, "sub-a", n, 1);
        float[] b = gaussian(seed, "sub-b", n, 1);
        float[] ref = new float[n];
        for (int i = 0; i < n; i++) {
            ref[i] = a[i] - b[i];
        }
        try (DeviceContext ctx = new DeviceContext(dev, 128, 1); DeviceBuffer ab = dev.upload(a); DeviceBuffer bb = dev.upload(b);
             DeviceBuffer out = poisoned(dev, n)) {
            ctx.launch("vector_sub_forward_kernel", n, KernelArgs.create().ptr(ab).ptr(bb).ptr(out).i64(n));
            float[] all = dev.downloadFloats(out, n + Compare.GUARD);
            Compare.guardIntact("W - G", guard(all, n));
            Compare.exact("W - G", ref, Arrays.copyOf(all, n));
        }
    }

    // ================================================================== whole models

    private static void addModels(List<DeviceCheck> c, long seed) {
        c.add(new DeviceCheck("model small CNN 1x16x16 (conv5, pool, fc) batch 3",
            d -> model(d, Models.smallCnn("cnn-small", new Shape(1, 16, 16), 5, 4, 6, 8), 3, 64, seed)));
        c.add(new DeviceCheck("model paper CNN 1x9x11 (conv3, pool, dropout) batch 3",
            d -> model(d, Models.paperCnn("cnn-paper", new Shape(1, 9, 11), 4, 4, 6, 10), 3, 128, seed)));
        c.add(new DeviceCheck("model tiny ResNet 3x5x7 (identity + projection blocks) batch 3",
            d -> model(d, Models.resnet("resnet", new Shape(3, 5, 7), 3, new int[] {4, 8}, new int[] {1, 1}), 3, 256, seed)));
    }

    /**
     * A whole model on the device against the engine: eval logits, then train-mode loss and gradients, then the
     * parameters (BatchNorm running statistics included) after two SGD steps with momentum and weight decay, then
     * plain and guided saliency maps.
     */
    static void model(Device dev, ModelSpec spec, int batch, int block, long seed) {
        Network net = spec.create(seed);
        net.setDropoutStream(Seeds.derive(seed, "model-dropout"), 0);
        int size = net.inputSize();
        float[][] xs = new float[3][];
        int[][] ys = new int[3][];
        for (int s = 0; s < 3; s++) {
            xs[s] = gaussian(seed, "model-x" + s, batch * size, 1);
            ys[s] = new SplittableRandom(Seeds.derive(seed, "model-y", s)).ints(batch, 0, net.classes()).toArray();
        }
        DeviceContext ctx = new DeviceContext(dev, block, DeviceContext.DEFAULT_COLS_BUDGET).poisonNewWorkspaces(true);
        try (GpuNetwork gpu = new GpuNetwork(ctx, spec); DeviceSgd gsgd = new DeviceSgd(0.05, 0.9, 5e-4)) {
            gpu.setParams(net.params());
            gpu.setDropoutStream(net.dropoutSeed(), net.dropoutStep());
            String m = "model " + spec.name() + ": ";
            compareModel(m + "eval logits", net.forward(xs[0], batch, false).clone(), gpu.forward(xs[0], batch, false));

            poisonTrainable(dev, gpu);
            double lossRef = net.lossAndGradients(xs[0], ys[0], batch);
            double loss = gpu.lossAndGradients(xs[0], ys[0], batch);
            if (!(Math.abs(loss - lossRef) <= LOSS_TOL * Math.abs(lossRef))) {
                throw new CheckFailure(m + "train loss: expected " + lossRef + ", got " + loss);
            }
            compareByEntry(m + "gradients", net.layout(), net.grads(), gpu.grads());
            compareByEntry(m + "parameters after a train forward (BatchNorm running statistics)", net.layout(),
                net.params(), gpu.params());

            Sgd sgd = new Sgd(0.05, 0.9, 5e-4);
            for (int s = 1; s < 3; s++) {
                double a = net.trainStep(xs[s], ys[s], batch, sgd);
                double b = gpu.trainStep(xs[s], ys[s], batch, gsgd);
                if (!(Math.abs(a - b) <= LOSS_TOL * Math.abs(a))) {
                    throw new CheckFailure(m + "loss of SGD step " + s + ": expected " + a + ", got " + b);
                }
            }
            compareByEntry(m + "parameters after 2 SGD steps", net.layout(), net.params(), gpu.params());

            int[] targets = new int[batch];
            for (int b = 0; b < batch; b++) {
                targets[b] = b % net.classes();
            }
            for (boolean guided : new boolean[] {false, true}) {
                float[] sr = new float[batch * size];
                float[] sg = new float[batch * size];
                net.saliency(xs[1], batch, targets, guided, sr);
                gpu.saliency(xs[1], batch, targets, guided, sg);
                compareModel(m + (guided ? "guided saliency" : "saliency"), sr, sg);
            }
            if (net.dropoutStep() != gpu.dropoutStep()) {
                throw new CheckFailure(m + "dropout step " + gpu.dropoutStep() + ", engine " + net.dropoutStep());
            }
        }
    }

    private static void poisonTrainable(Device dev, GpuNetwork gpu) {
        for (ParamLayout.Entry e : gpu.layout().entries()) {
            if (e.kind().trainable() && e.length() > 0) {
                dev.memset32(gpu.gradsBuffer().sliceFloats(e.offset(), e.length()), Compare.POISON_BITS);
            }
        }
    }

    private static void compareModel(String what, float[] ref, float[] got) {
        Compare.close(what, ref, got, MODEL_TOL * maxAbs(ref), MODEL_EPS);
    }

    /** Per layout entry: tolerance relative to that tensor's largest value (gradients differ in scale by layer). */
    private static void compareByEntry(String what, ParamLayout layout, float[] ref, float[] got) {
        for (ParamLayout.Entry e : layout.entries()) {
            float[] r = slice(ref, e);
            float[] g = slice(got, e);
            Compare.close(what + " " + e.name() + (e.kind() == ParamKind.BN_RUNNING_MEAN
                || e.kind() == ParamKind.BN_RUNNING_VAR ? " (running statistic)" : ""), r, g, MODEL_TOL * maxAbs(r), MODEL_EPS);
        }
    }

    // ================================================================== harness

    /** The engine's layer {@code index} of {@code net}: forward, then backward of {@code dy}. */
    private record LayerRun(float[] out, float[] dIn, float[] grads, float[] params) {
        static LayerRun of(Network net, int index, float[] x, float[] dy, int batch, Pass pass) {
            float[] g = net.grads();
            Arrays.fill(g, 0f);
            Layer layer = net.layers().get(index);
            float[] out = Arrays.copyOf(layer.forward(pass, x, batch), batch * layer.outputShape().size());
            float[] dIn = layer.backward(pass, dy, true);
            float[] din = dIn == null ? null : Arrays.copyOf(dIn, batch * layer.inputShape().size());
            return new LayerRun(out, din, net.grads().clone(), net.params().clone());
        }
    }

    /** The device version of the same layer, on buffers poisoned before use. */
    private record DeviceRun(float[] out, float[] dIn, float[] grads, float[] params) {
        static DeviceRun of(Device dev, Network net, int index, float[] x, float[] dy, int batch, DevicePass pass, int block,
                            long budget) {
            Layer layer = net.layers().get(index);
            ParamLayout layout = net.layout();
            try (DeviceContext ctx = new DeviceContext(dev, block, budget).poisonNewWorkspaces(true);
                 DeviceBuffer params = dev.upload(nonEmpty(net.params()));
                 DeviceBuffer grads = poisoned(dev, layout.size());
                 DeviceBuffer xb = dev.upload(x);
                 DeviceBuffer dyb = dev.upload(dy);
                 DeviceLayer dl = DeviceLayer.of(ctx, layer, params, grads)) {
                for (ParamLayout.Entry e : layout.entries()) {
                    if (!e.kind().trainable() && e.length() > 0) { // running statistics: never written by backward
                        dev.memset32(grads.sliceFloats(e.offset(), e.length()), 0);
                    }
                }
                DeviceBuffer out = dl.forward(pass, xb, batch);
                float[] o = dev.downloadFloats(out, batch * layer.outputShape().size());
                DeviceBuffer dIn = dl.backward(pass, dyb, true);
                float[] d = dev.downloadFloats(dIn, batch * layer.inputShape().size());
                float[] g = dev.downloadFloats(grads, layout.size());
                if (!pass.paramGrads()) {
                    java.util.Arrays.fill(g, 0f); // not written: the reference's are zero too
                }
                Compare.guardIntact("gradient buffer end", guard(dev.downloadFloats(grads, layout.size() + Compare.GUARD),
                    layout.size()));
                return new DeviceRun(o, d, g, dev.downloadFloats(params, layout.size()));
            }
        }
    }

    private static float[] nonEmpty(float[] v) {
        return v.length == 0 ? new float[1] : v;
    }

    // ================================================================== helpers

    static float[] gaussian(long seed, String purpose, int n, double scale) {
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, purpose, n));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (scale * r.nextGaussian());
        }
        return v;
    }

    /** Plants exact zeros, signed zeros and NaN at a few places (ReLU's edge cases). */
    private static float[] special(float[] v, long seed) {
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, "special", v.length));
        float[] pool = {0f, -0f, Float.NaN, Float.MIN_VALUE, -Float.MIN_VALUE};
        for (int k = 0; k < v.length / 8; k++) {
            v[r.nextInt(v.length)] = pool[r.nextInt(pool.length)];
        }
        return v;
    }

    static float[] abs(float[] v) {
        float[] a = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = Math.abs(v[i]);
        }
        return a;
    }

    private static double[] scaled(float[] bound, double factor) {
        double[] t = new double[bound.length];
        for (int i = 0; i < bound.length; i++) {
            t[i] = factor * bound[i];
        }
        return t;
    }

    private static float[] slice(float[] v, ParamLayout.Entry e) {
        return Arrays.copyOfRange(v, e.offset(), e.end());
    }

    public static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            if (Float.isFinite(x)) {
                m = Math.max(m, Math.abs(x));
            }
        }
        return m;
    }

    /** A buffer of n floats plus guard elements, all poison. */
    static DeviceBuffer poisoned(Device dev, int n) {
        DeviceBuffer b = dev.allocFloats(n + Compare.GUARD);
        dev.memset32(b, Compare.POISON_BITS);
        return b;
    }

    private static int[] guard(float[] all, int from) {
        int[] g = new int[all.length - from];
        for (int i = from; i < all.length; i++) {
            g[i - from] = Float.floatToRawIntBits(all[i]);
        }
        return g;
    }
}
