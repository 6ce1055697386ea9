package org.badfl.engine;

import java.util.SplittableRandom;
import org.badfl.engine.gemm.Gemm;
import org.badfl.engine.gemm.PackedA;

/**
 * 2-D convolution (cross-correlation, as {@code torch.nn.Conv2d}) with square kernel, stride, zero padding and
 * optional bias. Weight layout OIHW: element (o, c, ki, kj) at {@code weight[((o*C + c)*k + ki)*k + kj]};
 * parameters "NAME.weight" (outC x inC x k x k) and "NAME.bias" (outC).
 * <p>Computed as im2col + GEMM over small <em>units</em> of {@code g} consecutive images, so that a unit's
 * columns stay in the core's caches between the im2col, the GEMMs and the col2im: with {@code CKK = inC*k*k},
 * {@code P = OH*OW} and a unit of {@code nb <= g} images,
 * <pre>
 *   cols (CKK x nb*P)      = im2col(unit)                       ({@link #im2col})
 *   Y    (outC x nb*P)     = W (outC x CKK) * cols              (Gemm; for nb = 1 written straight into out)
 *   out[n][o][p]           = Y[o][n*P + p] + bias[o]
 * backward, with dY gathered from dOut the same way (for nb = 1, dOut is used in place):
 *   dW     = sum over units of dY * cols^T
 *   db[o]  = sum over n, p of dOut[n][o][p]                     (double accumulators)
 *   dCols  = W^T * dY ;  dIn = col2im(dCols)                    ({@link #col2im})
 * </pre>
 * The weights are packed as GEMM operand once per pass ({@link Gemm#packA}), not in every unit's product.
 * <p>{@code g} is the fewest images giving a GEMM at least {@link #MIN_COLUMNS} columns (1 for P &gt;= 256), within
 * the im2col budget. Units are independent in forward and in dIn, so they run in parallel, each on its
 * thread's own workspace. The weight and bias gradients are reductions over units: the units are cut into
 * {@code R} <em>reduction groups</em> of consecutive units ({@link #reductionGroups}), each group sums its units
 * in order into its own partial (weight-gradient chains continue across a group's units), and the partials are
 * added in group order. Unit size and groups depend only on the layer shape and batch, never on the threads,
 * so results are bit-identical for any thread count; groups are what lets several threads share the weight
 * gradient of a small layer over a long pixel dimension. Layers with large weight matrices use one group
 * (the GEMM itself is then split over output blocks).
 */
public final class Conv2d extends Layer {

    /** Maximum floats in one unit's im2col buffer; a unit has at least one image whatever this says. */
    static final long COLS_BUDGET = 1L << 21;
    /** A unit has enough images for its GEMMs to have at least this many columns (or the whole batch). */
    static final int MIN_COLUMNS = 256;
    /**
     * Column panels of the vector GEMM are 48 wide with AVX-512 (3 vectors of 16) and 24 with AVX2; a constant,
     * not the machine's width, so that the work split (and with it the summation order) is the same everywhere.
     */
    static final int COLUMN_MULTIPLE = 48;
    /** Floats of one output-row chunk's im2col columns (512 KiB: half the L2 cache of current server cores). */
    static final long CHUNK_COLS_BUDGET = 1L << 17;
    /**
     * Layers with more weights than this process whole images (set when each chunk's GEMMs packed the weights
     * again; they are packed once per pass now, but the weight-gradient product still re-reads its output).
     */
    static final long CHUNK_MAX_WEIGHTS = 1L << 16;
    /** Most weight-gradient partials: enough for 2-4 threads to balance, few enough to add up cheaply. */
    static final int MAX_GROUPS = 8;
    /** Floats of all the partials of a layer together at most; layers with larger weights use one group. */
    static final long PARTIALS_BUDGET = 1L << 20;

    private final int inC;
    private final int outC;
    private final int k;
    private final int stride;
    private final int pad;
    private final boolean hasBias;
    private final long colsBudget;
    private int weightOffset = -1;
    private int biasOffset = -1;

    private float[] out;
    private float[] dIn;
    private float[] lastIn;
    private int lastBatch;
    /** Weight-gradient partials of the reduction groups, {@code R x outC x CKK} (unused with one group). */
    private float[] partialWeights;
    /** Bias-gradient partials of the reduction groups, {@code R x outC}. */
    private double[] partialBias;

