package org.badfl.sim;

/**
 * Progress callbacks of a {@link Simulation} (progress bar, log lines). {@link #clientTrained} is called from
 * worker threads; the others from the thread that runs the simulation.
 */
public interface SimulationListener {

    /** Silent. */
    SimulationListener NONE = new SimulationListener() {
    };

    /**
     * A defense starts (or resumes).
     *
     * @param defense         its name
     * @param index           0-based position in the run's list
     * @param count           defenses in the run
     * @param firstRound      first round to run (> 1 when resuming)
     * @param rounds          T
     * @param clientsPerRound clients trained per round (the typical count)
     */
    default void defenseStarted(String defense, int index, int count, int firstRound, int rounds, int clientsPerRound) {
    }

    /** One client of the current round finished local training. */
    default void clientTrained() {
    }

    /** A round is complete and checkpointed. */
    default void roundFinished(RoundRecord record) {
    }

    /** A defense completed all rounds. */
    default void defenseFinished(DefenseResult result) {
    }

    /** Informational message (resume position, fallbacks). */
    default void info(String message) {
    }
}
