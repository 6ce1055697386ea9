package org.badfl.engine;

import org.badfl.server.noise.Philox4x32;
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
        double keepProbability = 1.0 - p;
        // ELEMENT_GRAIN is a multiple of 4, so each chunk starts on a Philox block boundary.
        pass.compute().parallelRange(n, ELEMENT_GRAIN, (start, end) -> {
            int[] words = new int[4];
            for (int i = start; i < end; i += 4) {
                long block = i >>> 2;
                Philox4x32.block((int) block, 0, (int) step, (int) (step >>> 32), (int) key, (int) (key >>> 32), words, 0);
                for (int j = 0; j < 4 && i + j < end; j++) {
                    float m = Philox4x32.uniform(words[j]) < keepProbability ? scale : 0f;
                    mask[i + j] = m;
                    out[i + j] = input[i + j] * m;
                }
            }
        });
        return out;
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
        pass.compute().parallelRange(n, ELEMENT_GRAIN, (start, end) -> {
            for (int i = start; i < end; i++) {
                dIn[i] = dOut[i] * mask[i];
            }
        });
        return dIn;
    }
}
