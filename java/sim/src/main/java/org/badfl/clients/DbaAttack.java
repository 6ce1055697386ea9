package org.badfl.clients;

import org.badfl.data.AsrSet;
import org.badfl.data.Dataset;
import org.badfl.data.Poisoning;
import org.badfl.data.Trigger;

/**
 * Distributed backdoor attack (Xie, Huang, Chen, Li, "DBA: Distributed Backdoor Attacks against Federated
 * Learning", ICLR 2020; AI-secure/DBA {@code utils/mnist_params.yaml}, {@code image_helper.py}; docs/ATTACKS.md, DBA):
 * the global trigger is split into four local triggers and the adversary's attacker number k (0-based, in
 * client-id order) poisons its batches with part k mod 4 only ({@link Trigger#dbaLocal}); ASR is measured with
 * the union, the global trigger ({@link Trigger#dbaGlobal}), on test images whose true label is not the target.
 * The reference's MNIST setting poisons 20 of 64 per batch and scales by 100 in single-shot mode
 * ({@code --scale 100 --schedule single:R}).
 */
public final class DbaAttack extends ClientAttack {

    /** Local trigger parts. */
    public static final int PARTS = 4;

    private final Trigger[] parts = new Trigger[PARTS];
    private final Trigger global;

    /**
     * @param channels, height, width the image shape (28x28 or 32x32 presets, see {@link Trigger#dbaLocal})
     */
    public DbaAttack(int channels, int height, int width, int target, double poisonRatio, Scaling scaling,
                     Integer poisonEpochs, Double poisonLr) {
        super("dba", target, poisonRatio, scaling, poisonEpochs, poisonLr);
        for (int k = 0; k < PARTS; k++) {
            parts[k] = Trigger.dbaLocal(k, channels, height, width);
        }
        this.global = Trigger.dbaGlobal(channels, height, width);
    }

    /** The local trigger of attacker number {@code rank}: part rank mod 4. */
    public Trigger localTrigger(int rank) {
        return parts[Math.floorMod(rank, PARTS)];
    }

    public Trigger globalTrigger() {
        return global;
    }

    @Override
    public Poisoning poisoning(int rank) {
        return Poisoning.trigger(localTrigger(rank), target(), poisonRatio());
    }

    @Override
    public AsrSet asrSet(Dataset test) {
        return AsrSet.withTrigger(test, global, target());
    }

    @Override
    public String describe() {
        return super.describe() + ", local triggers dba:0..3 (attacker k uses k mod 4), ASR with dba:global";
    }
}
