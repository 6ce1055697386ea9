package org.badfl.clients;

import org.badfl.data.Batch;
import org.badfl.data.BatchSampler;
import org.badfl.data.Poisoning;
import org.badfl.data.Trigger;
import org.badfl.engine.Network;
import org.badfl.engine.ParamLayout;
import org.badfl.engine.Sgd;
import org.badfl.util.Seeds;

/**
 * Alternating minimisation with explicit boosting (Bhagoji, Chakraborty, Mittal, Calo, "Analyzing Federated
 * Learning through an Adversarial Lens", ICML 2019, Section 4; the BADFL paper's reference [8]; docs/ATTACKS.md,
 * "Alter-min"). The stealth objective and the malicious objective are minimised in turn, once each per local
 * epoch e, starting from W = G:
 * <ol>
 *   <li>Stealth objective: one pass of SGD over the client's clean batches on CE + ρ‖W − G‖² (its gradient
 *       2ρ(W − G) is added to the CE gradient on the trainable parameters), which keeps the accuracy on benign data
 *       and the distance to G looking normal.</li>
 *   <li>Malicious objective: one pass of SGD over the poisoned batches (pixel-pattern trigger, as
 *       {@link PixelPatternAttack}), W_s → W_m; explicit boosting of that step only: W ← W_s + λ(W_m − W_s).</li>
 * </ol>
 * λ ({@code boost}) defaults to "auto" = clients in the round / attackers of this adversary in it (the paper boosts
 * by the inverse of the attacker's weight in the average); ρ ({@code stealth-rho}) defaults to 1e-4.
 * The paper's distance is to the attacker's estimate of the benign update (the previous round's global update); a
 * client here keeps no memory across rounds, so the estimate is 0 and the distance is to G (as in FLPoison).
 */
public final class AlterMinAttack extends PixelPatternAttack {

    private final Double boost;
    private final double stealthRho;

    /**
     * @param boost      λ ≥ 1, or null for "auto" (clients in round / attackers in round)
     * @param stealthRho ρ ≥ 0, weight of the distance term of the stealth objective
     */
    public AlterMinAttack(Trigger trigger, int target, double poisonRatio, Double boost, double stealthRho,
                          Scaling scaling, Integer poisonEpochs, Double poisonLr) {
        super("alter-min", trigger, target, poisonRatio, scaling, poisonEpochs, poisonLr);
        if (boost != null && !(boost >= 1 && Double.isFinite(boost))) {
            throw new IllegalArgumentException("attack alter-min: boost must be auto or a finite number >= 1, found "
                + boost);
        }
        if (!(stealthRho >= 0 && Double.isFinite(stealthRho))) {
            throw new IllegalArgumentException("attack alter-min: stealth rho must be finite and >= 0, found "
                + stealthRho);
        }
        this.boost = boost;
        this.stealthRho = stealthRho;
    }

    /** λ, or null for auto. */
    public Double boost() {
        return boost;
    }

    public double stealthRho() {
        return stealthRho;
    }

    /** λ in a round of composition {@code share}. */
    double boostIn(RoundShare share) {
        if (boost != null) {
            return boost;
        }
        if (share == null) {
            throw new IllegalArgumentException("attack alter-min: boost 'auto' needs the round's composition");
        }
        return (double) share.clientsInRound() / share.attackersInRound();
    }

    @Override
    public double train(LocalRun run) {
        Network net = run.net();
        float[] global = run.global();
        ParamLayout layout = net.layout();
        TrainingSettings s = run.settings();
        float lambda = (float) boostIn(run.share());
        float twoRho = (float) (2 * stealthRho);
        int[] ranges = layout.trainableRanges();
        BatchSampler malicious = new BatchSampler(run.data(), run.indices(), s.batchSize(), run.poisoning(),
            run.seeds().batches());
        BatchSampler stealth = new BatchSampler(run.data(), run.indices(), s.batchSize(), (Poisoning) null,
            Seeds.derive(run.seeds().batches(), "stealth"));
        Sgd maliciousSgd = new Sgd(s.lr(), s.momentum(), s.weightDecay());
        Sgd stealthSgd = new Sgd(s.lr(), s.momentum(), s.weightDecay());
        Batch batch = malicious.newBatch();
        double last = Double.NaN;
        for (int epoch = 0; epoch < s.epochs(); epoch++) {
            stealth.startEpoch(epoch);
            while (stealth.next(batch, s.normalize())) {
                last = net.lossAndGradients(batch.x(), batch.y(), batch.size());
                if (twoRho != 0f) {
                    float[] w = net.params();
                    float[] grad = net.grads();
                    for (int r = 0; r < ranges.length; r += 2) {
                        for (int i = ranges[r]; i < ranges[r + 1]; i++) {
                            grad[i] += twoRho * (w[i] - global[i]);
                        }
                    }
                }
                stealthSgd.step(net);
            }
            float[] start = net.params().clone();
            malicious.startEpoch(epoch);
            while (malicious.next(batch, s.normalize())) {
                last = net.lossAndGradients(batch.x(), batch.y(), batch.size());
                maliciousSgd.step(net);
            }
            if (lambda != 1f) {
                float[] w = net.params();
                for (int r = 0; r < ranges.length; r += 2) {
                    for (int i = ranges[r]; i < ranges[r + 1]; i++) {
                        w[i] = start[i] + lambda * (w[i] - start[i]);
                    }
                }
            }
        }
        return last;
    }

    @Override
    public String describe() {
        return super.describe() + ", boost " + (boost == null ? "auto" : boost) + ", stealth rho " + stealthRho;
    }
}