    /** Per-thread buffers of one unit, grown on demand and reused by every convolution the thread runs. */
    private static final class Workspace {
        float[] cols = new float[0];
        float[] y = new float[0];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /**
     * The weights as packed GEMM operand ({@link Gemm#packA}): W for the forward products, W^T for the input
     * gradient, packed once per pass by the thread that runs the layer and read by every unit's products.
     * Per calling thread, not per layer (layers run one after the other), so it costs the largest layer's
     * weights once, not every layer's.
     */
    private static final ThreadLocal<PackedA[]> PACKED_WEIGHTS = ThreadLocal.withInitial(() -> new PackedA[1]);

    /** op(A) = W (outC x CKK) or, {@code transposed}, W^T (CKK x outC), packed into the calling thread's buffer. */
    private PackedA packWeights(boolean transposed) {
        PackedA[] slot = PACKED_WEIGHTS.get();
        int ckk = ckk();
        slot[0] = transposed
            ? Gemm.packA(true, ckk, outC, params, weightOffset, ckk, slot[0])
            : Gemm.packA(false, outC, ckk, params, weightOffset, ckk, slot[0]);
        return slot[0];
    }

    /**
     * @param name     layer name (parameter prefix)
     * @param in       input shape (its channels are the input channels)
     * @param outC     output channels
     * @param kernel   kernel size (square)
     * @param stride   stride
     * @param padding  zero padding on every side
     * @param bias     whether the layer has a bias
     */
    public Conv2d(String name, Shape in, int outC, int kernel, int stride, int padding, boolean bias) {
        this(name, in, outC, kernel, stride, padding, bias, COLS_BUDGET);
    }

    /** As the public constructor, with the im2col budget in floats (tests use a small one to exercise units). */
    Conv2d(String name, Shape in, int outC, int kernel, int stride, int padding, boolean bias, long colsBudget) {
        super(name, in, outputShape(name, in, outC, kernel, stride, padding));
        this.colsBudget = colsBudget;
        this.inC = in.channels();
        this.outC = outC;
        this.k = kernel;
        this.stride = stride;
        this.pad = padding;
        this.hasBias = bias;
    }

    private static Shape outputShape(String name, Shape in, int outC, int k, int stride, int pad) {
        if (outC < 1 || k < 1 || stride < 1 || pad < 0) {
            throw new IllegalArgumentException("layer " + name + ": Conv2d needs outC, kernel, stride >= 1 and padding >= 0,"
                + " got outC=" + outC + " k=" + k + " s=" + stride + " p=" + pad);
        }
        int oh = Math.floorDiv(in.height() + 2 * pad - k, stride) + 1;
        int ow = Math.floorDiv(in.width() + 2 * pad - k, stride) + 1;
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("layer " + name + ": Conv2d kernel " + k + " (padding " + pad
                + ") does not fit input " + in + "; expected height and width >= " + (k - 2 * pad));
        }
        return new Shape(outC, oh, ow);
    }

    public int inChannels() {
        return inC;
    }

    public int outChannels() {
        return outC;
    }

    public int kernel() {
        return k;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return pad;
    }

    public boolean hasBias() {
        return hasBias;
    }

    /** Offset of the OIHW weight in the flat buffer. */
    public int weightOffset() {
        return weightOffset;
    }

    /** Offset of the bias in the flat buffer, or -1 without bias. */
    public int biasOffset() {
        return biasOffset;
    }

    @Override
    public String describe() {
        return "Conv2d(" + inC + ", " + outC + ", k=" + k + ", s=" + stride + ", p=" + pad + (hasBias ? "" : ", no bias") + ")";
    }

    @Override
    public long macsPerImage() {
        return (long) outputShape().size() * inC * k * k;
    }

    @Override
    protected void declare(ParamLayout.Builder layout) {
        weightOffset = layout.add(name() + ".weight", outC * inC * k * k, ParamKind.WEIGHT);
        if (hasBias) {
            biasOffset = layout.add(name() + ".bias", outC, ParamKind.BIAS);
        }
    }

