package org.badfl.clients;

/**
 * What an attacker knows about the round when it scales its update (model replacement needs the share of the
 * aggregate it must overpower).
 *
 * @param clientsInRound   clients whose updates the server aggregates this round (n)
 * @param attackersInRound clients of the same adversary that attack this round
 * @param samplesInRound   training samples of all clients in the round (Σ n_j)
 * @param attackerSamples  training samples of the attacking clients of the same adversary
 */
public record RoundShare(int clientsInRound, int attackersInRound, long samplesInRound, long attackerSamples) {

    public RoundShare {
        if (clientsInRound < 1 || attackersInRound < 1 || attackersInRound > clientsInRound) {
            throw new IllegalArgumentException("round share: expected 1 <= attackers (" + attackersInRound
                + ") <= clients (" + clientsInRound + ")");
        }
        if (attackerSamples < 1 || attackerSamples > samplesInRound) {
            throw new IllegalArgumentException("round share: expected 1 <= attacker samples (" + attackerSamples
                + ") <= samples in round (" + samplesInRound + ")");
        }
    }
}
