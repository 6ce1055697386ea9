package org.badfl.clients;

/**
 * Mimic (Karimireddy, He, Jaggi, "Byzantine-Robust Learning on Heterogeneous Datasets via Bucketing", ICLR 2022;
 * docs/ATTACKS.md, "Mimic"): every malicious client sends a copy of one honest client's update, over-weighting
 * that client's data distribution while looking perfectly benign. The copied client is a fixed position
 * {@code choice} among the round's honest updates in client-id order (FLPoison's variant; the paper picks the
 * client that maximises the variance along the top principal direction during a warm-up phase).
 */
public final class MimicAttack extends ModelPoisoningAttack {

    private final int choice;

    /** @param choice position (>= 0) of the copied update among the round's honest updates */
    public MimicAttack(int choice) {
        super("mimic");
        if (choice < 0) {
            throw new IllegalArgumentException("attack mimic: parameter mimic-client must be >= 0, found " + choice);
        }
        this.choice = choice;
    }

    public int choice() {
        return choice;
    }

    @Override
    public int minimumBenign() {
        return choice + 1;
    }

    @Override
    protected float[][] craftRows(RoundView view, long seed) {
        float[][] out = new float[view.malicious()][];
        for (int k = 0; k < out.length; k++) {
            out[k] = view.benign()[choice].clone();
        }
        return out;
    }

    @Override
    public String describe() {
        return super.describe() + ", copies honest update " + choice;
    }
}
