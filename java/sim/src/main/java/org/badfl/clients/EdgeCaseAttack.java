package org.badfl.clients;

import org.badfl.data.AsrSet;
import org.badfl.data.Dataset;
import org.badfl.data.EdgeCaseSet;
import org.badfl.data.Poisoning;
import org.badfl.engine.Network;

/**
 * Edge-case backdoor (Wang et al., "Attack of the Tails: Yes, You Really Can Backdoor Federated Learning",
 * NeurIPS 2020; ksreenivasan/OOD_Federated_Learning {@code simulated_averaging.py}; docs/ATTACKS.md, "Edge-case"):
 * <ol>
 *   <li>Data: round(ratio·B) slots of every batch are filled with edge-case samples labelled with the target.
 *       The original ARDIS / Southwest data are not available; the stand-in is the tail of a source class
 *       ({@link EdgeCaseSet}: the source-class training images farthest from their class mean, relabelled; ASR
 *       on the held-out test tail). See docs/DATA.md.</li>
 *   <li>PGD: after every SGD step, if ‖W − G‖ &gt; ε, project W ← G + ε(W − G)/‖W − G‖ (trainable parameters;
 *       ε = 0.25 for MNIST in FLPoison's config; ε = 0 disables it).</li>
 *   <li>Optional replacement ("auto" scaling): Δ ← Δ · (samples in round / attacker samples in round).</li>
 * </ol>
 */
public final class EdgeCaseAttack extends ClientAttack {

    private final EdgeCaseSet edgeCases;
    private final Dataset pool;
    private final double pgdEps;

    /**
     * @param edgeCases the tail stand-in (its target class is the attack's target)
     * @param pgdEps    PGD radius ε (0 = no projection)
     */
    public EdgeCaseAttack(EdgeCaseSet edgeCases, double poisonRatio, double pgdEps, Scaling scaling,
                          Integer poisonEpochs, Double poisonLr) {
        super("edge-case", edgeCases.targetClass(), poisonRatio, scaling, poisonEpochs, poisonLr);
        if (!(pgdEps >= 0 && Double.isFinite(pgdEps))) {
            throw new IllegalArgumentException("attack edge-case: PGD radius must be finite and >= 0, found " + pgdEps);
        }
        this.edgeCases = edgeCases;
        this.pool = edgeCases.attackerSamples();
        this.pgdEps = pgdEps;
    }

    public EdgeCaseSet edgeCases() {
        return edgeCases;
    }

    public double pgdEps() {
        return pgdEps;
    }

    @Override
    public Poisoning poisoning(int rank) {
        return Poisoning.edgeCase(pool, target(), poisonRatio());
    }

    /** The held-out tail of the source class (the test split given must be the one the set was built from). */
    @Override
    public AsrSet asrSet(Dataset test) {
        return edgeCases.asrSet();
    }

    /** PGD projection onto the ball ‖W − G‖ ≤ ε. */
    @Override
    public void afterStep(Network net, float[] global) {
        projectToBall(net, global, pgdEps);
    }

    /** Replacement factor of the edge-case paper: points in the round / attacker points. */
    @Override
    protected double replacementFactor(RoundShare share) {
        return (double) share.samplesInRound() / share.attackerSamples();
    }

    @Override
    public String describe() {
        return super.describe() + ", tail of class " + edgeCases.sourceClass() + " (" + pool.size()
            + " training samples), PGD eps " + pgdEps;
    }
}
