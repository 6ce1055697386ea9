package org.badfl.server.defenses;

import org.badfl.engine.ParamLayout;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.kernels.SignVotes;

/**
 * Robust learning rate (Ozdayi, Kantarcioglu, Gel, "Defending against backdoors in federated learning with
 * robust learning rate", AAAI 2021; TinfoilHat0/Defending-Against-Backdoors-with-Robust-Learning-Rate
 * {@code src/aggregation.py}; docs/DEFENSES.md, "RLR"):
 * <ol>
 *   <li>Sign agreement s_j = |Σ_i sign(Δ_i[j])|, sign(0) = 0 ({@link SignVotes#absSignSum}).</li>
 *   <li>lr_j = +η if s_j ≥ θ, else −η.</li>
 *   <li>Δ = Σ_i n_i Δ_i / Σ_i n_i (FedAvg mean); G ← G + lr ⊙ Δ.</li>
 * </ol>
 * θ = 0 turns the defense off (every s_j ≥ 0: plain FedAvg scaled by η). BatchNorm running statistics are not
 * voted (the reference votes over {@code model.parameters()} only; its issue #2): they take the FedAvg mean
 * (lr = +1 there, whatever η). Judges nobody.
 */
public final class Rlr implements Defense {

    /** θ of the reference's 10-agent runs. */
    public static final int DEFAULT_THRESHOLD = 4;

    private final int threshold;
    private final double serverLr;

    /**
     * @param threshold θ ≥ 0: coordinates with fewer agreeing signs get −η (reference: 4 for 10 agents, 8 for 40)
     * @param serverLr  η &gt; 0, the server learning rate (reference default 1)
     */
    public Rlr(int threshold, double serverLr) {
        DefenseSupport.require(threshold >= 0, "rlr", "threshold", ">= 0", threshold);
        DefenseSupport.require(serverLr > 0 && Double.isFinite(serverLr), "rlr", "server-lr", "finite and > 0",
            serverLr);
        this.threshold = threshold;
        this.serverLr = serverLr;
    }

    /** θ = 4, η = 1. */
    public Rlr() {
        this(DEFAULT_THRESHOLD, 1.0);
    }

    @Override
    public String name() {
        return "rlr";
    }

    public int threshold() {
        return threshold;
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        if (updates.size() == 0) {
            return DefenseSupport.emptyRound(input);
        }
        int d = updates.dimension();
        int[] votes = new int[d];
        input.context().kernels().absSignSum(updates, votes);
        float[] mean = new float[d];
        input.context().kernels().accumulate(updates, updates.sampleWeights(), mean);

        float[] global = input.global();
        float[] next = new float[d];
        long reversed = 0;
        long trainable = 0;
        for (ParamLayout.Entry entry : input.layout().entries()) {
            boolean voted = entry.kind().trainable();
            for (int c = entry.offset(); c < entry.end(); c++) {
                double lr = !voted ? 1.0 : votes[c] >= threshold ? serverLr : -serverLr;
                next[c] = (float) (global[c] + lr * mean[c]);
                if (lr < 0) {
                    reversed++;
                }
            }
            trainable += voted ? entry.length() : 0;
        }
        String note = reversed == 0 ? "" : "learning rate -" + DefenseSupport.fmt(serverLr) + " on " + reversed
            + " of " + trainable + " trainable coordinates (sign agreement < " + threshold + ")";
        return new RoundResult(next, java.util.List.of(), note);
    }
}
