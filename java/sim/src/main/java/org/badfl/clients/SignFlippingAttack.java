package org.badfl.clients;

import org.badfl.data.AsrSet;
import org.badfl.data.Dataset;
import org.badfl.data.Poisoning;
import org.badfl.engine.ParamLayout;

/**
 * Sign flipping (Damaskinos, El Mhamdi, Guerraoui, Patra, Taziki, "Asynchronous Byzantine Machine Learning (the
 * case of SGD)", ICML 2018; docs/ATTACKS.md, "Sign flipping"): the malicious client trains honestly and sends
 * −Δ. Untargeted; not omniscient. BatchNorm running statistics are measurements, not trained, and are sent as
 * measured (negating a running variance would make it negative).
 */
public final class SignFlippingAttack extends ClientAttack {

    public SignFlippingAttack() {
        super("sign-flipping");
    }

    @Override
    public Poisoning poisoning(int rank) {
        return null;
    }

    @Override
    public AsrSet asrSet(Dataset test) {
        return null;
    }

    /** Δ ← −Δ on the trainable parameters. */
    @Override
    public void finishUpdate(float[] delta, ParamLayout layout, RoundShare share) {
        int[] ranges = layout.trainableRanges();
        for (int r = 0; r < ranges.length; r += 2) {
            for (int i = ranges[r]; i < ranges[r + 1]; i++) {
                delta[i] = -delta[i];
            }
        }
    }
}
