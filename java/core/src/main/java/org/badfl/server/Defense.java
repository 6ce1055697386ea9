package org.badfl.server;

import java.util.Optional;

/**
 * A server-side aggregation rule: turns the global model G and one round's client updates into the next G,
 * and, when it judges clients, a verdict per update.
 * <p>This is the interface an FL server links against (see the package documentation for an example).
 * <ul>
 *   <li><b>Input</b> ({@link RoundInput}): G, the layer table ({@link org.badfl.engine.ParamLayout}), the
 *       updates Δ_i = W_i − G with client ids and sample counts ({@link RoundUpdates}), the round number, a seed
 *       for all randomness, and a {@link ServerContext} through which a defense reaches server-side resources
 *       it needs (threads; FLTrust's root-set update; BADFL's model inspection). A linking server implements
 *       only what its defense needs.</li>
 *   <li><b>Output</b> ({@link RoundResult}): a fresh, finite G; one {@link ClientVerdict} per update row in
 *       input order when the defense judges clients ({@link #flagsClients()}), or when it clips (so that the
 *       clipping is visible); otherwise none; and a one-line note for anything a user should know.</li>
 * </ul>
 * <p>Contract for implementations:
 * <ul>
 *   <li>The caller validates updates first ({@link UpdateValidator}, or {@link RoundAggregator} which does it
 *       all): a defense may assume every row is finite and of the layout's length, and every sample count
 *       positive. It must still never return a non-finite G from finite input it can handle (e.g. an update of
 *       norm 1e30); {@link RoundAggregator} keeps the previous G if one does.</li>
 *   <li>A defense never modifies {@code input.global()} or the update rows.</li>
 *   <li>A round with no updates returns G unchanged (a copy) with a note.</li>
 *   <li>Everything random flows from {@link RoundInput#seed()}: same input, same seed, same result, on any
 *       number of threads.</li>
 *   <li>An implementation may keep state across rounds (e.g. a round counter); one instance serves one
 *       training run and is not shared between concurrent runs.</li>
 * </ul>
 */
public interface Defense {

    /** Name as used on the command line and in {@code org.badfl.server.catalog.Defenses.create} (e.g. "fedavg", "flame", "badfl"). */
    String name();

    /** Aggregates one round. Throws {@link IllegalArgumentException} for input it cannot use (named). */
    RoundResult aggregate(RoundInput input);

    /**
     * True when this defense judges clients as malicious or benign in {@link RoundResult#verdicts()}
     * ({@link ClientVerdict#flagged()}), so that detection metrics (recall, specificity, ...) are meaningful
     * for it. A defense that only clips (e.g. norm clipping) may return verdicts but answers false.
     */
    default boolean flagsClients() {
        return false;
    }

    /**
     * The state this defense carries from round to round, as text, so that a run resumed from a checkpoint
     * continues exactly as an uninterrupted one ({@link #restoreState}); null for a defense whose rounds depend
     * only on their input (the default).
     */
    default String saveState() {
        return null;
    }

    /**
     * Restores the state {@link #saveState} returned, on a fresh instance, before the first round it aggregates.
     * The default accepts only null (no state).
     *
     * @throws IllegalArgumentException for state this defense did not write (named)
     */
    default void restoreState(String state) {
        if (state != null) {
            throw new IllegalArgumentException("defense " + name() + " keeps no state across rounds, but a saved state "
                + "was given");
        }
    }

    /**
     * The smoothed classifier this defense's final model is to be evaluated with (BADFL with its option
     * {@code smoothing} on, CRFL), or empty for plain evaluation (the default).
     */
    default Optional<TestTimeSmoothing> testTimeSmoothing() {
        return Optional.empty();
    }
}
