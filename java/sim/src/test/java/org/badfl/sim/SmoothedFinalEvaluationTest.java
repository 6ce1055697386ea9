package org.badfl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.badfl.data.AsrSet;
import org.badfl.engine.Compute;
import org.badfl.evaluation.Evaluator;
import org.badfl.evaluation.SmoothedEvaluation;
import org.badfl.server.badfl.BadflConfig;
import org.badfl.server.badfl.BadflDefense;
import org.badfl.server.defenses.Crfl;
import org.badfl.server.defenses.FedAvg;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The run's smoothed final evaluation for BADFL and CRFL on a small synthetic scenario (what each defense declares). */
class SmoothedFinalEvaluationTest {

    static Scenario scenario;

    @BeforeAll
    static void prepare() {
        ScenarioConfig c = new ScenarioConfig();
        c.dataset = "synthetic:n=240,test=80,classes=4,size=16";
        c.rounds = 2;
        c.clients = 6;
        c.rootSet = 8;
        c.inspectionSet = 4;
        c.minSamples = 5;
        c.primary = new AdversaryConfig();
        c.primary.attack = "pixel-pattern";
        c.primary.attackers = 1;
        c.primary.trigger = "square";
        c.defenses = List.of("fedavg");
        scenario = Scenario.prepare(c);
    }

    static SmoothedFinalEvaluation smoothed(int imagesPerSet, int batchSize) {
        return new SmoothedFinalEvaluation(new SmoothedEvaluation(imagesPerSet, batchSize));
    }

    static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** σ = 0: every copy is the model itself, so the smoothed classifier is the plain one (M = 20 never abstains). */
    @Test
    void withoutNoiseItIsThePlainClassifierOnTheSubset() {
        BadflDefense badfl = new BadflDefense(BadflConfig.builder().smoothingSigma(0).smoothingCopies(20).build());
        float[] model = scenario.initialGlobal();
        int images = 30;
        ObjectNode o = smoothed(images, 7).evaluate("badfl", badfl, model, model, scenario,
            Compute.serial(), 5);
        Evaluator plain = new Evaluator(scenario.modelSpec(), 64, scenario.config().normalize);
        int[] test = SmoothedEvaluation.evenlySpaced(scenario.cleanTestIndices(), images);
        assertEquals(plain.accuracy(model, scenario.test(), test, Compute.serial()), o.get("smoothed_acc").asDouble());
        AsrSet asr = scenario.adversaries().get(0).asrSet();
        int[] asrIdx = SmoothedEvaluation.evenlySpaced(all(asr.size()), images);
        int[] p = plain.predict(model, asr.dataset(), asrIdx, Compute.serial());
        long hits = java.util.Arrays.stream(p).filter(y -> y == asr.target()).count();
        assertEquals((double) hits / asrIdx.length, o.get("smoothed_asr").asDouble());
        assertEquals(0.0, o.get("smoothed_abstain").asDouble());
        assertEquals(20, o.get("smoothing_copies").asInt());
        assertEquals(0.0, o.get("smoothing_sigma").asDouble());
        assertEquals(1, o.get("smoothed_asr_by_adversary").size());
    }

    /** Noise from (seed, m) only: same seed and any thread count give the same fields; CRFL uses its σ. */
    @Test
    void deterministicAndCrflUsesItsSigma() {
        Crfl crfl = new Crfl();
        float[] model = scenario.initialGlobal();
        ObjectNode a = smoothed(25, 8).evaluate("crfl", crfl, model, model, scenario, Compute.serial(), 9);
        ObjectNode b;
        try (Compute two = Compute.create(2)) {
            b = smoothed(25, 8).evaluate("crfl", crfl, model, model, scenario, two, 9);
        }
        assertEquals(a, b);
        assertEquals(Crfl.DEFAULT_SIGMA, a.get("smoothing_sigma").asDouble());
        assertEquals(Crfl.SMOOTHING_COPIES, a.get("smoothing_copies").asInt());
        double acc = a.get("smoothed_acc").asDouble();
        assertTrue(acc >= 0 && acc <= 1 - a.get("smoothed_abstain").asDouble() + 1e-12, a.toString());
    }