    @Override
    protected void initialise(long seed) {
        int fanIn = inC * k * k;
        fillUniform(params, weightOffset, outC * fanIn, fanIn, initRandom(seed, name() + ".weight"));
        if (hasBias) {
            SplittableRandom rng = initRandom(seed, name() + ".bias");
            fillUniform(params, biasOffset, outC, fanIn, rng);
        }
    }

    // ------------------------------------------------------------------ work split (shape only)

    private int ckk() {
        return inC * k * k;
    }

    /**
     * Images per unit for this batch: enough for {@link #MIN_COLUMNS} GEMM columns, within the im2col budget.
     * When several images are needed, up to twice as many are taken if that makes the column count a multiple
     * of {@link #COLUMN_MULTIPLE}, so that the GEMM has no partial column panel.
     */
    int unitImages(int batch) {
        int p = outputShape().plane();
        long byColumns = (MIN_COLUMNS + p - 1) / p;
        long byBudget = colsBudget / ((long) ckk() * p);
        long g = Math.max(1, Math.min(batch, Math.min(byColumns, byBudget)));
        if (g > 1) {
            for (long more = g; more <= Math.min(2 * g, Math.min(batch, byBudget)); more++) {
                if (more * p % COLUMN_MULTIPLE == 0) {
                    return (int) more;
                }
            }
        }
        return (int) g;
    }

    /**
     * Output rows per chunk when a unit is a single image: its im2col columns are built and consumed chunk by
     * chunk so that they stay in the core's L2 cache ({@link #CHUNK_COLS_BUDGET} floats), preferring chunks of
     * whole 48-column GEMM panels. Only for layers with small weights ({@link #CHUNK_MAX_WEIGHTS}): each chunk's
     * weight-gradient product loads and stores the whole weight gradient again. Whole images otherwise, and whenever a unit has several images.
     */
    int chunkRows(int batch) {
        Shape o = outputShape();
        long weights = (long) outC * ckk();
        long perRow = (long) ckk() * o.width();
        if (unitImages(batch) > 1 || weights > CHUNK_MAX_WEIGHTS || perRow * o.height() <= CHUNK_COLS_BUDGET) {
            return o.height();
        }
        int rows = (int) Math.max(1, Math.min(o.height(), CHUNK_COLS_BUDGET / perRow));
        for (int r = rows; r > rows / 2; r--) {
            if ((long) r * o.width() % COLUMN_MULTIPLE == 0) {
                return r;
            }
        }
        return rows;
    }

    /** Number of units of a batch. */
    private int units(int batch) {
        int g = unitImages(batch);
        return (batch + g - 1) / g;
    }

    /**
     * Reduction groups of the parameter gradients for this batch: up to {@link #MAX_GROUPS} (never more than the
     * units), and only as many weight partials as fit {@link #PARTIALS_BUDGET}; depends on the shape only.
     */
    int reductionGroups(int batch) {
        long weights = (long) outC * ckk();
        long byBudget = PARTIALS_BUDGET / weights;
        return (int) Math.max(1, Math.min(units(batch), Math.min(MAX_GROUPS, byBudget)));
    }

    /**
     * Whether units run in parallel (each unit's GEMMs on one thread) rather than one after the other with the
     * GEMMs split over output blocks. Either way gives the same bits; this only picks the faster split.
     */
    private static boolean unitsInParallel(int units, int threads) {
        return threads > 1 && units >= threads && (units % threads == 0 || units >= 4 * threads);
    }

    // ------------------------------------------------------------------ forward

    @Override
    public float[] forward(Pass pass, float[] input, int batch) {
        checkInput(input, batch);
        out = ensure(out, (long) batch * outputShape().size());
        Compute compute = pass.compute();
        int g = unitImages(batch);
        int units = units(batch);
        PackedA w = packWeights(false);
        if (unitsInParallel(units, compute.threads())) {
            compute.parallelFor(units, u -> forwardUnit(Compute.serial(), w, input, u * g, Math.min(g, batch - u * g)));
        } else {
            for (int u = 0; u < units; u++) {
                forwardUnit(compute, w, input, u * g, Math.min(g, batch - u * g));
            }
        }
        lastIn = input;
        lastBatch = batch;
        return out;
    }

