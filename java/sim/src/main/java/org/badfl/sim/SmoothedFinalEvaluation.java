package org.badfl.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import org.badfl.data.AsrSet;
import org.badfl.engine.Compute;
import org.badfl.evaluation.CertificationSummary;
import org.badfl.evaluation.SmoothedEvaluation;
import org.badfl.server.Defense;
import org.badfl.server.TestTimeSmoothing;

/**
 * The run's test-time smoothing ({@link SmoothedEvaluation}) of each defense that declares one
 * ({@link Defense#testTimeSmoothing()}: BADFL with option {@code smoothing} on, CRFL); other defenses get nothing.
 * <p>The model smoothed is {@code RoundResult.modelToEvaluate()} of the last round: BADFL's G_T (no noise is added in
 * the last round) and CRFL's clipped model before its noise, as in both references. Fields added to the defense's
 * entry of {@code summary.json} (the run's table keeps the plain model's ACC / ASR, see docs/BADFL.md):
 * {@code smoothed_acc} (abstentions count as wrong), {@code smoothed_asr} (mean over adversaries; abstentions are
 * not the target), {@code smoothed_asr_by_adversary}, {@code smoothed_abstain} (abstention rate on the clean test
 * images), {@code smoothing_copies}, {@code smoothing_sigma}, {@code smoothing_images} (images per set), and
 * {@code certification}: the certified radius of eq. (13) on the smoothed clean test images
 * ({@link CertificationSummary}: {@code mean_radius}, {@code median_radius} over the correctly classified ones,
 * {@code certified_accuracy} at {@link #CERTIFIED_RADII}) with its {@code parameters}
 * ({@link CertificationParameters}), or {@code unavailable} with the reason when eq. (13) is not defined for the run.
 * Certification reuses the smoothing's predictions: it costs no forward pass.
 */
public final class SmoothedFinalEvaluation implements FinalEvaluation {

    /** Radii at which the certified accuracy is reported: 0 (the smoothed accuracy) and decades 1e-6 .. 1. */
    static final double[] CERTIFIED_RADII = {0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1};

    private final SmoothedEvaluation evaluation;

    /** @param evaluation how many images per set, in which batches */
    public SmoothedFinalEvaluation(SmoothedEvaluation evaluation) {
        if (evaluation == null) {
            throw new IllegalArgumentException("smoothed final evaluation: the evaluation must be given");
        }
        this.evaluation = evaluation;
    }

    /** {@link SmoothedEvaluation#DEFAULT_IMAGES_PER_SET} images per set. */
    public SmoothedFinalEvaluation() {
        this(new SmoothedEvaluation());
    }

    @Override
    public ObjectNode evaluate(String defenseName, Defense defense, float[] evaluationModel, float[] globalModel,
                               Scenario scenario, Compute compute, long seed) {
        Optional<TestTimeSmoothing> smoothing = defense.testTimeSmoothing();
        if (smoothing.isEmpty()) {
            return null; // no-attack (FedAvg) and defenses without smoothing
        }
        // untargeted adversaries have no ASR set: null in the per-adversary list
        List<AsrSet> byAdversary = scenario.adversaries().stream().map(Scenario.Adversary::asrSet).toList();
        List<AsrSet> asrSets = byAdversary.stream().filter(java.util.Objects::nonNull).toList();
        SmoothedEvaluation.Result r = evaluation.evaluate(smoothing.get(), evaluationModel, scenario.modelSpec(),
            scenario.test(), scenario.cleanTestIndices(), asrSets, scenario.config().normalize, compute, seed);

        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("smoothed_acc", r.accuracy());
        ArrayNode per = JsonNodeFactory.instance.arrayNode();
        int k = 0;
        for (AsrSet set : byAdversary) {
            if (set == null) {
                per.addNull();
            } else {
                per.add(r.asrByAdversary()[k++]);
            }
        }
        if (asrSets.isEmpty()) {
            o.putNull("smoothed_asr");
        } else {
            o.put("smoothed_asr", r.asr());
        }
        o.set("smoothed_asr_by_adversary", per);
        o.put("smoothed_abstain", r.abstention());
        o.put("smoothing_copies", r.smoothing().copies());
        o.put("smoothing_sigma", r.smoothing().sigma());
        o.put("smoothing_images", r.imagesPerSet());
        o.set("certification", certification(defense, smoothing.get(), scenario, r));
        return o;
    }

    private static ObjectNode certification(Defense defense, TestTimeSmoothing smoothing, Scenario scenario,
                                            SmoothedEvaluation.Result r) {
        CertificationParameters p = CertificationParameters.of(defense, smoothing, scenario);
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (p.radius() == null) {
            o.put("unavailable", p.unavailable());
            return o;
        }
        CertificationSummary s = CertificationSummary.of(r.clean(), r.cleanLabels(), p.radius(), CERTIFIED_RADII);
        o.put("images", s.images());
        o.put("correct", s.correct());
        putNumber(o, "mean_radius", s.meanRadius());
        putNumber(o, "median_radius", s.medianRadius());
        ArrayNode acc = o.putArray("certified_accuracy");
        for (int k = 0; k < s.radii().length; k++) {
            acc.addObject().put("radius", s.radii()[k]).put("accuracy", s.certifiedAccuracy()[k]);
        }
        o.set("parameters", p.description());
        return o;
    }

    private static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }
}
