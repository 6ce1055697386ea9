package org.badfl.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.badfl.data.AsrSet;
import org.badfl.data.Dataset;
import org.badfl.engine.Compute;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Network;
import org.badfl.server.TestTimeSmoothing;

/**
 * Test-time parameter smoothing of a final model (BADFL Section V-C, eq. 11; CRFL's {@code smooth_mnist.py}): the
 * {@link SmoothingClassifier} with the σ, M, α a defense declares ({@link org.badfl.server.Defense#testTimeSmoothing()}:
 * BADFL with option {@code smoothing} on, CRFL), on the clean test images and on each adversary's ASR set.
 * <p>Cost: M forward passes over every set, so each set is cut to at most {@code imagesPerSet} images, evenly spaced
 * over the set (deterministic, no seed), to keep the default run within its time budget. The simulator adds the
 * result to the defense's entry of {@code summary.json} ({@code org.badfl.sim.SmoothedFinalEvaluation}).
 */
public final class SmoothedEvaluation {

    /** Default images per set (clean test set, each ASR set). */
    public static final int DEFAULT_IMAGES_PER_SET = 500;

    private final int imagesPerSet;
    private final int batchSize;

    /**
     * @param imagesPerSet at most this many images of the clean test set and of each ASR set (≥ 1)
     * @param batchSize    images per forward pass (speed only, ≥ 1)
     */
    public SmoothedEvaluation(int imagesPerSet, int batchSize) {
        if (imagesPerSet < 1) {
            throw new IllegalArgumentException("smoothed evaluation: images per set must be >= 1, got " + imagesPerSet);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("smoothed evaluation: batch size must be >= 1, got " + batchSize);
        }
        this.imagesPerSet = imagesPerSet;
        this.batchSize = batchSize;
    }

    public SmoothedEvaluation() {
        this(DEFAULT_IMAGES_PER_SET, 250);
    }

    /** At most this many images of each set are classified. */
    public int imagesPerSet() {
        return imagesPerSet;
    }

    /**
     * The smoothed classifier's rates.
     *
     * @param accuracy       on the clean test images, abstentions counted as wrong
     * @param asrByAdversary per ASR set: the rate of its target class (abstentions are not the target)
     * @param abstention     abstention rate on the clean test images
     * @param smoothing      the σ, M, α used
     * @param imagesPerSet   at most this many images of each set were classified
     * @param clean          the smoothed predictions on the clean test images (for certification; may be null)
     * @param cleanLabels    their true labels (null with {@code clean})
     */
    public record Result(double accuracy, double[] asrByAdversary, double abstention, TestTimeSmoothing smoothing,
                         int imagesPerSet, SmoothingClassifier.Result clean, int[] cleanLabels) {

        /** The rates alone, without the predictions. */
        public Result(double accuracy, double[] asrByAdversary, double abstention, TestTimeSmoothing smoothing,
                      int imagesPerSet) {
            this(accuracy, asrByAdversary, abstention, smoothing, imagesPerSet, null, null);
        }

        /** Mean ASR over the adversaries, NaN when there are none. */
        public double asr() {
            if (asrByAdversary.length == 0) {
                return Double.NaN;
            }
            double sum = 0;
            for (double a : asrByAdversary) {
                sum += a;
            }
            return sum / asrByAdversary.length;
        }
    }

    /**
     * Classifies the test subset and each ASR set's subset with the smoothed classifier of {@code model}.
     *
     * @param smoothing   σ, M, α
     * @param model       the parameters to smooth (not modified), of {@code spec}'s layout
     * @param spec        the model's architecture
     * @param test        the clean test set; {@code testIndices} the images of it to use (cut to imagesPerSet)
     * @param asrSets     one per adversary (each cut to imagesPerSet)
     * @param normalize   preprocess images as the clients' inputs were
     * @param compute     threads
     * @param seed        drives all the noise (same seed, same result on any thread count)
     */
    public Result evaluate(TestTimeSmoothing smoothing, float[] model, ModelSpec spec, Dataset test, int[] testIndices,
                           List<AsrSet> asrSets, boolean normalize, Compute compute, long seed) {
        int[] testIdx = evenlySpaced(testIndices, imagesPerSet);
        List<float[]> sets = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        sets.add(images(test, testIdx, normalize));
        labels.add(labelsOf(test, testIdx));
        for (AsrSet set : asrSets) {
            int[] all = new int[set.size()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            int[] idx = evenlySpaced(all, imagesPerSet);
            sets.add(images(set.dataset(), idx, normalize));
            labels.add(labelsOf(set.dataset(), idx));
        }
        int[] counts = new int[sets.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = labels.get(i).length;
        }
        SmoothingClassifier classifier = new SmoothingClassifier(smoothing.sigma(), smoothing.copies(),
            smoothing.alpha(), seed);
        List<SmoothingClassifier.Result> results = classifier.classify(model, spec.layout(), test.numClasses(), sets,
            counts, classifier(spec, test.imageSize(), compute), compute);
        double[] asr = new double[asrSets.size()];
        for (int a = 0; a < asr.length; a++) {
            asr[a] = results.get(a + 1).rateOf(asrSets.get(a).target());
        }
        return new Result(results.get(0).accuracy(labels.get(0)), asr, results.get(0).abstentionRate(), smoothing,
            imagesPerSet, results.get(0), labels.get(0));
    }

    /** At most {@code max} of {@code from}, evenly spaced (position ⌊j·n/max⌋), in order. */
    public static int[] evenlySpaced(int[] from, int max) {
        int n = from.length;
        if (n <= max) {
            return from.clone();
        }
        int[] out = new int[max];
        for (int j = 0; j < max; j++) {
            out[j] = from[(int) ((long) j * n / max)];
        }
        return out;
    }

    private static float[] images(Dataset d, int[] idx, boolean normalize) {
        float[] x = new float[idx.length * d.imageSize()];
        d.fillBatch(idx, 0, idx.length, x, null, normalize);
        return x;
    }

    private static int[] labelsOf(Dataset d, int[] idx) {
        int[] y = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            y[i] = d.label(idx[i]);
        }
        return y;
    }

    /** h: arg-max class per image, in fixed chunks of {@code batchSize} images in parallel (one network each). */
    private SmoothingClassifier.BaseClassifier classifier(ModelSpec spec, int imageSize, Compute compute) {
        ConcurrentLinkedDeque<Network> pool = new ConcurrentLinkedDeque<>();
        return (params, images, count, out) -> {
            int chunks = (count + batchSize - 1) / batchSize;
            compute.parallelFor(chunks, c -> {
                int from = c * batchSize;
                int n = Math.min(batchSize, count - from);
                Network net = pool.poll();
                if (net == null) {
                    net = spec.build();
                }
                try {
                    net.setParams(params);
                    float[] x = new float[n * imageSize];
                    System.arraycopy(images, from * imageSize, x, 0, x.length);
                    int[] y = new int[n];
                    net.predict(x, n, y);
                    System.arraycopy(y, 0, out, from, n);
                } finally {
                    pool.push(net);
                }
            });
        };
    }
}
