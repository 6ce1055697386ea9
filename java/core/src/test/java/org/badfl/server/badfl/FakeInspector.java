package org.badfl.server.badfl;

import java.util.SplittableRandom;
import org.badfl.server.ModelInspector;

/**
 * A {@link ModelInspector} without a network, for defense tests: a model is "backdoored" when its parameter 0
 * exceeds 1. Its class-0 gradients are then the same sparse patch on every image (low correlation, stable
 * hashes, as the paper's Fig. 5 describes); every other map is dense noise that changes from image to image
 * (seeded by image, class and the model's parameter 1, so models differ slightly). Parameters of magnitude above
 * 1e20 give infinite gradients, as an overflowing forward pass would.
 */
final class FakeInspector implements ModelInspector {

    static final int H = 8;
    static final int W = 9;
    private final int images;
    int calls;

    FakeInspector(int images) {
        this.images = images;
    }

    @Override
    public int classes() {
        return 4;
    }

    @Override
    public int images() {
        return images;
    }

    @Override
    public int channels() {
        return 1;
    }

    @Override
    public int height() {
        return H;
    }

    @Override
    public int width() {
        return W;
    }

    @Override
    public float[][] guidedGradients(float[] params) {
        calls++;
        boolean overflow = false;
        for (float p : params) {
            overflow |= Math.abs(p) > 1e20;
        }
        boolean backdoored = params[0] > 1;
        float[][] out = new float[classes()][images * H * W];
        for (int c = 0; c < classes(); c++) {
            for (int i = 0; i < images; i++) {
                SplittableRandom rng = new SplittableRandom(31L * i + 7L * c + Float.floatToIntBits(params[1]));
                for (int p = 0; p < H * W; p++) {
                    float v;
                    if (overflow) {
                        v = Float.POSITIVE_INFINITY;
                    } else if (backdoored && c == 0) {
                        v = p == 3 || p == 4 || p == 12 ? 1f : 0.01f * (p % 3);
                    } else {
                        v = (float) rng.nextDouble();
                    }
                    out[c][i * H * W + p] = v;
                }
            }
        }
        return out;
    }
}
