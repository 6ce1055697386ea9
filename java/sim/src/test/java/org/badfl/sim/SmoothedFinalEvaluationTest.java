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
        List<DefenseResult> results = List.of(
            new DefenseResult("fedavg", 6, 0.94, new double[] {0.98}, null, 0, 1, 1, 1, null),
            new DefenseResult("badfl", 6, 0.9595, new double[] {0.0039}, null, 0, 1, 1, 1, extra));
        assertEquals("(table: the final model as is; test-time smoothing in report.md)\n"
            + "badfl smoothed (M=100, sigma=0.001, 500 images per set): ACC 96.20%, ASR 0.00%, abstain 0.20%"
            + System.lineSeparator(), RunReport.smoothedLines(results));
        String md = RunReport.markdown("t", "d", results, true);
        assertTrue(md.contains("| badfl | 96.20% | 0.00% | 0.20% | 100 | 0.001 | 500 |"), md);
        assertTrue(md.contains("| badfl | 95.95% | - | 0.39% |"), md); // the plain table keeps G_T's numbers
        assertEquals("", RunReport.smoothedLines(results.subList(0, 1)));
        assertTrue(!RunReport.markdown("t", "d", results.subList(0, 1), true)
            .contains("Smoothed classifier"));
    }
}
