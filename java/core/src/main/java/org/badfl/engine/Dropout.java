package org.badfl.engine;

import org.badfl.util.Philox4x32;
import org.badfl.util.Seeds;

/**
 * Inverted dropout ({@code torch.nn.Dropout(p)}): in training, each value is kept with probability {@code 1-p}
 * and scaled by {@code 1/(1-p)}, else zeroed; in evaluation it is the identity (forward returns its input).
 * <p>The mask has no generator state: whether element {@code i} of the batch tensor is kept at training step
 * {@code step} is the pure function {@link #keep(long, long, int, long, double)} of the model's dropout seed,
 * the step, this layer's stream number and {@code i} (Philox4x32-10, as the GPU kernel will compute it), so
 * training is reproducible on any number of threads and on the GPU.
 */
public final class Dropout extends Layer {

    private final double p;
    private final int stream;
    private final float scale;
    private float[] out;
    private float[] dIn;
    /** Per element: 0 (dropped) or 1/(1-p) (kept), from the last training forward. */
    private float[] mask;
    private boolean lastTraining;
    private int lastBatch;

    /**
     * @param p      drop probability in [0, 1)
     * @param stream number of this dropout layer within its model (0, 1, ...), which separates the masks of
     *               different dropout layers at the same step
     */
    public Dropout(String name, Shape shape, double p, int stream) {
        super(name, shape, shape);
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("layer " + name + ": dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.stream = stream;
        this.scale = (float) (1.0 / (1.0 - p));
    }

    public double probability() {
        return p;
    }

    public int stream() {
        return stream;
    }

    @Override
    public String describe() {
        return "Dropout(p=" + p + ")";
    }

    /** Philox key words of a layer's masks: derived from the model's dropout seed and the layer's stream. */
    static long maskKey(long seed, int stream) {
        return Seeds.derive(seed, "dropout", stream);
    }

    /**
     * Whether element {@code index} of the batch tensor (NCHW index over the whole batch) is kept.
     * Philox4x32-10 with key = {@code Seeds.derive(seed, "dropout", stream)} (low word, high word) and counter
     * = ({@code index/4} low, high, {@code step} low, high) gives 4 words; word {@code index % 4} as a uniform
     * u in (0, 1) keeps the element iff {@code u < 1 - p}.
     */
    public static boolean keep(long seed, long step, int stream, long index, double p) {
        long key = maskKey(seed, stream);
        int[] words = new int[4];
        long block = index >>> 2;
        Philox4x32.block((int) block, (int) (block >>> 32), (int) step, (int) (step >>> 32),
            (int) key, (int) (key >>> 32), words, 0);
        return Philox4x32.uniform(words[(int) (index & 3)]) < 1.0 - p;
    }

    @Override
    public float[] forward(Pass pass, float[] input, int batch) {
        checkInput(input, batch);
        lastBatch = batch;
        lastTraining = pass.training() && p > 0;
        if (!lastTraining) {
            return input;
        }
        int n = batch * inputShape().size();
        out = ensure(out, n);
        mask = ensure(mask, n);
        long key = maskKey(pass.dropoutSeed(), stream);
        long step = pass.dropoutStep();
        long threshold = keepThreshold(1.0 - p);
        int scaleBits = Float.floatToRawIntBits(scale);
        // ELEMENT_GRAIN is a multiple of 16, so each chunk starts on a Philox block boundary.
        pass.compute().parallelRange(n, ELEMENT_GRAIN, (start, end) -> {
            fillMask(mask, start, end, key, step, threshold, scaleBits);
            Loops.product(input, mask, out, start, end);
        });
        return out;
    }

    /**
     * The integer form of the keep test: {@code uniform(w) < keepProbability}, with {@code uniform(w) =
     * (w + 0.5) 2^-32} exact in double, holds iff {@code w < keepProbability 2^32 - 0.5} iff
     * {@code w < ceil(keepProbability 2^32 - 0.5)} for the unsigned word w (both products exact).
     */
    static long keepThreshold(double keepProbability) {
        return (long) Math.ceil(keepProbability * 0x1.0p32 - 0.5);
    }

    /**
     * {@code mask[i]} = {@code scale} where element i is kept, else 0, for i in [start, end) ({@code start} a
     * multiple of 4): the values {@link #keep} defines, four Philox blocks at a time with their rounds
     * interleaved (one block is a chain of dependent multiplies), selected without branches.
     */
    static void fillMask(float[] mask, int start, int end, long key, long step, long threshold, int scaleBits) {
        if (VECTOR_MASK) {
            DropoutMaskVector.fillMask(mask, start, end, key, step, threshold, scaleBits);
        } else {
            fillMaskScalar(mask, start, end, key, step, threshold, scaleBits);
        }
    }

    /** Whether {@link #fillMask} runs {@link DropoutMaskVector} (vector loops on, 8 long lanes). */
    static final boolean VECTOR_MASK = Loops.VECTOR && DropoutMaskVector.AVAILABLE;

    /** {@link #fillMask} in plain Java. */
    static void fillMaskScalar(float[] mask, int start, int end, long key, long step, long threshold, int scaleBits) {
        int k0 = (int) key;
        int k1 = (int) (key >>> 32);
        int s0 = (int) step;
        int s1 = (int) (step >>> 32);
        int i = start;
        int[] w = new int[16];
        for (; i + 16 <= end; i += 16) {
            philox4Blocks(i >>> 2, s0, s1, k0, k1, w);
            for (int j = 0; j < 16; j++) {
                mask[i + j] = Float.intBitsToFloat(scaleBits & (int) (((w[j] & 0xFFFFFFFFL) - threshold) >> 63));
            }
        }
        for (; i < end; i += 4) {
            Philox4x32.block(i >>> 2, 0, s0, s1, k0, k1, w, 0);
            for (int j = 0; j < 4 && i + j < end; j++) {
                mask[i + j] = Float.intBitsToFloat(scaleBits & (int) (((w[j] & 0xFFFFFFFFL) - threshold) >> 63));
            }
        }
    }

    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;

    /**
     * {@link Philox4x32#block} for the four counters (b, 0, s0, s1), (b+1, 0, s0, s1), ... (b+3, ...), into
     * {@code out[0..16)}: the same rounds, written out for four blocks so that they overlap in the pipeline.
     */
    static void philox4Blocks(int b, int s0, int s1, int k0, int k1, int[] out) {
        int a0 = b;
        int a1 = 0;
        int a2 = s0;
        int a3 = s1;
        int b0 = b + 1;
        int b1 = 0;
        int b2 = s0;
        int b3 = s1;
        int c0 = b + 2;
        int c1 = 0;
        int c2 = s0;
        int c3 = s1;
        int d0 = b + 3;
        int d1 = 0;
        int d2 = s0;
        int d3 = s1;
        for (int r = 0; r < 10; r++) {
            long pa0 = M0 * (a0 & 0xFFFFFFFFL);
            long pa1 = M1 * (a2 & 0xFFFFFFFFL);
            long pb0 = M0 * (b0 & 0xFFFFFFFFL);
            long pb1 = M1 * (b2 & 0xFFFFFFFFL);
            long pc0 = M0 * (c0 & 0xFFFFFFFFL);
            long pc1 = M1 * (c2 & 0xFFFFFFFFL);
            long pd0 = M0 * (d0 & 0xFFFFFFFFL);
            long pd1 = M1 * (d2 & 0xFFFFFFFFL);
            a0 = (int) (pa1 >>> 32) ^ a1 ^ k0;
            a1 = (int) pa1;
            a2 = (int) (pa0 >>> 32) ^ a3 ^ k1;
            a3 = (int) pa0;
            b0 = (int) (pb1 >>> 32) ^ b1 ^ k0;
            b1 = (int) pb1;
            b2 = (int) (pb0 >>> 32) ^ b3 ^ k1;
            b3 = (int) pb0;
            c0 = (int) (pc1 >>> 32) ^ c1 ^ k0;
            c1 = (int) pc1;
            c2 = (int) (pc0 >>> 32) ^ c3 ^ k1;
            c3 = (int) pc0;
            d0 = (int) (pd1 >>> 32) ^ d1 ^ k0;
            d1 = (int) pd1;
            d2 = (int) (pd0 >>> 32) ^ d3 ^ k1;
            d3 = (int) pd0;
            k0 += W0;
            k1 += W1;
        }
        out[0] = a0;
        out[1] = a1;
        out[2] = a2;
        out[3] = a3;
        out[4] = b0;
        out[5] = b1;
        out[6] = b2;
        out[7] = b3;
        out[8] = c0;
        out[9] = c1;
        out[10] = c2;
        out[11] = c3;
        out[12] = d0;
        out[13] = d1;
        out[14] = d2;
        out[15] = d3;
    }

    @Override
    public float[] backward(Pass pass, float[] dOut, boolean needInputGrad) {
        checkGradient(dOut, lastBatch);
        if (!needInputGrad) {
            return null;
        }
        if (!lastTraining) {
            return dOut;
        }
        int n = lastBatch * inputShape().size();
        dIn = ensure(dIn, n);
        pass.compute().parallelRange(n, ELEMENT_GRAIN, (start, end) -> Loops.product(dOut, mask, dIn, start, end));
        return dIn;
    }
}
