package org.badfl.data;

import java.util.Arrays;

/**
 * Stand-in for the edge-case backdoor data of Wang et al., "Attack of the Tails" (NeurIPS 2020;
 * ksreenivasan/OOD_Federated_Learning {@code simulated_averaging.py}). The original attack trains on rare
 * inputs from outside the clients' distribution: ARDIS handwritten "7"s labelled "1" for MNIST/EMNIST, and
 * Southwest Airlines planes labelled "truck" for CIFAR-10. <b>Neither set is available to badfl</b>, so this
 * class substitutes the tail of a source class of the dataset itself:
 * <ol>
 *   <li>the mean image of the source class s over the training split (in [0,1] pixel space);</li>
 *   <li>every source-class image is ranked by its L2 distance to that mean, farthest first (ties: lower index
 *       first);</li>
 *   <li>the farthest {@code trainFraction} of the training split's class-s images (at least one) are the
 *       attacker's edge-case samples, relabelled to the target t;</li>
 *   <li>the farthest {@code testFraction} of the test split's class-s images, ranked against the same training
 *       mean, form the held-out tail that measures ASR (disjoint from the attacker's samples, since they come
 *       from the other split).</li>
 * </ol>
 * These tail samples are unusual members of the data distribution, not out-of-distribution inputs, so results
 * are comparable in spirit but not in number with the paper's. For a clean experiment, give benign clients
 * {@link #benignTrainIndices()} (the training set without the attacker's tail) and measure clean accuracy on
 * {@link #cleanTestIndices()} (the test set without the held-out tail). Default: s = 7, t = 1, fraction 0.1
 * (the paper's MNIST choice of 7 -> 1).
 */
public final class EdgeCaseSet {

    public static final int DEFAULT_SOURCE = 7;
    public static final int DEFAULT_TARGET = 1;
    public static final double DEFAULT_TAIL_FRACTION = 0.1;

    private final Dataset train;
    private final Dataset test;
    private final int source;
    private final int target;
    private final float[] sourceMean;
    private final int[] trainTail;
    private final int[] testTail;

    /**
     * @param train         training split (not modified)
     * @param test          test split of the same source (not modified)
     * @param sourceClass   class s whose tail is used
     * @param targetClass   label t the attacker wants (!= s)
     * @param trainFraction fraction of train class-s images taken (0, 1]
     * @param testFraction  fraction of test class-s images held out for ASR (0, 1]
     */
    public EdgeCaseSet(Dataset train, Dataset test, int sourceClass, int targetClass, double trainFraction,
                       double testFraction) {
        AsrSet.checkTarget(train, sourceClass);
        AsrSet.checkTarget(train, targetClass);
        if (sourceClass == targetClass) {
            throw new IllegalArgumentException("edge-case set: expected source class != target class, found both "
                + sourceClass);
        }
        if (!(trainFraction > 0 && trainFraction <= 1) || !(testFraction > 0 && testFraction <= 1)) {
            throw new IllegalArgumentException("edge-case set: expected tail fractions in (0, 1], found train "
                + trainFraction + ", test " + testFraction);
        }
        if (train.channels() != test.channels() || train.height() != test.height() || train.width() != test.width()) {
            throw new IllegalArgumentException("edge-case set: expected train and test of one shape, found "
                + train.shapeString() + " and " + test.shapeString());
        }
        this.train = train;
        this.test = test;
        this.source = sourceClass;
        this.target = targetClass;
        int[] trainSource = train.indicesOfClass(sourceClass);
        int[] testSource = test.indicesOfClass(sourceClass);
        if (trainSource.length == 0 || testSource.length == 0) {
            throw new IllegalArgumentException("edge-case set: expected images of source class " + sourceClass
                + " in both splits, found " + trainSource.length + " in " + train.name() + " and " + testSource.length
                + " in " + test.name());
        }
        this.sourceMean = classMean(train, trainSource);
        this.trainTail = farthest(train, trainSource, sourceMean, tailCount(trainSource.length, trainFraction));
        this.testTail = farthest(test, testSource, sourceMean, tailCount(testSource.length, testFraction));
    }

