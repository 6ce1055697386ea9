package org.badfl.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import org.badfl.evaluation.DetectionCounts;

/**
 * The final result of one defense in a run: one entry of {@code summary.json}'s {@code results} and one row of
 * the final table. ACC and ASR are those after the last round; the detection rates are computed from the
 * confusion counts summed over all rounds (null when the defense flags nobody or the rate's denominator is 0);
 * seconds are the sum of the rounds' phase times.
 *
 * @param defense        defense name ({@code no-attack} = FedAvg without attack)
 * @param rounds         rounds completed
 * @param acc            clean accuracy after the last round
 * @param asr            per-adversary ASR after the last round (empty without attack)
 * @param detection      summed confusion counts, null for defenses that flag nobody
 * @param rejected       updates rejected as malformed over the run
 * @param trainSeconds   local training wall time over the run
 * @param defenseSeconds validation + aggregation wall time over the run
 * @param evalSeconds    evaluation wall time over the run
 * @param extra          fields from a {@link FinalEvaluation} (e.g. certified accuracy), or null
 */
public record DefenseResult(String defense, int rounds, double acc, double[] asr, DetectionCounts detection,
                            long rejected, double trainSeconds, double defenseSeconds, double evalSeconds,
                            ObjectNode extra) {

    /** Aggregates one defense's round records (in round order, at least one). */
    public static DefenseResult of(String defense, List<RoundRecord> records) {
        return of(defense, records, null);
    }

    /** As {@link #of(String, List)} with the fields of a final evaluation (null for none). */
    public static DefenseResult of(String defense, List<RoundRecord> records, ObjectNode extra) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("defense " + defense + ": no rounds recorded");
        }
        RoundRecord last = records.get(records.size() - 1);
        DetectionCounts detection = null;
        long rejected = 0;
        double train = 0;
        double def = 0;
        double eval = 0;
        for (RoundRecord r : records) {
            if (r.detection() != null) {
                detection = detection == null ? r.detection() : detection.plus(r.detection());
            }
            rejected += r.rejected();
            train += r.trainSeconds();
            def += r.defenseSeconds();
            eval += r.evalSeconds();
        }
        return new DefenseResult(defense, records.size(), last.acc(), last.asr(), detection, rejected, train, def, eval,
            extra);
    }

    /**
     * Mean ASR over the adversaries that have one (untargeted attacks have none: NaN in {@link #asr()}), or null
     * when none has.
     */
    public Double meanAsr() {
        double[] defined = Arrays.stream(asr).filter(a -> !Double.isNaN(a)).toArray();
        return defined.length == 0 ? null : Arrays.stream(defined).average().orElseThrow();
    }

    /** Total wall time (training + defense + evaluation). */
    public double seconds() {
        return trainSeconds + defenseSeconds + evalSeconds;
    }

    public Double paperTpr() {
        return detection == null ? null : detection.paperTpr();
    }

    public Double paperTnr() {
        return detection == null ? null : detection.paperTnr();
    }

    public Double recall() {
        return detection == null ? null : detection.recall();
    }

    public Double specificity() {
        return detection == null ? null : detection.specificity();
    }

    @Override
    public String toString() {
        return defense + ": acc " + acc + ", asr " + Arrays.toString(asr) + (detection == null ? "" : ", " + detection)
            + ", rejected " + rejected + ", " + rounds + " rounds";
    }
}
