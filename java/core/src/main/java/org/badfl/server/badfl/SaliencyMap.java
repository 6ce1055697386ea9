package org.badfl.server.badfl;

/**
 * The per-image saliency map M of BADFL's neuron inspection (docs/BADFL.md, interpretation; after NeuronInspect,
 * ain-soph/trojanzoo {@code neuron_inspect.py}): from the guided-backprop gradient g of one class logit with respect
 * to one C × H × W image, M = max over channels of |g|, min–max normalised over the image to [0, 1]. A constant
 * map (no pixel matters more than another, e.g. all-zero gradients) becomes all zeros.
 */
public final class SaliencyMap {

    private SaliencyMap() {
    }

    /**
     * Reduces one image's gradient (C × H × W at {@code gradient[offset ...]}, not modified) into {@code out[0 .. H·W)}.
     *
     * @return false when a gradient value is NaN or infinite ({@code out} is then unspecified)
     */
    public static boolean reduce(float[] gradient, int offset, int channels, int height, int width, float[] out) {
        int plane = height * width;
        for (int p = 0; p < plane; p++) {
            float m = 0;
            for (int c = 0; c < channels; c++) {
                float v = gradient[offset + c * plane + p];
                if (!Float.isFinite(v)) {
                    return false;
                }
                m = Math.max(m, Math.abs(v));
            }
            out[p] = m;
        }
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int p = 0; p < plane; p++) {
            min = Math.min(min, out[p]);
            max = Math.max(max, out[p]);
        }
        double range = (double) max - min;
        for (int p = 0; p < plane; p++) {
            out[p] = range > 0 ? (float) ((out[p] - (double) min) / range) : 0f;
        }
        return true;
    }
}
