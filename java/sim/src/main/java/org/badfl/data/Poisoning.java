package org.badfl.data;

/**
 * How a malicious client poisons its training batches: in every batch of B samples, {@code round(ratio * B)}
 * slots (half up) are replaced by poisoned samples labelled {@link #target()}. Two kinds:
 * <ul>
 *   <li>{@link #trigger}: the slot's own sample (any true label, as in backdoors101's {@code batch_poison} and
 *       DBA's {@code get_poison_batch}) with the trigger applied (eq. 5);</li>
 *   <li>{@link #edgeCase}: the slot is filled with the next sample of an edge-case pool
 *       ({@link EdgeCaseSet#attackerSamples()}), unchanged;</li>
 *   <li>{@link #labelFlip}: no slot choice and no ratio: every sample whose label the map changes gets the mapped
 *       label (label flipping; FLPoison flips every eligible sample).</li>
 * </ul>
 * The paper's default ratio is 0.5; DBA's MNIST setting is 20 of 64 (ratio 0.3125). Immutable.
 */
public final class Poisoning {

    public static final double DEFAULT_RATIO = 0.5;

    private final Trigger trigger;
    private final Dataset edgeSamples;
    private final int target;
    private final double ratio;
    private final int[] labelMap;

    private Poisoning(Trigger trigger, Dataset edgeSamples, int target, double ratio) {
        this(trigger, edgeSamples, target, ratio, null);
    }

    private Poisoning(Trigger trigger, Dataset edgeSamples, int target, double ratio, int[] labelMap) {
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("poison ratio: expected a fraction in [0, 1], found " + ratio);
        }
        if (target < 0 && labelMap == null) {
            throw new IllegalArgumentException("poison target label: expected >= 0, found " + target);
        }
        this.labelMap = labelMap;
        this.trigger = trigger;
        this.edgeSamples = edgeSamples;
        this.target = target;
        this.ratio = ratio;
    }

    /** Triggered copies of the batch's own samples, labelled {@code target}. */
    public static Poisoning trigger(Trigger trigger, int target, double ratio) {
        if (trigger == null) {
            throw new IllegalArgumentException("trigger poisoning: expected a trigger, found none");
        }
        return new Poisoning(trigger, null, target, ratio);
    }

    /** Samples of {@code edgeSamples} (used as they are), labelled {@code target}. */
    public static Poisoning edgeCase(Dataset edgeSamples, int target, double ratio) {
        if (edgeSamples == null || edgeSamples.size() == 0) {
            throw new IllegalArgumentException("edge-case poisoning: expected a non-empty edge-case set, found "
                + (edgeSamples == null ? "none" : "0 samples"));
        }
        return new Poisoning(null, edgeSamples, target, ratio);
    }

    /**
     * Label flipping: every sample of label y is trained as {@code labelMap[y]} (samples whose label maps to
     * itself stay clean).
     */
    public static Poisoning labelFlip(int[] labelMap) {
        if (labelMap == null || labelMap.length == 0) {
            throw new IllegalArgumentException("label-flip poisoning: expected a label map, found none");
        }
        for (int y = 0; y < labelMap.length; y++) {
            if (labelMap[y] < 0 || labelMap[y] >= labelMap.length) {
                throw new IllegalArgumentException("label-flip poisoning: label " + y + " maps to " + labelMap[y]
                    + ", expected 0.." + (labelMap.length - 1));
            }
        }
        return new Poisoning(null, null, -1, 1.0, labelMap.clone());
    }

    /** True for label flipping ({@link #labelFlip}). */
    public boolean isLabelFlip() {
        return labelMap != null;
    }

    /** The label a sample of label {@code y} is trained with (label flipping), y itself otherwise. */
    public int flippedLabel(int y) {
        return labelMap == null || y >= labelMap.length ? y : labelMap[y];
    }

    public boolean isTrigger() {
        return trigger != null;
    }

    /** The trigger, or null for edge-case poisoning. */
    public Trigger trigger() {
        return trigger;
    }

    /** The edge-case pool, or null for trigger poisoning. */
    public Dataset edgeSamples() {
        return edgeSamples;
    }

    public int target() {
        return target;
    }

    public double ratio() {
        return ratio;
    }

    /** Poisoned slots in a batch of {@code batchSize}: round(ratio * batchSize), half up. */
    public int poisonedPerBatch(int batchSize) {
        return (int) Math.floor(ratio * batchSize + 0.5);
    }

    /** Checks that this poisoning fits {@code data}: trigger or pool shape, target label. */
    void checkFits(Dataset data) {
        if (labelMap != null) {
            if (labelMap.length != data.numClasses()) {
                throw new IllegalArgumentException("label-flip poisoning: the map covers " + labelMap.length
                    + " labels, expected the data's " + data.numClasses());
            }
            return;
        }
        AsrSet.checkTarget(data, target);
        if (trigger != null && !trigger.fits(data)) {
            throw new IllegalArgumentException("poisoning: trigger " + trigger.name() + " is " + trigger.channels() + "x"
                + trigger.height() + "x" + trigger.width() + ", expected the data's shape " + data.shapeString());
        }
        if (edgeSamples != null && (edgeSamples.channels() != data.channels() || edgeSamples.height() != data.height()
            || edgeSamples.width() != data.width())) {
            throw new IllegalArgumentException("poisoning: edge-case samples are " + edgeSamples.shapeString()
                + ", expected the data's shape " + data.shapeString());
        }
    }

    @Override
    public String toString() {
        if (labelMap != null) {
            return "label flip " + java.util.Arrays.toString(labelMap);
        }
        return (trigger != null ? "trigger " + trigger.name() : "edge-case pool of " + edgeSamples.size())
            + " -> " + target + ", ratio " + ratio;
    }
}
