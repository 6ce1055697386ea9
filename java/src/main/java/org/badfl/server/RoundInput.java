package org.badfl.server;

import java.util.Objects;
import org.badfl.engine.ParamLayout;

/**
 * Everything a {@link Defense} sees in one round.
 *
 * @param global      G before the round, length = layout size (not modified by defenses)
 * @param layout      the layer table of G and of every update
 * @param updates     the validated updates Δ_i with client ids and sample counts (not modified unless the
 *                    defense documents it)
 * @param round       1-based round number t
 * @param totalRounds T (defenses that skip noise in the last round need it); 0 if unknown
 * @param seed        seed of this round's randomness (noise, sampling); same seed, same result
 * @param context     server-side resources: threads, and for defenses that need them, a root-set trainer
 *                    (FLTrust) or model inspection (BADFL)
 */
public record RoundInput(float[] global, ParamLayout layout, RoundUpdates updates, int round, int totalRounds,
                         long seed, ServerContext context) {

    public RoundInput {
        Objects.requireNonNull(global, "global");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(updates, "updates");
        Objects.requireNonNull(context, "context");
        layout.checkLength("global model", global);
        if (updates.layout().size() != layout.size()) {
            throw new IllegalArgumentException("updates have " + updates.layout().size()
                + " parameters, global model has " + layout.size());
        }
        if (round < 1) {
            throw new IllegalArgumentException("round must be >= 1, got " + round);
        }
    }

    /** True in the final round (t = T) when T is known. */
    public boolean isLastRound() {
        return totalRounds > 0 && round >= totalRounds;
    }
}
