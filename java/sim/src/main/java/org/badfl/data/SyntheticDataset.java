package org.badfl.data;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.badfl.util.Seeds;

/**
 * Tiny learnable image datasets for fast tests, deterministic from a seed (same seed, same bytes).
 *
 * <p>Class k has a prototype: a bright bar (horizontal for even k, vertical for odd k) whose position moves
 * with k across the image, so every pair of classes differs in at least a band of pixels and a linear model
 * separates them. An image is its class prototype at intensity 0.6 plus independent uniform noise in
 * [0, {@code noise}] on every pixel (default 0.3), clipped to [0,1]; channel c of a multi-channel image scales
 * the bar by {@code 1 - 0.25 * (c mod 2)}, so channels are not copies. Labels are balanced ({@code i mod
 * classes}) and then shuffled. Each side must hold the bars of its orientation without overlap
 * (about classes/2 positions), otherwise creation fails rather than producing indistinguishable classes.
 */
public final class SyntheticDataset {

    public static final float DEFAULT_NOISE = 0.3f;
    private static final float BAR_INTENSITY = 0.6f;

    private SyntheticDataset() {
    }

    /** {@code n} images of {@code channels x height x width} in {@code classes} classes, noise 0.3. */
    public static Dataset create(int n, int classes, int channels, int height, int width, long seed) {
        return create(n, classes, channels, height, width, DEFAULT_NOISE, seed);
    }

    /** As {@link #create(int, int, int, int, int, long)} with the noise amplitude in [0, 1]. */
    public static Dataset create(int n, int classes, int channels, int height, int width, float noise, long seed) {
        if (n < 0 || classes < 1 || channels < 1 || height < 2 || width < 2 || !(noise >= 0 && noise <= 1)) {
            throw new IllegalArgumentException("synthetic dataset: expected n >= 0, classes >= 1, channels >= 1, "
                + "height and width >= 2, noise in [0,1], found n " + n + ", classes " + classes + ", shape "
                + channels + "x" + height + "x" + width + ", noise " + noise);
        }
        SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, "synthetic-dataset"));
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = labels[i];
            labels[i] = labels[j];
            labels[j] = t;
        }
        int plane = height * width;
        int imageSize = channels * plane;
        float[] images = new float[Math.multiplyExact(n, imageSize)];
        float[][] prototypes = new float[classes][];
        for (int k = 0; k < classes; k++) {
            prototypes[k] = prototype(k, classes, height, width);
            for (int j = 0; j < k; j++) {
                if (java.util.Arrays.equals(prototypes[j], prototypes[k])) {
                    throw new IllegalArgumentException("synthetic dataset: " + classes + " classes need distinct bars, "
                        + "found classes " + j + " and " + k + " identical on a " + height + "x" + width
                        + " image; use fewer classes or larger images");
                }
            }
        }
        for (int i = 0; i < n; i++) {
            float[] proto = prototypes[labels[i]];
            for (int c = 0; c < channels; c++) {
                float scale = BAR_INTENSITY * (1f - 0.25f * (c % 2));
                int base = i * imageSize + c * plane;
                for (int p = 0; p < plane; p++) {
                    float v = scale * proto[p] + noise * (float) rng.nextDouble();
                    images[base + p] = Math.min(1f, v);
                }
            }
        }
        return new Dataset("synthetic", images, labels, channels, height, width, classes, null, null);
    }

    /** A train/test pair from independent seeds; the test split shares the training statistics. */
    public static TrainTest trainTest(int nTrain, int nTest, int classes, int channels, int height, int width,
                                      long seed) {
        Dataset train = create(nTrain, classes, channels, height, width, Seeds.derive(seed, "synthetic-train"))
            .withName("synthetic/train");
        Dataset test = create(nTest, classes, channels, height, width, Seeds.derive(seed, "synthetic-test"))
            .withName("synthetic/test").withNormalization(train.normalization());
        String spec = "synthetic:n=" + nTrain + ",test=" + nTest + ",classes=" + classes + ",channels=" + channels
            + ",size=" + height + (height == width ? "" : "x" + width) + ",seed=" + seed;
        return new TrainTest(train, test, spec, "synthetic bars, " + nTrain + "/" + nTest + " images, seed " + seed);
    }

    /**
     * Parses {@code synthetic[:key=value,...]}; keys n (2000), test (500), classes (10), channels (1),
     * size (28, or HxW), seed (1).
     */
    static TrainTest fromSpec(String spec) {
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("n", "2000");
        kv.put("test", "500");
        kv.put("classes", "10");
        kv.put("channels", "1");
        kv.put("size", "28");
        kv.put("seed", "1");
        if (spec.startsWith("synthetic:")) {
            for (String part : spec.substring("synthetic:".length()).split(",")) {
                String[] pair = part.split("=", 2);
                if (pair.length != 2 || !kv.containsKey(pair[0].trim())) {
                    throw new IllegalArgumentException("dataset '" + spec + "': expected key=value with keys "
                        + kv.keySet() + ", found '" + part + "'");
                }
                kv.put(pair[0].trim(), pair[1].trim());
            }
        }
        try {
            String[] size = kv.get("size").split("x");
            int h = Integer.parseInt(size[0]);
            int w = size.length > 1 ? Integer.parseInt(size[1]) : h;
            return trainTest(Integer.parseInt(kv.get("n")), Integer.parseInt(kv.get("test")),
                Integer.parseInt(kv.get("classes")), Integer.parseInt(kv.get("channels")), h, w,
                Long.parseLong(kv.get("seed")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("dataset '" + spec + "': expected integer values, found " + kv, e);
        }
    }

    /** Bar of class k: thickness ~ side/8, position spread over the image among the classes with its orientation. */
    static float[] prototype(int k, int classes, int height, int width) {
        float[] p = new float[height * width];
        boolean horizontal = k % 2 == 0;
        int sameOrientation = horizontal ? (classes + 1) / 2 : classes / 2;
        int slot = k / 2;
        int side = horizontal ? height : width;
        int thickness = Math.max(1, side / 8);
        int start = (int) Math.floor((slot + 0.5) * side / sameOrientation - thickness / 2.0);
        start = Math.max(0, Math.min(side - thickness, start));
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int pos = horizontal ? y : x;
                if (pos >= start && pos < start + thickness) {
                    p[y * width + x] = 1f;
                }
            }
        }
        return p;
    }
}