    /** Output of images {@code [b0, b0+nb)}. */
    private void forwardUnit(Compute compute, PackedA w, float[] input, int b0, int nb) {
        Shape o = outputShape();
        int p = o.plane();
        int ckk = ckk();
        Workspace ws = WORKSPACE.get();
        if (nb == 1) {
            // One image, in chunks of output rows: Y of a chunk is exactly its part of the NCHW output.
            int base = b0 * o.size();
            int rows = chunkRows(1);
            float[] cols = ws.cols = ensure(ws.cols, (long) ckk * Math.min(o.height(), rows) * o.width());
            for (int r0 = 0; r0 < o.height(); r0 += rows) {
                int r1 = Math.min(o.height(), r0 + rows);
                int n = (r1 - r0) * o.width();
                Shape s = inputShape();
                im2colRows(input, b0 * s.size(), inC, s.height(), s.width(), k, stride, pad, o.height(), o.width(),
                    r0, r1, cols, 0, n);
                int at = base + r0 * o.width();
                Gemm.sgemm(compute, w, false, n, cols, 0, n, out, at, p, false);
                if (hasBias) {
                    for (int oc = 0; oc < outC; oc++) {
                        Loops.addScalar(out, at + oc * p, params[biasOffset + oc], n);
                    }
                }
            }
            return;
        }
        int n = nb * p;
        float[] cols = ws.cols = ensure(ws.cols, (long) ckk * n);
        fillCols(compute, input, b0, nb, cols);
        float[] y = ws.y = ensure(ws.y, (long) outC * n);
        Gemm.sgemm(compute, w, false, n, cols, 0, n, y, 0, n, false);
        compute.parallelFor(nb, j -> scatterOutput(y, b0 + j, j, n));
    }

    /** im2col of images {@code [b0, b0+nb)} into {@code cols} (CKK x nb*P). */
    private void fillCols(Compute compute, float[] input, int b0, int nb, float[] cols) {
        Shape s = inputShape();
        Shape o = outputShape();
        int n = nb * o.plane();
        if (nb == 1) {
            im2col(input, b0 * s.size(), inC, s.height(), s.width(), k, stride, pad, o.height(), o.width(), cols, 0, n);
            return;
        }
        compute.parallelFor(nb, j -> im2col(input, (b0 + j) * s.size(), inC, s.height(), s.width(), k, stride, pad,
            o.height(), o.width(), cols, j * o.plane(), n));
    }

    /** out[image][o][p] = Y[o][j*P + p] + bias[o]. */
    private void scatterOutput(float[] y, int image, int j, int n) {
        int p = outputShape().plane();
        int base = image * outputShape().size();
        for (int oc = 0; oc < outC; oc++) {
            int dst = base + oc * p;
            System.arraycopy(y, oc * n + j * p, out, dst, p);
            if (hasBias) {
                Loops.addScalar(out, dst, params[biasOffset + oc], p);
            }
        }
    }

    // ------------------------------------------------------------------ backward

    @Override
    public float[] backward(Pass pass, float[] dOut, boolean needInputGrad) {
        int batch = lastBatch;
        checkGradient(dOut, batch);
        boolean paramGrads = pass.paramGrads();
        if (!needInputGrad && !paramGrads) {
            return null;
        }
        if (needInputGrad) {
            dIn = ensure(dIn, (long) batch * inputShape().size());
        }
        Compute compute = pass.compute();
        int g = unitImages(batch);
        int units = units(batch);
        int groups = paramGrads ? reductionGroups(batch) : 0;
        PackedA wt = needInputGrad ? packWeights(true) : null;
        if (groups > 1) {
            // Parameter gradients per group into partials, the input gradient of each unit on the way.
            partialWeights = ensure(partialWeights, (long) groups * outC * ckk());
            if (hasBias && (partialBias == null || partialBias.length < groups * outC)) {
                partialBias = new double[groups * outC];
            }
            compute.parallelFor(groups, r -> {
                int first = (int) ((long) units * r / groups);
                int end = (int) ((long) units * (r + 1) / groups);
                for (int u = first; u < end; u++) {
                    backwardUnit(Compute.serial(), wt, dOut, u * g, Math.min(g, batch - u * g), r, u > first);
                }
            });
            addPartials(compute, groups);
            return needInputGrad ? dIn : null;
        }
        if (paramGrads) {
            // One group: the units' weight-gradient GEMMs chain one after the other, each split over output blocks.
            for (int u = 0; u < units; u++) {
                weightGradientUnit(compute, dOut, u * g, Math.min(g, batch - u * g), grads, weightOffset, u > 0);
            }
            if (hasBias) {
                compute.parallelFor(outC, oc -> grads[biasOffset + oc] = (float) biasSum(dOut, 0, batch, oc));
            }
        }
        if (needInputGrad) {
            if (unitsInParallel(units, compute.threads())) {
                compute.parallelFor(units, u -> inputGradientUnit(Compute.serial(), wt, dOut, u * g,
                    Math.min(g, batch - u * g)));
            } else {
                for (int u = 0; u < units; u++) {
                    inputGradientUnit(compute, wt, dOut, u * g, Math.min(g, batch - u * g));
                }
            }
        }
        return needInputGrad ? dIn : null;
    }

