package org.badfl.sim;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Arrays;
import java.util.Objects;
import org.badfl.evaluation.DetectionCounts;

/**
 * The metrics of one defense in one round: one row of {@code rounds.csv}, and what the checkpoint keeps so that
 * a resumed run reports exactly what an uninterrupted one would.
 *
 * @param defense        defense name as given ({@code no-attack} for FedAvg without attack)
 * @param round          1-based round t
 * @param acc            clean test accuracy after the round
 * @param asr            attack success rate per adversary after the round (empty when the scenario has no attack)
 * @param selected       clients that trained in the round
 * @param attacking      clients that attacked in the round (0 for no-attack)
 * @param rejected       updates the validator rejected (malformed: NaN/Inf, wrong length, ...)
 * @param detection      confusion counts of the defense's flags against the attacking set, or null when the
 *                       defense does not flag clients
 * @param trainSeconds   wall time of local training (all selected clients)
 * @param defenseSeconds wall time of validation + aggregation
 * @param evalSeconds    wall time of evaluation (ACC and ASR)
 * @param note           the defense's note for the round (fallbacks, rejections), empty if none
 * @param hostDeviceBytes bytes copied between host and device in the round (both directions: training batches,
 *                       G, the kernels' inputs and results); 0 when the run has no device
 * @param defenseOn      false in the rounds of {@code defense-off-rounds}, where the server aggregated with plain
 *                       FedAvg instead of the defense
 */
public record RoundRecord(String defense, int round, double acc, double[] asr, int selected, int attacking,
                          int rejected, DetectionCounts detection, double trainSeconds, double defenseSeconds,
                          double evalSeconds, String note, long hostDeviceBytes, boolean defenseOn) {

    public RoundRecord {
        Objects.requireNonNull(defense, "defense");
        asr = asr == null ? new double[0] : asr.clone();
        note = note == null ? "" : note;
    }

    /** A round with the defense on. */
    public RoundRecord(String defense, int round, double acc, double[] asr, int selected, int attacking, int rejected,
                       DetectionCounts detection, double trainSeconds, double defenseSeconds, double evalSeconds,
                       String note, long hostDeviceBytes) {
        this(defense, round, acc, asr, selected, attacking, rejected, detection, trainSeconds, defenseSeconds,
            evalSeconds, note, hostDeviceBytes, true);
    }

    /** A round of a run without a device (no host↔device traffic), the defense on. */
    public RoundRecord(String defense, int round, double acc, double[] asr, int selected, int attacking, int rejected,
                       DetectionCounts detection, double trainSeconds, double defenseSeconds, double evalSeconds,
                       String note) {
        this(defense, round, acc, asr, selected, attacking, rejected, detection, trainSeconds, defenseSeconds,
            evalSeconds, note, 0);
    }

    /**
     * Mean ASR over the adversaries that have one (untargeted attacks have none: NaN in {@link #asr()}), or null
     * when none has.
     */
    @JsonIgnore
    public Double meanAsr() {
        double[] defined = Arrays.stream(asr).filter(a -> !Double.isNaN(a)).toArray();
        return defined.length == 0 ? null : Arrays.stream(defined).average().orElseThrow();
    }

    @Override
    public double[] asr() {
        return asr.clone();
    }

    /** Equal in every metric; the timing fields are ignored (wall clock). */
    public boolean sameMetrics(RoundRecord o) {
        return defense.equals(o.defense) && round == o.round && Double.compare(acc, o.acc) == 0
            && Arrays.equals(asr, o.asr) && selected == o.selected && attacking == o.attacking
            && rejected == o.rejected && Objects.equals(detection, o.detection) && note.equals(o.note)
            && defenseOn == o.defenseOn;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RoundRecord r && sameMetrics(r) && Double.compare(trainSeconds, r.trainSeconds) == 0
            && Double.compare(defenseSeconds, r.defenseSeconds) == 0 && Double.compare(evalSeconds, r.evalSeconds) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(defense, round, acc, Arrays.hashCode(asr), selected, attacking, rejected, detection);
    }

    @Override
    public String toString() {
        return defense + " round " + round + ": acc " + acc + ", asr " + Arrays.toString(asr)
            + (detection == null ? "" : ", " + detection) + (defenseOn ? "" : ", defense off")
            + (note.isEmpty() ? "" : " (" + note + ")");
    }
}