    /** Eq. 13 on the smoothed clean predictions: the parameters from the scenario, the summary consistent. */
    @Test
    void certifiedRadiusOfBadflAndCrfl() {
        float[] model = scenario.initialGlobal();
        BadflDefense badfl = new BadflDefense(BadflConfig.builder().smoothingCopies(40).build());
        ObjectNode o = smoothed(40, 8).evaluate("badfl", badfl, model, model, scenario, Compute.serial(), 3);
        com.fasterxml.jackson.databind.JsonNode c = o.get("certification");
        assertTrue(c != null && !c.has("unavailable"), o.toString());
        assertEquals(40, c.get("images").asInt());
        assertEquals(o.get("smoothed_acc").asDouble(), c.get("correct").asInt() / 40.0, 1e-12);
        com.fasterxml.jackson.databind.JsonNode p = c.get("parameters");
        assertEquals(BadflConfig.IID_SIGMA, p.get("sigma").asDouble());
        assertEquals(1, p.get("attackers").asInt());
        assertEquals(6, p.get("clients_per_round").asInt());
        assertEquals(1.0, p.get("scale").asDouble(), "pixel-pattern is not scaled");
        assertEquals(1.0, p.get("contraction").asDouble(), "BADFL: no norm bound");
        assertEquals(1, p.get("attack_round").asInt(), "the last attack round before T = 2");
        int attacker = scenario.adversaries().get(0).clients()[0];
        double batches = Math.ceil(scenario.clientSamples(attacker) / (double) scenario.config().batchSize);
        assertEquals(scenario.config().epochs * batches, p.get("local_iterations").asDouble());
        assertEquals(Math.round(0.5 * scenario.config().batchSize), p.get("poisoned_per_batch").asInt());
        com.fasterxml.jackson.databind.JsonNode acc = c.get("certified_accuracy");
        assertEquals(SmoothedFinalEvaluation.CERTIFIED_RADII.length, acc.size());
        assertEquals(o.get("smoothed_acc").asDouble(), acc.get(0).get("accuracy").asDouble(), 1e-12,
            "at radius 0 every correct prediction counts");
        for (int k = 1; k < acc.size(); k++) {
            assertTrue(acc.get(k).get("accuracy").asDouble() <= acc.get(k - 1).get("accuracy").asDouble(), c.toString());
        }
        if (c.get("correct").asInt() > 0) {
            assertTrue(c.get("mean_radius").asDouble() > 0 && c.get("median_radius").asDouble() > 0, c.toString());
        }

        Crfl crfl = new Crfl();
        ObjectNode k = smoothed(40, 8).evaluate("crfl", crfl, model, model, scenario, Compute.serial(), 3);
        com.fasterxml.jackson.databind.JsonNode cp = k.get("certification").get("parameters");
        assertEquals(Crfl.DEFAULT_SIGMA, cp.get("sigma").asDouble());
        assertTrue(cp.get("norm_bound").asText().startsWith("CRFL"));
        double expected = (2 * org.badfl.evaluation.CertifiedRadius.phi(crfl.rho(2) / Crfl.DEFAULT_SIGMA) - 1);
        assertEquals(expected, cp.get("contraction").asDouble(), 1e-15);
    }

    @Test
    void certifiedRadiusNeedsNoiseAndAnAttack() {
        float[] model = scenario.initialGlobal();
        BadflDefense noiseless = new BadflDefense(BadflConfig.builder().sigma(0).smoothingSigma(0.001)
            .smoothingCopies(10).build());
        ObjectNode o = smoothed(10, 8).evaluate("badfl", noiseless, model, model, scenario, Compute.serial(), 3);
        assertTrue(o.get("certification").get("unavailable").asText().contains("sigma > 0"), o.toString());
        ScenarioConfig c = scenario.config();
        ScenarioConfig none = ConfigLoader.copy(c);
        none.primary = new AdversaryConfig();
        none.primary.attack = "none";
        none.primary.attackers = 0;
        Scenario clean = Scenario.prepare(none);
        ObjectNode n = smoothed(10, 8).evaluate("badfl", new BadflDefense(BadflConfig.builder().smoothingCopies(10)
            .build()), model, model, clean, Compute.serial(), 3);
        assertEquals("the scenario has no adversary", n.get("certification").get("unavailable").asText());
    }

