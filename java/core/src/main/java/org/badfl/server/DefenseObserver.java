package org.badfl.server;

/**
 * Receives the details a defense reports about each round ({@link DefenseDetails}), for a caller that wants to
 * study a defense (traces, plots) without changing it. Reached through {@link ServerContext#observer()}; the
 * default is {@link #NONE}. Called on the aggregating thread, once per round and reporting defense, before the
 * round's result is returned; an observer only reads (the details are copies), so results are the same with or
 * without one. An exception it throws fails the round.
 */
@FunctionalInterface
public interface DefenseObserver {

    /** Ignores everything (the default of every context). */
    DefenseObserver NONE = details -> {
    };

    /** One round's details of one defense. */
    void roundDetails(DefenseDetails details);
}
