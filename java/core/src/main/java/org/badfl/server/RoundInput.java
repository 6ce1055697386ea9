package org.badfl.server;

import java.util.Objects;
import org.badfl.engine.ParamLayout;

/**
 * Everything a {@link Defense} sees in one round.
 *
 * @param global      G before the round, length = layout size (not modified by defenses)
 * @param layout      the layer table of G and of every update; defenses read
 *                    {@link ParamLayout#trainableRanges()} to leave BatchNorm running statistics out of
 *                    norms and similarities
 * @param updates     the validated updates Δ_i with client ids and sample counts (not modified by defenses)
 * @param round       1-based round number t
 * @param totalRounds T (defenses that skip noise in the last round need it); 0 if unknown
 * @param seed        seed of this round's randomness (noise, sampling); same seed, same result
 * @param context     server-side resources: threads, and for defenses that need them, a root-set trainer
 *                    (FLTrust) or model inspection (BADFL)
 */
public record RoundInput(float[] global, ParamLayout layout, RoundUpdates updates, int round, int totalRounds,
                         long seed, ServerContext context) {

    /**
     * Checks shapes (cheap, O(n)): G and every row have the layout's length and every slot is filled. Values
     * (NaN, Inf) are the {@link UpdateValidator}'s job.
     */
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
        for (int i = 0; i < updates.size(); i++) {
            int length = updates.receivedLength(i);
            if (length < 0) {
                throw new IllegalArgumentException("update slot " + i + " was never filled (validate the updates first)");
            }
            if (length != layout.size()) {
                throw new IllegalArgumentException("update of client " + updates.clientId(i) + ": expected "
                    + layout.size() + " values, found " + length + " (validate the updates first)");
            }
        }
        if (round < 1) {
            throw new IllegalArgumentException("round must be >= 1, got " + round);
        }
        if (totalRounds < 0) {
            throw new IllegalArgumentException("totalRounds must be >= 0 (0 = unknown), got " + totalRounds);
        }
    }

    /** True in the final round (t = T) when T is known. */
    public boolean isLastRound() {
        return totalRounds > 0 && round >= totalRounds;
    }

    /** Same round with other updates (e.g. the accepted subset); everything else shared. */
    public RoundInput withUpdates(RoundUpdates other) {
        return new RoundInput(global, layout, other, round, totalRounds, seed, context);
    }
}