    /** An untargeted or model-poisoning adversary plants no backdoor: no radius, and the evaluation goes on. */
    @Test
    void certifiedRadiusIsUnavailableForAnAttackWithoutABackdoor() {
        float[] model = scenario.initialGlobal();
        for (String attack : java.util.List.of("alie", "sign-flipping")) {
            ScenarioConfig c = ConfigLoader.copy(scenario.config());
            c.primary = new AdversaryConfig();
            c.primary.attack = attack;
            c.primary.attackers = 1;
            Scenario s = Scenario.prepare(c);
            for (org.badfl.server.Defense d : java.util.List.<org.badfl.server.Defense>of(
                new BadflDefense(BadflConfig.builder().smoothingCopies(10).build()), new Crfl())) {
                ObjectNode o = smoothed(10, 8).evaluate(d.name(), d, model, model, s, Compute.serial(), 3);
                assertTrue(o.get("certification").get("unavailable").asText().contains("poisons no training batch"),
                    attack + " " + d.name() + ": " + o);
            }
        }
    }

    @Test
    void modelReplacementScaleEntersTheCertificate() {
        ScenarioConfig c = ConfigLoader.copy(scenario.config());
        c.primary = new AdversaryConfig();
        c.primary.attack = "constrain-and-scale";
        c.primary.attackers = 2;
        c.primary.trigger = "square";
        Scenario s = Scenario.prepare(c);
        BadflDefense badfl = new BadflDefense(BadflConfig.builder().smoothingCopies(10).build());
        CertificationParameters p = CertificationParameters.of(badfl, badfl.testTimeSmoothing().orElseThrow(), s);
        assertEquals(3.0, p.description().get("scale").asDouble(), "6 clients in the round / 2 attackers");
        assertEquals(2, p.description().get("attackers").asInt());
    }

    @Test
    void otherDefensesAndSmoothingOffGetNothing() {
        float[] model = scenario.initialGlobal();
        assertNull(new SmoothedFinalEvaluation().evaluate("fedavg", new FedAvg(), model, model, scenario,
            Compute.serial(), 1));
        assertNull(new SmoothedFinalEvaluation().evaluate("badfl", new BadflDefense(BadflConfig.builder().smoothing(false)
            .build()), model, model, scenario, Compute.serial(), 1));
    }

    /** The run's report: the smoothed fields get their own table and console lines; defenses without them none. */
    @Test
    void reportShowsTheSmoothedClassifierBesideThePlainTable() {
        ObjectNode extra = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        extra.put("smoothed_acc", 0.962);
        extra.put("smoothed_asr", 0.0);
        extra.put("smoothed_abstain", 0.002);
        extra.put("smoothing_copies", 100);
        extra.put("smoothing_sigma", 0.001);
        extra.put("smoothing_images", 500);
        ObjectNode cert = extra.putObject("certification");
        cert.put("mean_radius", 2.5e-5);
        cert.put("median_radius", 2.25e-5);
        cert.putArray("certified_accuracy").addObject().put("radius", 0.0).put("accuracy", 0.962);
        cert.withArray("certified_accuracy").addObject().put("radius", 1e-5).put("accuracy", 0.5);
        List<DefenseResult> results = List.of(
            new DefenseResult("fedavg", 6, 0.94, new double[] {0.98}, null, 0, 1, 1, 1, null),
            new DefenseResult("badfl", 6, 0.9595, new double[] {0.0039}, null, 0, 1, 1, 1, extra));
        assertEquals("(table: the final model as is; test-time smoothing in report.md)\n"
            + "badfl smoothed (M=100, sigma=0.001, 500 images per set): ACC 96.20%, ASR 0.00%, abstain 0.20%, "
            + "certified radius mean 2.50e-05, median 2.25e-05" + System.lineSeparator(), RunReport.smoothedLines(results));
        String md = RunReport.markdown("t", "d", results, true);
        assertTrue(md.contains("| badfl | 96.20% | 0.00% | 0.20% | 100 | 0.001 | 500 | 2.50e-05 | 2.25e-05 |"), md);
        assertTrue(md.contains("- badfl: certified accuracy 96.20% at r=0, 50.00% at r=1e-05"), md);
        assertTrue(md.contains("| badfl | 95.95% | - | 0.39% |"), md); // the plain table keeps G_T's numbers
        assertEquals("", RunReport.smoothedLines(results.subList(0, 1)));
        assertTrue(!RunReport.markdown("t", "d", results.subList(0, 1), true)
            .contains("Smoothed classifier"));
    }
}
