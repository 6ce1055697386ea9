package org.badfl.server;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link Defense} returns for one round.
 *
 * @param global   the new global model G (fresh array, finite)
 * @param verdicts one verdict per update row in input order, or empty when the defense judges nobody
 * @param note     one line saying what the defense did that a user should know (fallbacks, all-zero trust,
 *                 ...); empty when nothing notable happened
 */
public record RoundResult(float[] global, List<ClientVerdict> verdicts, String note) {

    public RoundResult {
        Objects.requireNonNull(global, "global");
        verdicts = List.copyOf(verdicts);
        note = note == null ? "" : note;
    }

    public static RoundResult of(float[] global) {
        return new RoundResult(global, List.of(), "");
    }
}
