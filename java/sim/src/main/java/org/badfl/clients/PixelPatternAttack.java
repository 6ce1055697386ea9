package org.badfl.clients;

import org.badfl.data.AsrSet;
import org.badfl.data.Dataset;
import org.badfl.data.Poisoning;
import org.badfl.data.Trigger;

/**
 * BadNets-style data poisoning with a pixel pattern (Gu et al. 2017; the paper's eq. 5
 * {@code x' = x·(1 − m) + p·m}, docs/ATTACKS.md, "Pixel pattern"): in every training batch, round(ratio·B)
 * samples are replaced by triggered copies labelled with the target ({@link Poisoning#trigger}); the model is
 * otherwise trained normally. ASR: the trigger on every test image whose true label is not the target.
 */
public class PixelPatternAttack extends ClientAttack {

    private final Trigger trigger;

    /**
     * @param trigger     the pattern (fits the data's image shape)
     * @param target      target label
     * @param poisonRatio fraction of each batch poisoned (paper default 0.5)
     */
    public PixelPatternAttack(Trigger trigger, int target, double poisonRatio) {
        this(trigger, target, poisonRatio, Scaling.NONE, null, null);
    }

    public PixelPatternAttack(Trigger trigger, int target, double poisonRatio, Scaling scaling, Integer poisonEpochs,
                              Double poisonLr) {
        this("pixel-pattern", trigger, target, poisonRatio, scaling, poisonEpochs, poisonLr);
    }

    protected PixelPatternAttack(String name, Trigger trigger, int target, double poisonRatio, Scaling scaling,
                                 Integer poisonEpochs, Double poisonLr) {
        super(name, target, poisonRatio, scaling, poisonEpochs, poisonLr);
        if (trigger == null) {
            throw new IllegalArgumentException("attack " + name + ": expected a trigger, found none");
        }
        this.trigger = trigger;
    }

    public Trigger trigger() {
        return trigger;
    }

    @Override
    public Poisoning poisoning(int rank) {
        return Poisoning.trigger(trigger, target(), poisonRatio());
    }

    @Override
    public AsrSet asrSet(Dataset test) {
        return AsrSet.withTrigger(test, trigger, target());
    }

    @Override
    public String describe() {
        return super.describe() + ", trigger " + trigger.name();
    }
}
