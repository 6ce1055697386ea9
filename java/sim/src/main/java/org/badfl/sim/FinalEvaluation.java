package org.badfl.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.badfl.engine.Compute;
import org.badfl.server.Defense;

/**
 * Extra measurements of a defense's final model, added as fields to its entry in {@code summary.json}'s
 * {@code results} — the extension point for test-time smoothing and certification (CRFL's and BADFL's smoothed
 * classifier with certified radius, added by the evaluation package).
 * <p>Called once per defense, after its last round and before that round's checkpoint is committed, so a
 * resumed run reports the same fields without calling it again. Must be deterministic given its inputs (derive
 * any noise from {@code seed}) and must not modify the models.
 */
@FunctionalInterface
public interface FinalEvaluation {

    /**
     * @param defenseName     the defense's name in the run ({@code no-attack} for FedAvg without attack)
     * @param defense         the instance that ran (e.g. to read CRFL's σ and ρ schedule)
     * @param evaluationModel the last round's evaluation model ({@code RoundResult.modelToEvaluate()}: CRFL's
     *                        clipped model before its noise), not modified
     * @param globalModel     the final G (what the next round would start from), not modified
     * @param scenario        the scenario (test data, ASR sets, model architecture)
     * @param compute         threads to use
     * @param seed            {@code Seeds.derive(master, "final-evaluation", defenseIndex)}
     * @return fields to add (null or empty for none); names must not clash with the standard fields
     */
    ObjectNode evaluate(String defenseName, Defense defense, float[] evaluationModel, float[] globalModel,
                        Scenario scenario, Compute compute, long seed);
}