    /**
     * One unit's share of a group's parameter gradients ({@code accumulate}: after the group's first unit) and,
     * when {@code wt} (the packed W^T) is given, its input gradient.
     */
    private void backwardUnit(Compute compute, PackedA wt, float[] dOut, int b0, int nb, int group,
                              boolean accumulate) {
        int wSize = outC * ckk();
        weightGradientUnit(compute, dOut, b0, nb, partialWeights, group * wSize, accumulate);
        if (hasBias) {
            for (int oc = 0; oc < outC; oc++) {
                double s = biasSum(dOut, b0, b0 + nb, oc);
                int slot = group * outC + oc;
                partialBias[slot] = accumulate ? partialBias[slot] + s : s;
            }
        }
        if (wt != null) {
            inputGradientUnit(compute, wt, dOut, b0, nb);
        }
    }

    /** {@code dst[dstOff..] (+)= dY * cols^T} over images {@code [b0, b0+nb)}. */
    private void weightGradientUnit(Compute compute, float[] dOut, int b0, int nb, float[] dst, int dstOff,
                                    boolean accumulate) {
        Shape o = outputShape();
        int p = o.plane();
        int ckk = ckk();
        Workspace ws = WORKSPACE.get();
        if (nb == 1) {
            // The image's output-row chunks continue each weight-gradient chain in order.
            Shape s = inputShape();
            int rows = chunkRows(1);
            float[] cols = ws.cols = ensure(ws.cols, (long) ckk * Math.min(o.height(), rows) * o.width());
            for (int r0 = 0; r0 < o.height(); r0 += rows) {
                int r1 = Math.min(o.height(), r0 + rows);
                int n = (r1 - r0) * o.width();
                im2colRows(lastIn, b0 * s.size(), inC, s.height(), s.width(), k, stride, pad, o.height(), o.width(),
                    r0, r1, cols, 0, n);
                Gemm.sgemm(compute, false, true, outC, ckk, n, dOut, b0 * o.size() + r0 * o.width(), p, cols, 0, n,
                    dst, dstOff, ckk, accumulate || r0 > 0);
            }
            return;
        }
        int n = nb * p;
        float[] cols = ws.cols = ensure(ws.cols, (long) ckk * n);
        fillCols(compute, lastIn, b0, nb, cols);
        float[] dy = ws.y = ensure(ws.y, (long) outC * n);
        compute.parallelFor(nb, j -> gatherGradient(dOut, dy, b0 + j, j, n));
        Gemm.sgemm(compute, false, true, outC, ckk, n, dy, 0, n, cols, 0, n, dst, dstOff, ckk, accumulate);
    }

