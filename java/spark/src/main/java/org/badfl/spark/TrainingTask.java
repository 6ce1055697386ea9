package org.badfl.spark;

import java.io.Serializable;
import org.badfl.clients.ClientTrainer.ClientTask;
import org.badfl.clients.RoundShare;

/**
 * One client's training in a round as it travels to an executor: numbers only. The executor looks up the client's
 * data indices and its adversary's attack in its own copy of the scenario, so no attack object is serialized.
 *
 * @param slot             the client's row in the round's updates
 * @param clientId         the client
 * @param seed             its seed for the round ({@link org.badfl.clients.ClientSeeds#clientRound})
 * @param adversary        index of the adversary whose attack it runs this round, or -1 when it trains honestly
 * @param rank             its attacker number within its adversary; 0 when honest
 * @param clientsInRound   the adversary's {@link RoundShare} (unused when honest)
 * @param attackersInRound see {@link RoundShare}
 * @param samplesInRound   see {@link RoundShare}
 * @param attackerSamples  see {@link RoundShare}
 */
record TrainingTask(int slot, int clientId, long seed, int adversary, int rank, int clientsInRound,
                    int attackersInRound, long samplesInRound, long attackerSamples) implements Serializable {

    /** The task of {@code task}, whose attack (when it attacks) is that of adversary {@code adversary}. */
    static TrainingTask of(ClientTask task, int adversary) {
        RoundShare s = task.share();
        if (!task.attacking()) {
            return new TrainingTask(task.slot(), task.clientId(), task.seed(), -1, 0, 0, 0, 0, 0);
        }
        return new TrainingTask(task.slot(), task.clientId(), task.seed(), adversary, task.rank(),
            s.clientsInRound(), s.attackersInRound(), s.samplesInRound(), s.attackerSamples());
    }

    boolean attacking() {
        return adversary >= 0;
    }

    /** The adversary's share of the round, null when honest. */
    RoundShare share() {
        return attacking() ? new RoundShare(clientsInRound, attackersInRound, samplesInRound, attackerSamples) : null;
    }
}
