package org.badfl.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.badfl.engine.ParamLayout;

/**
 * One aggregation round as a server runs it: validate the received updates, let the defense aggregate the
 * accepted ones, guard the output. This is the single call an FL server (or the simulator) makes per round.
 * <ol>
 *   <li>{@link UpdateValidator}: malformed updates (missing, duplicate id, wrong length, bad sample count,
 *       NaN/Inf) are rejected with a reason; the round goes on with the rest (possibly none: every defense
 *       returns G unchanged for an empty round).</li>
 *   <li>{@link Defense#aggregate} on the accepted updates.</li>
 *   <li>Output guard: if the new G (or the evaluation model) holds a NaN or ±Infinity, the round keeps the
 *       previous G, and the note says which defense produced which value where. Keeping G is the safe choice:
 *       the previous G was finite and the clients can train from it again, whereas a non-finite G would poison
 *       every later round. The defense's verdicts are kept (they are its judgement of the clients), but no update
 *       reached G.</li>
 * </ol>
 * The result has one verdict per <em>received</em> row, in slot order: the validator's rejection, else the
 * defense's verdict, else {@link ClientVerdict#accepted(int)} (for defenses that judge nobody).
 */
public final class RoundAggregator {

    private final Defense defense;
    private final UpdateValidator validator;

    public RoundAggregator(Defense defense) {
        this(defense, new UpdateValidator());
    }

    public RoundAggregator(Defense defense, UpdateValidator validator) {
        this.defense = Objects.requireNonNull(defense, "defense");
        this.validator = Objects.requireNonNull(validator, "validator");
    }

    public Defense defense() {
        return defense;
    }

    /**
     * @param result             the round's result, with one verdict per received row
     * @param validation         what the validator accepted and rejected
     * @param previousGlobalKept true when the defense produced a non-finite model and G was kept unchanged
     */
    public record Outcome(RoundResult result, UpdateValidator.Validation validation, boolean previousGlobalKept) {
    }

    /**
     * Runs one round.
     *
     * @param global   G before the round (not modified); must be finite (it is the server's own state: a
     *                 non-finite G is a bug of the caller, reported as {@link IllegalArgumentException})
     * @param received the updates as received, possibly malformed (not modified)
     */
    public Outcome aggregate(float[] global, ParamLayout layout, RoundUpdates received, int round, int totalRounds,
                             long seed, ServerContext context) {
        layout.checkLength("global model", global);
        UpdateValidator.findNonFinite(global, layout).ifPresent(problem -> {
            throw new IllegalArgumentException("global model before round " + round + " is not finite: " + problem);
        });
        UpdateValidator.Validation validation = validator.validate(received, context.compute());
        RoundInput input = new RoundInput(global, layout, validation.accepted(), round, totalRounds, seed, context);
        RoundResult produced = defense.aggregate(input);
        checkShape(produced, layout, validation.accepted().size());

        Optional<String> bad = UpdateValidator.findNonFinite(produced.global(), layout);
        if (bad.isEmpty() && produced.evaluationGlobal() != null) {
            bad = UpdateValidator.findNonFinite(produced.evaluationGlobal(), layout).map(p -> "evaluation model: " + p);
        }
        List<ClientVerdict> verdicts = mergeVerdicts(received, validation, produced.verdicts());
        if (bad.isPresent()) {
            String note = join("defense " + defense.name() + " produced a non-finite value (" + bad.get()
                + "); G kept from the previous round", produced.note());
            return new Outcome(new RoundResult(global.clone(), verdicts, note), validation, true);
        }
        String note = produced.note();
        if (!validation.allAccepted()) {
            note = join(validation.rejected().size() + " of " + received.size() + " updates rejected as invalid", note);
        }
        return new Outcome(new RoundResult(produced.global(), verdicts, note, produced.evaluationGlobal()),
            validation, false);
    }

    private void checkShape(RoundResult produced, ParamLayout layout, int accepted) {
        if (produced.global().length != layout.size()) {
            throw new IllegalStateException("defense " + defense.name() + " returned a model of "
                + produced.global().length + " parameters, expected " + layout.size());
        }
        if (!produced.verdicts().isEmpty() && produced.verdicts().size() != accepted) {
            throw new IllegalStateException("defense " + defense.name() + " returned " + produced.verdicts().size()
                + " verdicts for " + accepted + " updates");
        }
    }

    private static List<ClientVerdict> mergeVerdicts(RoundUpdates received, UpdateValidator.Validation validation,
                                                     List<ClientVerdict> fromDefense) {
        ClientVerdict[] bySlot = new ClientVerdict[received.size()];
        int[] rejectedSlots = validation.rejectedSlots();
        for (int r = 0; r < rejectedSlots.length; r++) {
            bySlot[rejectedSlots[r]] = validation.rejected().get(r);
        }
        int[] acceptedSlots = validation.acceptedSlots();
        for (int a = 0; a < acceptedSlots.length; a++) {
            int slot = acceptedSlots[a];
            bySlot[slot] = fromDefense.isEmpty() ? ClientVerdict.accepted(received.clientId(slot)) : fromDefense.get(a);
        }
        return new ArrayList<>(List.of(bySlot));
    }

    private static String join(String first, String second) {
        return second.isEmpty() ? first : first + "; " + second;
    }
}
