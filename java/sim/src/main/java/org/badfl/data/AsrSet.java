package org.badfl.data;

/**
 * Inputs for measuring the attack success rate: ASR = the fraction of these inputs that the model classifies as
 * {@link #target()} (docs/RUN.md, "Metrics"). Built either from a test set and a trigger ({@link #withTrigger},
 * triggered copies of every test image whose true label is not the target) or from an edge-case held-out tail
 * ({@link EdgeCaseSet#asrSet()}). The {@link #dataset()} holds the inputs with every label set to the target,
 * so ASR is that dataset's accuracy; {@link #trueLabels()} keeps the original labels. Immutable.
 */
public final class AsrSet {

    private final Dataset dataset;
    private final int target;
    private final int[] sourceIndices;
    private final int[] trueLabels;
    private final String description;

    AsrSet(Dataset dataset, int target, int[] sourceIndices, int[] trueLabels, String description) {
        this.dataset = dataset;
        this.target = target;
        this.sourceIndices = sourceIndices;
        this.trueLabels = trueLabels;
        this.description = description;
    }

    /**
     * Triggered copies ({@code trigger} applied to the [0,1] pixels) of the images of {@code test} whose true
     * label differs from {@code target}, labelled {@code target}. {@code test} is not modified; its normalisation
     * statistics are kept.
     */
    public static AsrSet withTrigger(Dataset test, Trigger trigger, int target) {
        if (!trigger.fits(test)) {
            throw new IllegalArgumentException("ASR set: trigger " + trigger.name() + " is " + trigger.channels() + "x"
                + trigger.height() + "x" + trigger.width() + ", expected the test images' shape " + test.shapeString());
        }
        checkTarget(test, target);
        int count = test.size() - test.classHistogram()[target];
        int[] idx = new int[count];
        int[] trueLabels = new int[count];
        int k = 0;
        for (int i = 0; i < test.size(); i++) {
            if (test.label(i) != target) {
                trueLabels[k] = test.label(i);
                idx[k++] = i;
            }
        }
        int n = test.imageSize();
        float[] px = new float[Math.multiplyExact(count, n)];
        for (int j = 0; j < count; j++) {
            test.copyImage(idx[j], px, j * n);
            trigger.applyInPlace(px, j * n);
        }
        int[] labels = new int[count];
        java.util.Arrays.fill(labels, target);
        Dataset triggered = new Dataset(test.name() + "+" + trigger.name() + "->" + target, px, labels,
            test.channels(), test.height(), test.width(), test.numClasses(), test.classNames(), test.normalization());
        return new AsrSet(triggered, target, idx, trueLabels, "trigger " + trigger.name() + " on " + count
            + " test images with true label != " + target);
    }

    /**
     * The test images of class {@code source}, labelled {@code target} (targeted label flipping: ASR = the
     * fraction of source-class images classified as the target). {@code test} is not modified.
     */
    public static AsrSet labelFlip(Dataset test, int source, int target) {
        checkTarget(test, target);
        checkTarget(test, source);
        int count = test.classHistogram()[source];
        int[] idx = new int[count];
        int k = 0;
        for (int i = 0; i < test.size(); i++) {
            if (test.label(i) == source) {
                idx[k++] = i;
            }
        }
        int n = test.imageSize();
        float[] px = new float[Math.multiplyExact(count, n)];
        for (int j = 0; j < count; j++) {
            test.copyImage(idx[j], px, j * n);
        }
        int[] labels = new int[count];
        java.util.Arrays.fill(labels, target);
        int[] trueLabels = new int[count];
        java.util.Arrays.fill(trueLabels, source);
        Dataset flipped = new Dataset(test.name() + "+flip" + source + "->" + target, px, labels, test.channels(),
            test.height(), test.width(), test.numClasses(), test.classNames(), test.normalization());
        return new AsrSet(flipped, target, idx, trueLabels, count + " test images of class " + source
            + " (label flip " + source + " -> " + target + ")");
    }

    static void checkTarget(Dataset data, int target) {
        if (target < 0 || target >= data.numClasses()) {
            throw new IllegalArgumentException("target label: expected 0.." + (data.numClasses() - 1) + " for "
                + data.name() + ", found " + target);
        }
    }

    /** The inputs, every label = target. */
    public Dataset dataset() {
        return dataset;
    }

    public int target() {
        return target;
    }

    public int size() {
        return dataset.size();
    }

    /** Index in the source test set of every input; a copy. */
    public int[] sourceIndices() {
        return sourceIndices.clone();
    }

    /** True label of every input (never the target for trigger sets); a copy. */
    public int[] trueLabels() {
        return trueLabels.clone();
    }

    public String description() {
        return description;
    }

    /** ASR from predictions ({@code predicted[i]} for input i; not modified): fraction equal to the target. */
    public double successRate(int[] predicted) {
        if (predicted.length != size()) {
            throw new IllegalArgumentException("ASR: expected " + size() + " predictions, found " + predicted.length);
        }
        if (predicted.length == 0) {
            return 0;
        }
        int hits = 0;
        for (int p : predicted) {
            if (p == target) {
                hits++;
            }
        }
        return hits / (double) predicted.length;
    }

    @Override
    public String toString() {
        return "ASR set: " + description;
    }
}