    /** dIn of images {@code [b0, b0+nb)}: dCols = W^T dY, then col2im. */
    private void inputGradientUnit(Compute compute, PackedA wt, float[] dOut, int b0, int nb) {
        Shape s = inputShape();
        Shape o = outputShape();
        int p = o.plane();
        int ckk = ckk();
        Workspace ws = WORKSPACE.get();
        if (nb == 1) {
            // dCols of each output-row chunk, added into the image's input gradient chunk by chunk.
            int rows = chunkRows(1);
            float[] dCols = ws.cols = ensure(ws.cols, (long) ckk * Math.min(o.height(), rows) * o.width());
            int off = b0 * s.size();
            java.util.Arrays.fill(dIn, off, off + s.size(), 0f);
            for (int r0 = 0; r0 < o.height(); r0 += rows) {
                int r1 = Math.min(o.height(), r0 + rows);
                int n = (r1 - r0) * o.width();
                Gemm.sgemm(compute, wt, false, n, dOut, b0 * o.size() + r0 * o.width(), p, dCols, 0, n, false);
                col2imScratch(dCols, 0, n, inC, s.height(), s.width(), k, stride, pad, o.height(), o.width(),
                    r0, r1, dIn, off);
            }
            return;
        }
        int n = nb * p;
        float[] dCols = ws.cols = ensure(ws.cols, (long) ckk * n);
        float[] dy = ws.y = ensure(ws.y, (long) outC * n);
        compute.parallelFor(nb, j -> gatherGradient(dOut, dy, b0 + j, j, n));
        Gemm.sgemm(compute, wt, false, n, dy, 0, n, dCols, 0, n, false);
        compute.parallelFor(nb, j -> addUnitInputGradient(dCols, b0 + j, j, n));
    }

    /** dIn of {@code image} = col2im of its columns (the j-th image of a unit of n columns). */
    private void addUnitInputGradient(float[] dCols, int image, int j, int n) {
        Shape s = inputShape();
        Shape o = outputShape();
        int off = image * s.size();
        java.util.Arrays.fill(dIn, off, off + s.size(), 0f);
        col2imScratch(dCols, j * o.plane(), n, inC, s.height(), s.width(), k, stride, pad, o.height(), o.width(),
            0, o.height(), dIn, off);
    }

