package org.badfl.server.badfl;

import org.badfl.server.ModelInspector;

/**
 * BADFL's per-class features of a model's saliency maps on the clean inspection images (paper Section V-A2,
 * Algorithm 2 lines 4-5; docs/BADFL.md, "Interpretation choices"):
 * <ul>
 *   <li>correlation, eq. (6): f_correlation(M) = Σ_ij |M_ij| of each image's map, averaged over the images. A
 *       backdoored model's target-class map concentrates on the trigger, so its correlation is low;</li>
 *   <li>stability, eq. (7): f_stability = ‖H(M_1) ⊕ … ⊕ H(M_k)‖₁ with H = {@link DHash} (64 bits): the popcount
 *       of the XOR of all images' hashes. For an even number of images, identical hashes cancel, so lower means
 *       more stable. Also computed: the mean pairwise Hamming distance of the hashes (the {@code pairwise}
 *       option), a lower-variance measure of the same property.</li>
 * </ul>
 */
public final class SaliencyFeatures {

    /** Which reading of eq. (7) the stability feature uses. */
    public enum Stability {
        /** ‖H(M_1) ⊕ … ⊕ H(M_k)‖₁, the paper's formula. */
        XOR,
        /** Mean over pairs i &lt; j of popcount(H(M_i) ⊕ H(M_j)). */
        PAIRWISE
    }

    /**
     * Features of one class of one model.
     *
     * @param correlation       eq. (6), mean over images of Σ|M|
     * @param xorStability      eq. (7), popcount of the XOR of the images' dHashes (0..64)
     * @param pairwiseStability mean pairwise Hamming distance of the dHashes (0..64; 0 for one image)
     */
    public record ClassFeatures(double correlation, int xorStability, double pairwiseStability) {

        /** The stability value of the chosen reading. */
        public double stability(Stability mode) {
            return mode == Stability.XOR ? xorStability : pairwiseStability;
        }
    }

    /**
     * Features of one model.
     *
     * @param classes per class, or null when the saliency maps were not finite
     * @param problem why the maps could not be used (e.g. "saliency not finite for class 3"), or null
     */
    public record ModelFeatures(ClassFeatures[] classes, String problem) {

        public boolean usable() {
            return problem == null;
        }
    }

    private SaliencyFeatures() {
    }

    /** Eq. (6) for one map of {@code size} values at {@code offset}: Σ|M|. */
    public static double correlation(float[] map, int offset, int size) {
        double s = 0;
        for (int p = 0; p < size; p++) {
            s += Math.abs(map[offset + p]);
        }
        return s;
    }

    /** Eq. (7): popcount of the XOR of all hashes (0 for none). */
    public static int xorStability(long[] hashes) {
        long x = 0;
        for (long h : hashes) {
            x ^= h;
        }
        return Long.bitCount(x);
    }

    /** Mean pairwise Hamming distance of the hashes (0 for fewer than two). */
    public static double pairwiseStability(long[] hashes) {
        int k = hashes.length;
        if (k < 2) {
            return 0;
        }
        long total = 0;
        for (int i = 0; i < k; i++) {
            for (int j = i + 1; j < k; j++) {
                total += DHash.distance(hashes[i], hashes[j]);
            }
        }
        return (double) total / ((long) k * (k - 1) / 2);
    }

    /**
     * Features of every class from guided-backprop gradients as returned by
     * {@link ModelInspector#guidedGradients} ({@code gradients[c]} = NCHW over the images; not modified).
     */
    public static ModelFeatures of(float[][] gradients, int images, int channels, int height, int width) {
        int classes = gradients.length;
        int imageSize = channels * height * width;
        int plane = height * width;
        float[] map = new float[plane];
        ClassFeatures[] out = new ClassFeatures[classes];
        for (int c = 0; c < classes; c++) {
            if (gradients[c] == null || gradients[c].length < (long) images * imageSize) {
                throw new IllegalArgumentException("model inspector: gradients of class " + c + " have "
                    + (gradients[c] == null ? "no" : String.valueOf(gradients[c].length)) + " values, expected "
                    + (long) images * imageSize + " (" + images + " images of " + channels + "x" + height + "x"
                    + width + ")");
            }
            double correlation = 0;
            long[] hashes = new long[images];
            for (int i = 0; i < images; i++) {
                if (!SaliencyMap.reduce(gradients[c], i * imageSize, channels, height, width, map)) {
                    return new ModelFeatures(null, "saliency not finite for class " + c + " (image " + i + ")");
                }
                correlation += correlation(map, 0, plane);
                hashes[i] = DHash.hash(map, 0, height, width);
            }
            out[c] = new ClassFeatures(images == 0 ? 0 : correlation / images, xorStability(hashes),
                pairwiseStability(hashes));
        }
        return new ModelFeatures(out, null);
    }

    /** Inspects one model: its gradients from the inspector, reduced to features. */
    public static ModelFeatures inspect(ModelInspector inspector, float[] params) {
        return of(gradients(inspector, params), inspector.images(), inspector.channels(), inspector.height(),
            inspector.width());
    }

    /** The inspector's gradients for one model, one array per class (checked: one per class, none null). */
    public static float[][] gradients(ModelInspector inspector, float[] params) {
        float[][] g = inspector.guidedGradients(params);
        if (g == null || g.length != inspector.classes()) {
            throw new IllegalStateException("model inspector returned " + (g == null ? "null" : g.length + " classes")
                + ", expected " + inspector.classes());
        }
        return g;
    }
}
