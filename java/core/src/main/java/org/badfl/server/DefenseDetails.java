package org.badfl.server;

/**
 * What a defense found in one round beyond its verdicts (per-client scores, memories), handed to a
 * {@link DefenseObserver}. Each defense that reports defines its own typed record (BADFL:
 * {@code org.badfl.server.badfl.BadflRoundDetails}); an observer picks the ones it knows with {@code instanceof}.
 * The values are copies: reading them never changes the round.
 */
public interface DefenseDetails {

    /** The reporting defense's name ({@link Defense#name()}). */
    String defense();

    /** The round the details are of (1-based, {@link RoundInput#round()}). */
    int round();
}
