package org.badfl.clients;

import java.util.Locale;
import org.badfl.data.AsrSet;
import org.badfl.data.Dataset;
import org.badfl.data.Poisoning;

/**
 * Label flipping, data poisoning (the classic attack of Biggio et al. 2012, in FLPoison's {@code LabelFlipping}
 * forms; docs/ATTACKS.md, "Label flipping"): the malicious client trains on its own data with labels changed,
 * every eligible sample of every batch (no poison ratio). Two modes:
 * <ul>
 *   <li>{@code targeted}: source → target (FLPoison's default 2 → 7); other labels untouched. ASR = fraction of
 *       the source-class test images classified as the target.</li>
 *   <li>{@code all2all}: y → K − 1 − y for every label (K classes): untargeted, measured by the accuracy drop.</li>
 * </ul>
 */
public final class LabelFlippingAttack extends ClientAttack {

    /** The flip modes. */
    public enum Mode {
        TARGETED, ALL2ALL;

        public static Mode parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("attack label-flipping: parameter flip-mode must be targeted or "
                    + "all2all, found '" + text + "'");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** FLPoison's defaults. */
    public static final int DEFAULT_SOURCE = 2;
    public static final int DEFAULT_TARGET = 7;

    private final Mode mode;
    private final int source;
    private final int flipTarget;
    private final int[] labelMap;

    /** Targeted: {@code source} → {@code target} among {@code classes} labels. */
    public static LabelFlippingAttack targeted(int source, int target, int classes) {
        return new LabelFlippingAttack(Mode.TARGETED, source, target, classes);
    }

    /** All-to-all: y → classes − 1 − y. */
    public static LabelFlippingAttack allToAll(int classes) {
        return new LabelFlippingAttack(Mode.ALL2ALL, -1, -1, classes);
    }

    private LabelFlippingAttack(Mode mode, int source, int target, int classes) {
        super("label-flipping");
        if (classes < 2) {
            throw new IllegalArgumentException("attack label-flipping: needs at least 2 classes, found " + classes);
        }
        this.mode = mode;
        this.labelMap = new int[classes];
        for (int y = 0; y < classes; y++) {
            labelMap[y] = mode == Mode.ALL2ALL ? classes - 1 - y : y;
        }
        if (mode == Mode.TARGETED) {
            if (source < 0 || source >= classes || target < 0 || target >= classes) {
                throw new IllegalArgumentException("attack label-flipping: parameters flip-source and target must be "
                    + "labels 0.." + (classes - 1) + ", found " + source + " and " + target);
            }
            if (source == target) {
                throw new IllegalArgumentException("attack label-flipping: parameter flip-source must differ from the "
                    + "target " + target);
            }
            labelMap[source] = target;
        }
        this.source = source;
        this.flipTarget = target;
    }

    public Mode mode() {
        return mode;
    }

    /** The source label (targeted mode), −1 otherwise. */
    public int source() {
        return source;
    }

    /** The label each label is trained as. */
    public int[] labelMap() {
        return labelMap.clone();
    }

    @Override
    public int target() {
        return flipTarget;
    }

    @Override
    public boolean targeted() {
        return mode == Mode.TARGETED;
    }

    @Override
    public Poisoning poisoning(int rank) {
        return Poisoning.labelFlip(labelMap);
    }

    @Override
    public AsrSet asrSet(Dataset test) {
        return mode == Mode.TARGETED ? AsrSet.labelFlip(test, source, flipTarget) : null;
    }

    @Override
    public String describe() {
        return "label-flipping " + (mode == Mode.TARGETED ? source + " -> " + flipTarget : "all2all (y -> K-1-y)");
    }
}
