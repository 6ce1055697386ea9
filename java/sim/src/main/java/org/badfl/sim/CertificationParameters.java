package org.badfl.sim;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.IntToDoubleFunction;
import org.badfl.clients.ClientAttack;
import org.badfl.clients.RoundShare;
import org.badfl.clients.TrainingSettings;
import org.badfl.evaluation.CertifiedRadius;
import org.badfl.server.Defense;
import org.badfl.server.TestTimeSmoothing;
import org.badfl.server.badfl.BadflDefense;
import org.badfl.server.defenses.Crfl;

/**
 * The parameters of the certified radius (BADFL eq. 12-13, CRFL's Corollary; {@link CertifiedRadius}) of a
 * defense's smoothed final model, read from the scenario and the defense. The certificate bounds the backdoor an
 * adversary with the scenario's first adversary's capability could plant:
 * <ul>
 *   <li>σ = the defense's training noise (BADFL {@code sigma}, CRFL {@code sigma}), σ_test = its smoothing σ;</li>
 *   <li>R = that adversary's attackers, each with aggregation weight p_i = 1/m (m clients per round);</li>
 *   <li>η and τ of its poison training: τ = poison epochs × the mean over its clients of ⌈n_i / B⌉ batches;</li>
 *   <li>q_B / n_B = poisoned slots per batch / batch size; γ = its scale in a round where all R attackers take part
 *       (every round when all clients take part);</li>
 *   <li>t_adv = its last attack round before T (the certificate covers an attack up to that round);</li>
 *   <li>ρ_t: CRFL's clipping bound of G; BADFL does not bound ‖G‖, so ρ_t = ∞ and every factor 2Φ(ρ_t/σ) − 1 is 1
 *       (the smallest radius eq. 13 gives for any norm bound);</li>
 *   <li>L_z with ρ = 3, the reference's value.</li>
 * </ul>
 *
 * @param radius      the radius function, or null when no certificate is defined for the run
 * @param unavailable why there is none (null when there is one)
 * @param description the parameters as written to {@code summary.json}
 */
record CertificationParameters(CertifiedRadius radius, String unavailable, ObjectNode description) {

    /** ρ of the Lipschitz constant L_z = √(2 + 2ρ + ρ²), AI-secure/CRFL's value. */
    static final double LIPSCHITZ_RHO = 3;

    static CertificationParameters of(Defense defense, TestTimeSmoothing smoothing, Scenario scenario) {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        double sigmaTrain;
        IntToDoubleFunction rho;
        String rhoText;
        if (defense instanceof BadflDefense badfl) {
            sigmaTrain = badfl.config().sigma();
            rho = t -> Double.POSITIVE_INFINITY;
            rhoText = "none (BADFL does not bound the norm of G: every factor 2Phi(rho_t/sigma) - 1 is 1)";
        } else if (defense instanceof Crfl crfl) {
            sigmaTrain = crfl.sigma();
            rho = crfl::rho;
            rhoText = "CRFL's clipping bound of G per round";
        } else {
            return new CertificationParameters(null, "the defense's training noise is not known", d);
        }
        if (scenario.adversaries().isEmpty()) {
            return new CertificationParameters(null, "the scenario has no adversary", d);
        }
        if (!(sigmaTrain > 0) || !(smoothing.sigma() > 0)) {
            return new CertificationParameters(null, "eq. 13 needs noise sigma > 0 in training and at test time "
                + "(sigma " + sigmaTrain + ", smoothing sigma " + smoothing.sigma() + ")", d);
        }
        ScenarioConfig c = scenario.config();
        Scenario.Adversary adversary = scenario.adversaries().get(0);
        ClientAttack attack = adversary.attack();
        int attackers = adversary.clients().length;
        int perRound = Math.max(1, (int) Math.round(c.fraction * c.clients));
        int inRound = Math.min(attackers, perRound);
        int attackRound = -1;
        for (int t = c.rounds - 1; t >= 1 && attackRound < 0; t--) {
            if (adversary.schedule().attacksIn(t)) {
                attackRound = t;
            }
        }
        if (attackRound < 0) {
            return new CertificationParameters(null, "adversary 1 attacks in no round before the last", d);
        }
        if (!attack.targeted() || attack.poisoning(0) == null) {
            return new CertificationParameters(null, "adversary 1 (" + attack.describe() + ") poisons no training "
                + "batch with a backdoor: eq. 13 bounds a backdoor's effect", d);
        }
        int batch = c.batchSize;
        int poisoned = attack.poisoning(0).poisonedPerBatch(batch);
        if (poisoned == 0) {
            return new CertificationParameters(null, "adversary 1 poisons no sample of a batch", d);
        }
        TrainingSettings settings = attack.settings(scenario.training());
        long attackerSamples = 0;
        double batches = 0;
        for (int id : adversary.clients()) {
            attackerSamples += scenario.clientSamples(id);
            batches += Math.ceil(scenario.clientSamples(id) / (double) batch);
        }
        double iterations = settings.epochs() * batches / attackers;
        long allSamples = 0;
        for (int id = 0; id < c.clients; id++) {
            allSamples += scenario.clientSamples(id);
        }
        // A round where the attackers take part next to perRound - inRound clients of average size.
        long roundSamples = Math.max(attackerSamples, attackerSamples
            + Math.round((perRound - inRound) * (double) allSamples / c.clients));
        double scale = attack.scaleFactor(new RoundShare(perRound, inRound, roundSamples, attackerSamples));
        CertifiedRadius radius = new CertifiedRadius(sigmaTrain, smoothing.sigma(), settings.lr(), c.rounds,
            attackers, poisoned, batch, scale, iterations, LIPSCHITZ_RHO,
            CertifiedRadius.uniformWeights(attackers, perRound), attackRound, rho);
        d.put("sigma", sigmaTrain);
        d.put("sigma_test", smoothing.sigma());
        d.put("attackers", attackers);
        d.put("clients_per_round", perRound);
        d.put("learning_rate", settings.lr());
        d.put("local_iterations", iterations);
        d.put("poisoned_per_batch", poisoned);
        d.put("batch_size", batch);
        d.put("scale", scale);
        d.put("lipschitz_rho", LIPSCHITZ_RHO);
        d.put("attack_round", attackRound);
        d.put("norm_bound", rhoText);
        d.put("contraction", radius.contraction());
        return new CertificationParameters(radius, null, d);
    }
}