    /**
     * Sum of dOut over images {@code [b0, b1)} and the pixels of channel {@code oc}: eight double chains (one
     * chain is bound by the add latency), pixel i of each image going to chain i % 8, chains added pairwise.
     */
    private double biasSum(float[] dOut, int b0, int b1, int oc) {
        int p = outputShape().plane();
        int size = outputShape().size();
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        for (int b = b0; b < b1; b++) {
            int off = b * size + oc * p;
            int i = 0;
            for (; i + 8 <= p; i += 8) {
                s0 += dOut[off + i];
                s1 += dOut[off + i + 1];
                s2 += dOut[off + i + 2];
                s3 += dOut[off + i + 3];
                s4 += dOut[off + i + 4];
                s5 += dOut[off + i + 5];
                s6 += dOut[off + i + 6];
                s7 += dOut[off + i + 7];
            }
            for (; i < p; i++) {
                s0 += dOut[off + i];
            }
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** grads = partial_0 + partial_1 + ... in group order (weights in float, biases in double). */
    private void addPartials(Compute compute, int groups) {
        int wSize = outC * ckk();
        float[] parts = partialWeights;
        compute.parallelRange(wSize, ELEMENT_GRAIN, (start, end) -> {
            for (int i = start; i < end; i++) {
                float sum = parts[i];
                for (int r = 1; r < groups; r++) {
                    sum += parts[r * wSize + i];
                }
                grads[weightOffset + i] = sum;
            }
        });
        if (hasBias) {
            for (int oc = 0; oc < outC; oc++) {
                double sum = partialBias[oc];
                for (int r = 1; r < groups; r++) {
                    sum += partialBias[r * outC + oc];
                }
                grads[biasOffset + oc] = (float) sum;
            }
        }
    }

    /** Y[o][j*P + p] = dOut[image][o][p] (the unit's dY as one outC x nb*P matrix). */
    private void gatherGradient(float[] dOut, float[] dy, int image, int j, int n) {
        int p = outputShape().plane();
        int base = image * outputShape().size();
        for (int oc = 0; oc < outC; oc++) {
            System.arraycopy(dOut, base + oc * p, dy, oc * n + j * p, p);
        }
    }

    /** First output column whose input column {@code ow*stride + shift} is >= 0. */
    private static int firstValid(int shift, int stride) {
        return shift >= 0 ? 0 : (-shift + stride - 1) / stride;
    }

    /** One past the last output column whose input column {@code ow*stride + shift} is < width (capped at outW). */
    private static int endValid(int shift, int stride, int width, int outW) {
        int last = width - 1 - shift;
        return last < 0 ? 0 : Math.min(outW, last / stride + 1);
    }

    /**
     * im2col of one image: {@code cols[(c*k + ki)*k + kj][colOff + oh*OW + ow] = in[c][oh*s - pad + ki][ow*s - pad + kj]}
     * (0 outside the image), rows {@code ld} apart. Input {@code in} (not modified) starts at {@code inOff}.
     */
    public static void im2col(float[] in, int inOff, int channels, int height, int width, int k, int stride, int pad,
                              int outH, int outW, float[] cols, int colOff, int ld) {
        im2colRows(in, inOff, channels, height, width, k, stride, pad, outH, outW, 0, outH, cols, colOff, ld);
    }

    /**
     * {@link #im2col} of output rows {@code [oh0, oh1)} only: output pixel (oh, ow) goes to column
     * {@code colOff + (oh - oh0)*OW + ow}.
     */
    static void im2colRows(float[] in, int inOff, int channels, int height, int width, int k, int stride, int pad,
                           int outH, int outW, int oh0, int oh1, float[] cols, int colOff, int ld) {
        if (stride == 1 && outW == width && outH == height) {
            im2colSame(in, inOff, channels, height, width, k, pad, oh0, oh1, cols, colOff, ld);
            return;
        }
        for (int c = 0; c < channels; c++) {
            int plane = inOff + c * height * width;
            for (int ki = 0; ki < k; ki++) {
                for (int kj = 0; kj < k; kj++) {
                    int row = ((c * k + ki) * k + kj) * ld + colOff - oh0 * outW;
                    int shift = kj - pad;
                    int lo = Math.min(firstValid(shift, stride), outW);
                    int hi = Math.max(lo, endValid(shift, stride, width, outW));
                    for (int oh = oh0; oh < oh1; oh++) {
                        int ih = oh * stride - pad + ki;
                        int dst = row + oh * outW;
                        if (ih < 0 || ih >= height) {
                            java.util.Arrays.fill(cols, dst, dst + outW, 0f);
                            continue;
                        }
                        int src = plane + ih * width + shift;
                        for (int ow = 0; ow < lo; ow++) {
                            cols[dst + ow] = 0f;
                        }
                        if (stride == 1) {
                            Loops.copy(in, src + lo, cols, dst + lo, hi - lo);
                        } else {
                            for (int ow = lo; ow < hi; ow++) {
                                cols[dst + ow] = in[src + ow * stride];
                            }
                        }
                        for (int ow = hi; ow < outW; ow++) {
                            cols[dst + ow] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link #im2colRows} for stride 1 and "same" padding (output plane = input plane, so a kernel offset is one
     * shift {@code (ki-pad)*W + (kj-pad)} of the flattened plane): each column row is one long copy of the valid
     * output rows, then the entries whose input column falls outside the image (and the rows outside it) are
     * zeroed. Same values as the general loop.
     */
    private static void im2colSame(float[] in, int inOff, int channels, int height, int width, int k, int pad,
                                   int oh0, int oh1, float[] cols, int colOff, int ld) {
        int plane = height * width;
        int first = oh0 * width;
        int last = oh1 * width;
        for (int c = 0; c < channels; c++) {
            int src = inOff + c * plane;
            for (int ki = 0; ki < k; ki++) {
                for (int kj = 0; kj < k; kj++) {
                    // Flattened output index j lives at row + j; valid j: [from, to).
                    int row = ((c * k + ki) * k + kj) * ld + colOff - first;
                    int shift = (ki - pad) * width + (kj - pad);
                    int ohLo = Math.max(oh0, pad - ki);
                    int ohHi = Math.min(oh1, height + pad - ki);
                    int from = Math.min(last, Math.max(first, Math.max(ohLo * width, -shift)));
                    int to = Math.max(from, Math.min(last, Math.min(ohHi * width, plane - shift)));
                    java.util.Arrays.fill(cols, row + first, row + from, 0f);
                    if (to > from) {
                        Loops.copy(in, src + from + shift, cols, row + from, to - from);
                    }
                    java.util.Arrays.fill(cols, row + to, row + last, 0f);
                    zeroOutsideColumns(cols, row, width, ohLo, ohHi, pad - kj, width + pad - kj);
                }
            }
        }
    }

    /** Zeroes columns outside [lo, hi) of rows [ohLo, ohHi) of a width-wide column row starting at {@code row}. */
    private static void zeroOutsideColumns(float[] cols, int row, int width, int ohLo, int ohHi, int lo, int hi) {
        int left = Math.min(Math.max(lo, 0), width);
        int right = Math.max(Math.min(hi, width), left);
        for (int oh = ohLo; oh < ohHi; oh++) {
            int r = row + oh * width;
            for (int ow = 0; ow < left; ow++) {
                cols[r + ow] = 0f;
            }
            for (int ow = right; ow < width; ow++) {
                cols[r + ow] = 0f;
            }
        }
    }

    /**
     * {@link #col2imRows}, allowed to overwrite {@code cols} (the layer's own scratch): for stride 1 and "same"
     * padding the entries without an input position are zeroed first, so that each column row is added with one
     * long vector add (adding +0 changes nothing: dIn starts at +0 and a sum that starts at +0 never becomes
     * -0). Same result as {@link #col2imRows}.
     */
    static void col2imScratch(float[] cols, int colOff, int ld, int channels, int height, int width, int k,
                              int stride, int pad, int outH, int outW, int oh0, int oh1, float[] dIn, int inOff) {
        if (stride != 1 || outW != width || outH != height) {
            col2imRows(cols, colOff, ld, channels, height, width, k, stride, pad, outH, outW, oh0, oh1, dIn, inOff);
            return;
        }
        int plane = height * width;
        int first = oh0 * width;
        for (int c = 0; c < channels; c++) {
            int dst = inOff + c * plane;
            for (int ki = 0; ki < k; ki++) {
                for (int kj = 0; kj < k; kj++) {
                    int row = ((c * k + ki) * k + kj) * ld + colOff - first;
                    int shift = (ki - pad) * width + (kj - pad);
                    int ohLo = Math.max(oh0, pad - ki);
                    int ohHi = Math.min(oh1, height + pad - ki);
                    int from = Math.max(ohLo * width, -shift);
                    int to = Math.min(ohHi * width, plane - shift);
                    if (to > from) {
                        zeroOutsideColumns(cols, row, width, ohLo, ohHi, pad - kj, width + pad - kj);
                        Loops.addTo(dIn, dst + from + shift, cols, row + from, to - from);
                    }
                }
            }
        }
    }

    /**
     * Adjoint of {@link #im2col}: adds every {@code cols} entry of one image back onto the input position it was
     * copied from ({@code dIn} accumulates; zero it first). Summation order: rows (c, ki, kj), then (oh, ow).
     */
    public static void col2im(float[] cols, int colOff, int ld, int channels, int height, int width, int k, int stride,
                              int pad, int outH, int outW, float[] dIn, int inOff) {
        col2imRows(cols, colOff, ld, channels, height, width, k, stride, pad, outH, outW, 0, outH, dIn, inOff);
    }

    /**
     * {@link #col2im} of output rows {@code [oh0, oh1)} only (their columns as {@link #im2colRows} lays them out).
     * Summation order per input value: rows (c, ki, kj), then (oh, ow).
     */
    static void col2imRows(float[] cols, int colOff, int ld, int channels, int height, int width, int k, int stride,
                           int pad, int outH, int outW, int oh0, int oh1, float[] dIn, int inOff) {
        for (int c = 0; c < channels; c++) {
            int plane = inOff + c * height * width;
            for (int ki = 0; ki < k; ki++) {
                for (int kj = 0; kj < k; kj++) {
                    int row = ((c * k + ki) * k + kj) * ld + colOff - oh0 * outW;
                    int shift = kj - pad;
                    int lo = Math.min(firstValid(shift, stride), outW);
                    int hi = Math.max(lo, endValid(shift, stride, width, outW));
                    for (int oh = oh0; oh < oh1; oh++) {
                        int ih = oh * stride - pad + ki;
                        if (ih < 0 || ih >= height) {
                            continue;
                        }
                        int src = row + oh * outW;
                        int dst = plane + ih * width + shift;
                        if (stride == 1) {
                            Loops.addTo(dIn, dst + lo, cols, src + lo, hi - lo);
                        } else {
                            for (int ow = lo; ow < hi; ow++) {
                                dIn[dst + ow * stride] += cols[src + ow];
                            }
                        }
                    }
                }
            }
        }
    }
}
