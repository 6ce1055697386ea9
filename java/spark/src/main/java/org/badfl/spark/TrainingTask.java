package org.badfl.spark;

import java.io.Serializable;
import org.badfl.clients.ClientTrainer.ClientTask;
import org.badfl.clients.RoundShare;

/**
 * One client's training in a round as it travels to an executor: numbers only. The executor looks up its
 * adversary's attack in its own copy of the scenario, so no attack object is serialized. The data indices travel
 * with the task (a few hundred ints): the id the server sees may not be the client's own (a Sybil adversary shows
 * a fresh id every round), so the executor never derives anything from it.
 *
 * @param slot             the client's row in the round's updates
 * @param clientId         the id the server sees for this client in this round
 * @param indices          its sample indices in the training data
 * @param samples          the sample count sent with its update
 * @param seed             its seed for the round ({@link org.badfl.clients.ClientSeeds#clientRound})
 * @param adversary        index of the adversary whose attack it runs this round, or -1 when it trains honestly
 * @param rank             its attacker number within its adversary; 0 when honest
 * @param clientsInRound   the adversary's {@link RoundShare} (unused when honest)
 * @param attackersInRound see {@link RoundShare}
 * @param samplesInRound   see {@link RoundShare}
 * @param attackerSamples  see {@link RoundShare}
 */
record TrainingTask(int slot, int clientId, int[] indices, long samples, long seed, int adversary, int rank, int clientsInRound,
                    int attackersInRound, long samplesInRound, long attackerSamples) implements Serializable {

    /** The task of {@code task}, whose attack (when it attacks) is that of adversary {@code adversary}. */
    static TrainingTask of(ClientTask task, int adversary) {
        RoundShare s = task.share();
        if (!task.attacking()) {
            return new TrainingTask(task.slot(), task.clientId(), task.indices(), task.samples(), task.seed(), -1, 0, 0,
                0, 0, 0);
        }
        return new TrainingTask(task.slot(), task.clientId(), task.indices(), task.samples(), task.seed(), adversary,
            task.rank(),
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
