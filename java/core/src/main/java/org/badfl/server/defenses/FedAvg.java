package org.badfl.server.defenses;

import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;

/**
 * Federated averaging (McMahan et al., AISTATS 2017; docs/DEFENSES.md, "FedAvg"): G ← G + Σ_i p_i Δ_i with
 * p_i = n_i / Σ_j n_j. Every coordinate is averaged, BatchNorm running statistics included (their average is
 * the sample-weighted mean of the clients' statistics). No hyperparameters; judges nobody.
 */
public final class FedAvg implements Defense {

    @Override
    public String name() {
        return "fedavg";
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        if (updates.size() == 0) {
            return DefenseSupport.emptyRound(input);
        }
        float[] next = input.global().clone();
        input.context().kernels().accumulate(updates, updates.sampleWeights(), next);
        return RoundResult.of(next);
    }
}
