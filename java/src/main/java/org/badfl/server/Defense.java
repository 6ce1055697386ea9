package org.badfl.server;

/**
 * A server-side aggregation rule: turns the global model G and one round's client updates into the next G.
 * <p>This is the interface an FL server links against. The caller (the simulator, or any FL server) must
 * validate updates first ({@link UpdateValidator}): a defense may assume every row is finite and of the
 * layout's length. A defense never modifies {@code input.global()} or the update rows unless documented;
 * it returns a fresh global vector, which must be finite.
 * <p>Implementations may keep state across rounds (e.g. a round counter for a clipping schedule); one
 * instance serves one training run. Everything random flows from {@link RoundInput#seed()}.
 */
public interface Defense {

    /** Name as used on the command line (e.g. "fedavg", "flame", "badfl"). */
    String name();

    /** Aggregates one round. */
    RoundResult aggregate(RoundInput input);

    /**
     * True when this defense judges clients as malicious or benign in {@link RoundResult#verdicts()},
     * so that detection metrics (recall, specificity, ...) are meaningful for it.
     */
    default boolean flagsClients() {
        return false;
    }
}
