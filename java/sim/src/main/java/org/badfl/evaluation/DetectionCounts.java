package org.badfl.evaluation;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.badfl.server.ClientVerdict;

/**
 * Confusion counts of a defense's malicious/benign judgements against the true attacker set, and the four rates
 * the paper and the standard literature report (docs/RUN.md, "Metrics"; keep the names honest):
 * <ul>
 *   <li>{@code paper_tpr} = TP / (TP + FP) — what the BADFL paper calls TPR; it is the precision;</li>
 *   <li>{@code paper_tnr} = TN / (TN + FN) — the paper's TNR; it is the negative predictive value;</li>
 *   <li>{@code recall} = TP / (TP + FN) — the standard true-positive rate;</li>
 *   <li>{@code specificity} = TN / (TN + FP) — the standard true-negative rate.</li>
 * </ul>
 * Positive = a client that attacked in that round (an attacker outside its schedule trains honestly and counts
 * as a negative); predicted positive = {@link ClientVerdict#flagged()}. A rate whose denominator is 0 is
 * undefined and returned as null (e.g. paper_tpr when nobody was flagged). Immutable; counts add up over rounds.
 */
public record DetectionCounts(long tp, long fp, long tn, long fn) {

    public static final DetectionCounts ZERO = new DetectionCounts(0, 0, 0, 0);

    public DetectionCounts {
        if (tp < 0 || fp < 0 || tn < 0 || fn < 0) {
            throw new IllegalArgumentException("detection counts must be >= 0, found tp " + tp + ", fp " + fp + ", tn "
                + tn + ", fn " + fn);
        }
    }

    /**
     * Counts one round's verdicts.
     *
     * @param verdicts  one per client update received in the round (not modified)
     * @param attacking ids of the clients that attacked in the round
     */
    public static DetectionCounts of(Collection<ClientVerdict> verdicts, Set<Integer> attacking) {
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (ClientVerdict v : verdicts) {
            boolean positive = attacking.contains(v.clientId());
            if (v.flagged()) {
                if (positive) {
                    tp++;
                } else {
                    fp++;
                }
            } else if (positive) {
                fn++;
            } else {
                tn++;
            }
        }
        return new DetectionCounts(tp, fp, tn, fn);
    }

    /** Element-wise sum. */
    public DetectionCounts plus(DetectionCounts o) {
        return new DetectionCounts(tp + o.tp, fp + o.fp, tn + o.tn, fn + o.fn);
    }

    /** Sum of many. */
    public static DetectionCounts sum(List<DetectionCounts> counts) {
        DetectionCounts s = ZERO;
        for (DetectionCounts c : counts) {
            s = s.plus(c);
        }
        return s;
    }

    /** Clients judged. */
    public long total() {
        return tp + fp + tn + fn;
    }

    /** Clients flagged as malicious. */
    public long flagged() {
        return tp + fp;
    }

    /** The paper's "TPR": TP / (TP + FP) (precision); null when nobody was flagged. */
    public Double paperTpr() {
        return ratio(tp, tp + fp);
    }

    /** The paper's "TNR": TN / (TN + FN) (negative predictive value); null when everybody was flagged. */
    public Double paperTnr() {
        return ratio(tn, tn + fn);
    }

    /** TP / (TP + FN); null when no client attacked. */
    public Double recall() {
        return ratio(tp, tp + fn);
    }

    /** TN / (TN + FP); null when every client attacked. */
    public Double specificity() {
        return ratio(tn, tn + fp);
    }

    private static Double ratio(long num, long den) {
        return den == 0 ? null : (double) num / den;
    }
}
