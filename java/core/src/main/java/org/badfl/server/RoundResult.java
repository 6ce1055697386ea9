package org.badfl.server;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link Defense} returns for one round.
 *
 * @param global           the new global model G (fresh array, finite): what the next round starts from
 * @param verdicts         one verdict per update row in input order, or empty when the defense judges nobody
 * @param note             one line saying what the defense did that a user should know (fallbacks, all-zero
 *                         trust, empty round, ...); empty when nothing notable happened
 * @param evaluationGlobal the model this round's metrics are measured on when it differs from {@code global},
 *                         else null. CRFL evaluates the clipped model and adds its noise after evaluation
 *                         (AI-secure/CRFL main.py: test, save, then add noise), so its evaluation model is the
 *                         noiseless one. Use {@link #modelToEvaluate()}.
 */
public record RoundResult(float[] global, List<ClientVerdict> verdicts, String note, float[] evaluationGlobal) {

    public RoundResult {
        Objects.requireNonNull(global, "global");
        verdicts = List.copyOf(verdicts);
        note = note == null ? "" : note;
        if (evaluationGlobal != null && evaluationGlobal.length != global.length) {
            throw new IllegalArgumentException("evaluation model has " + evaluationGlobal.length
                + " parameters, global model has " + global.length);
        }
    }

    /** A result whose evaluation model is the new global model itself. */
    public RoundResult(float[] global, List<ClientVerdict> verdicts, String note) {
        this(global, verdicts, note, null);
    }

    public static RoundResult of(float[] global) {
        return new RoundResult(global, List.of(), "");
    }

    /** The model to evaluate after this round: {@link #evaluationGlobal()} if set, else {@link #global()}. */
    public float[] modelToEvaluate() {
        return evaluationGlobal != null ? evaluationGlobal : global;
    }
}
