package org.badfl.clients;

import org.badfl.data.Trigger;
import org.badfl.engine.Network;
import org.badfl.engine.ParamLayout;

/**
 * Constrain-and-scale / model replacement (Bagdasaryan, Veit, Hua, Estrin, Shmatikov, "How To Backdoor Federated
 * Learning", AISTATS 2020; ebagdasa/backdoor_federated_learning {@code training.py}; docs/ATTACKS.md):
 * <ol>
 *   <li>Poison training on batches with a pixel-pattern trigger (as {@link PixelPatternAttack}), optionally with
 *       more epochs / another learning rate ({@code poison-epochs}, {@code poison-lr}; the reference uses 15
 *       epochs at lr 0.05).</li>
 *   <li>Constrain: the loss is L = α·CE + (1 − α)·L_ano with L_ano = ‖W − G‖ (L2 over the trainable
 *       parameters), which keeps the update close to G so that distance-based defenses see a normal update.
 *       Its gradient adds (1 − α)(W − G)/‖W − G‖ to α·∇CE before every SGD step (0 at W = G, where the norm has
 *       no gradient). α = 1 (the reference's {@code alpha_loss} default) trains on CE alone.</li>
 *   <li>Scale: W ← G + γ(W − G) with γ = n/η divided by the attackers in the round (default "auto",
 *       η = 1), so that the averaged model is replaced by the attacker's.</li>
 * </ol>
 */
public final class ConstrainAndScaleAttack extends PixelPatternAttack {

    private final double anomalyAlpha;

    /**
     * @param anomalyAlpha α in [0, 1]: weight of the classification loss against the anomaly term
     */
    public ConstrainAndScaleAttack(Trigger trigger, int target, double poisonRatio, double anomalyAlpha,
                                   Scaling scaling, Integer poisonEpochs, Double poisonLr) {
        super("constrain-and-scale", trigger, target, poisonRatio, scaling, poisonEpochs, poisonLr);
        if (!(anomalyAlpha >= 0 && anomalyAlpha <= 1)) {
            throw new IllegalArgumentException("attack constrain-and-scale: anomaly alpha must be in [0, 1], found "
                + anomalyAlpha);
        }
        this.anomalyAlpha = anomalyAlpha;
    }

    public double anomalyAlpha() {
        return anomalyAlpha;
    }

    /** grads ← α·grads + (1 − α)(W − G)/‖W − G‖ on the trainable parameters. */
    @Override
    public void adjustGradients(Network net, float[] global) {
        if (anomalyAlpha == 1.0) {
            return;
        }
        float[] w = net.params();
        float[] grad = net.grads();
        ParamLayout layout = net.layout();
        double norm = distance(w, global, layout);
        float a = (float) anomalyAlpha;
        float b = norm > 0 ? (float) ((1 - anomalyAlpha) / norm) : 0f;
        int[] ranges = layout.trainableRanges();
        for (int r = 0; r < ranges.length; r += 2) {
            for (int i = ranges[r]; i < ranges[r + 1]; i++) {
                grad[i] = a * grad[i] + b * (w[i] - global[i]);
            }
        }
    }

    @Override
    public String describe() {
        return super.describe() + ", anomaly alpha " + anomalyAlpha;
    }
}