    /** Defaults: 7 -> 1, 10% tails. */
    public EdgeCaseSet(Dataset train, Dataset test) {
        this(train, test, DEFAULT_SOURCE, DEFAULT_TARGET, DEFAULT_TAIL_FRACTION, DEFAULT_TAIL_FRACTION);
    }

    static int tailCount(int classSize, double fraction) {
        return (int) Math.max(1, Math.min(classSize, Math.round(classSize * fraction)));
    }

    static float[] classMean(Dataset data, int[] indices) {
        int n = data.imageSize();
        double[] sum = new double[n];
        float[] img = new float[n];
        for (int i : indices) {
            data.copyImage(i, img, 0);
            for (int p = 0; p < n; p++) {
                sum[p] += img[p];
            }
        }
        float[] mean = new float[n];
        for (int p = 0; p < n; p++) {
            mean[p] = (float) (sum[p] / indices.length);
        }
        return mean;
    }

    /** L2 distance of image {@code index} of {@code data} to {@code mean} (computed in double). */
    static double distance(Dataset data, int index, float[] mean) {
        float[] img = data.image(index);
        double s = 0;
        for (int p = 0; p < img.length; p++) {
            double d = img[p] - mean[p];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    static int[] farthest(Dataset data, int[] candidates, float[] mean, int count) {
        double[] dist = new double[candidates.length];
        Integer[] order = new Integer[candidates.length];
        for (int k = 0; k < candidates.length; k++) {
            dist[k] = distance(data, candidates[k], mean);
            order[k] = k;
        }
        Arrays.sort(order, (a, b) -> dist[a] != dist[b] ? Double.compare(dist[b], dist[a])
            : Integer.compare(candidates[a], candidates[b]));
        int[] out = new int[count];
        for (int k = 0; k < count; k++) {
            out[k] = candidates[order[k]];
        }
        return out;
    }

    public int sourceClass() {
        return source;
    }

    public int targetClass() {
        return target;
    }

    /** Indices into the training split of the attacker's edge-case samples, farthest first; a copy. */
    public int[] trainTailIndices() {
        return trainTail.clone();
    }

    /** Indices into the test split of the held-out tail, farthest first; a copy. */
    public int[] testTailIndices() {
        return testTail.clone();
    }

    /** Mean image of the source class over the training split; a copy. */
    public float[] sourceMean() {
        return sourceMean.clone();
    }

    /** The attacker's edge-case training samples, labelled with the target (training normalisation kept). */
    public Dataset attackerSamples() {
        int[] labels = new int[trainTail.length];
        Arrays.fill(labels, target);
        return train.subset(trainTail, "edge-case(" + source + "->" + target + ")/train")
            .withLabels(labels, "edge-case(" + source + "->" + target + ")/train");
    }

    /** The held-out tail for ASR: test images of the source class, expected label the target. */
    public AsrSet asrSet() {
        int[] labels = new int[testTail.length];
        Arrays.fill(labels, target);
        Dataset held = test.subset(testTail, "edge-case(" + source + "->" + target + ")/test")
            .withLabels(labels, "edge-case(" + source + "->" + target + ")/test");
        int[] trueLabels = new int[testTail.length];
        Arrays.fill(trueLabels, source);
        return new AsrSet(held, target, testTail.clone(), trueLabels, "edge-case stand-in: " + testTail.length
            + " farthest test images of class " + source + " (held-out tail), target " + target);
    }

    /** Training indices without the attacker's tail, ascending: what benign clients should be partitioned from. */
    public int[] benignTrainIndices() {
        return complement(train.size(), trainTail);
    }

    /** Test indices without the held-out tail, ascending: the clean-accuracy test set. */
    public int[] cleanTestIndices() {
        return complement(test.size(), testTail);
    }

    private static int[] complement(int n, int[] removed) {
        boolean[] out = new boolean[n];
        for (int i : removed) {
            out[i] = true;
        }
        int[] rest = new int[n - removed.length];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (!out[i]) {
                rest[k++] = i;
            }
        }
        return rest;
    }

    @Override
    public String toString() {
        return "edge-case stand-in " + source + "->" + target + ": " + trainTail.length + " train tail, "
            + testTail.length + " held-out test tail";
    }
}
