package org.badfl.server.badfl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.badfl.server.badfl.NeuronInspection.Propagation;
import org.badfl.server.badfl.NeuronInspection.Scoring;
import org.badfl.server.badfl.SaliencyFeatures.ClassFeatures;
import org.badfl.server.badfl.SaliencyFeatures.ModelFeatures;
import org.badfl.server.badfl.SaliencyFeatures.Stability;
import org.junit.jupiter.api.Test;

/** MNIA on synthetic features (the engine-backed end-to-end case is in {@link BackdoorInspectionTest}). */
class NeuronInspectionTest {

    static final int CLASSES = 10;

    /** Benign: correlation ~ 60 ± 4, XOR stability ~ 28 ± 3, pairwise ~ 16 ± 1 on every class. */
    static ModelFeatures benign(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        ClassFeatures[] c = new ClassFeatures[CLASSES];
        for (int k = 0; k < CLASSES; k++) {
            c[k] = new ClassFeatures(60 + 4 * rng.nextGaussian(), (int) Math.round(28 + 3 * rng.nextGaussian()),
                16 + rng.nextGaussian());
        }
        return new ModelFeatures(c, null);
    }

    /** Backdoored: the target class's maps are sparse (correlation 20) and stable (XOR 4, pairwise 3). */
    static ModelFeatures backdoored(long seed, int target) {
        ModelFeatures b = benign(seed);
        ClassFeatures[] c = b.classes().clone();
        c[target] = new ClassFeatures(20, 4, 3);
        return new ModelFeatures(c, null);
    }

    /** An LMCA result whose candidates are {@code candidates}, each its own cluster unless grouped. */
    static Lmca.Result lmca(int n, int[] candidates, int[][] clusters) {
        int[] clusterOf = new int[n];
        Arrays.fill(clusterOf, -1);
        int[] reps = new int[clusters.length];
        for (int c = 0; c < clusters.length; c++) {
            for (int m : clusters[c]) {
                clusterOf[m] = c;
            }
            reps[c] = clusters[c][0];
        }
        List<Integer> outliers = new ArrayList<>();
        for (int cand : candidates) {
            if (clusterOf[cand] < 0) {
                outliers.add(cand);
            }
        }
        return new Lmca.Result(new double[n], 2, new double[n], 0, outliers.stream().mapToInt(i -> i).toArray(),
            new String[n], clusterOf, clusters.length, reps, candidates);
    }

    static int[][] singletons(int... rows) {
        int[][] c = new int[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            c[i] = new int[] {rows[i]};
        }
        return c;
    }

    @Test
    void backdooredCandidatesAreFlaggedAndCleanOnesAreNot() {
        int n = 12;
        ModelFeatures[] f = new ModelFeatures[n];
        for (int i = 0; i < n; i++) {
            f[i] = i < 3 ? backdoored(i, 0) : benign(100 + i);
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (Scoring scoring : new Scoring[] {Scoring.PAPER, Scoring.DEVIATION}) {
            for (Stability s : Stability.values()) {
                NeuronInspection ni = new NeuronInspection(1, 1, s, 2.0, Propagation.INSPECT, scoring);
                NeuronInspection.Result r = ni.run(lmca(n, all, singletons(all)), row -> f[row], 5);
                assertArrayEquals(new int[] {0, 1, 2}, r.flagged(), s + " " + scoring);
                assertTrue(r.separated());
                assertTrue(r.separation() > 2);
                assertEquals(0, r.judgements().get(0).point().suspectClass());
                String reason = r.judgements().get(0).reason();
                assertTrue(reason.startsWith("MNIA: class 0 f="), reason);
                assertTrue(reason.contains(scoring == Scoring.PAPER ? "malicious cluster" : "anomaly index"), reason);
                assertEquals(n, r.inspections());
            }
        }
    }

    /** Rounds of 11 benign candidates (synthetic features) in which somebody was flagged, of 100. */
    static int falseAlarmRounds(NeuronInspection ni) {
        int n = 11;
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        int roundsWithFlags = 0;
        for (int round = 0; round < 100; round++) {
            ModelFeatures[] f = new ModelFeatures[n];
            for (int i = 0; i < n; i++) {
                f[i] = benign(1000L * round + i);
            }
            if (ni.run(lmca(n, all, singletons(all)), row -> f[row], round).flagged().length > 0) {
                roundsWithFlags++;
            }
        }
        return roundsWithFlags;
    }

    /**
     * Without an attack K-means still splits in two; the separation guard keeps everybody unflagged in most rounds.
     * "Most" is the claim, so the bound is a majority: fewer than 50 of 100 attack-free rounds with a flag, for the
     * default and for the interpretation's reading. Not ≥ 90% unflagged: on these synthetic features (independent
     * normal noise per class, 11 candidates) the split picks the most extreme models and the maximum over classes
     * has a heavy tail (real models: docs/BADFL.md). The exact counts are pinned separately as a regression
     * snapshot ({@link #falseAlarmRoundsRegressionSnapshot}).
     */
    @Test
    void attackFreeRoundsFlagNobodyMostOfTheTime() {
        int def = falseAlarmRounds(new NeuronInspection());
        int interp = falseAlarmRounds(NeuronInspection.interpretation());
        assertTrue(def < 50, "default: " + def + " of 100 attack-free rounds flag somebody");
        assertTrue(interp < 50, "interpretation: " + interp + " of 100 attack-free rounds flag somebody");
    }

    /**
     * Regression snapshot, not a property: the false-alarm counts of {@link #falseAlarmRounds} for the fixed seeds
     * of this commit (default 18 of 100, interpretation 22 of 100), so that any change of the decision rule, the
     * K-means seeding or the feature scaling shows here. Produced by this test itself; to re-derive after an
     * intended change, run {@code mvn -B -o -q -pl java/core verify -Dsurefire.failIfNoSpecifiedTests=false
     * -Dtest='NeuronInspectionTest#falseAlarmRoundsRegressionSnapshot'} and copy the counts from the failure
     * message.
     */
    @Test
    void falseAlarmRoundsRegressionSnapshot() {
        int def = falseAlarmRounds(new NeuronInspection());
        int interp = falseAlarmRounds(NeuronInspection.interpretation());
        String measured = "measured: default " + def + ", interpretation " + interp;
        assertEquals(REGRESSION_SNAPSHOT_DEFAULT_FALSE_ALARMS, def, measured);
        assertEquals(REGRESSION_SNAPSHOT_INTERPRETATION_FALSE_ALARMS, interp, measured);
    }

    /**
     * Under the member rule a candidate needs an anomaly index above guard (3); with propagated-guard 6 a cluster
     * member inspected because its cluster's sampled member was flagged needs one above 6: a mildly anomalous member
     * (index between 3 and 6) is kept, and flagged with the default (one guard for all); a strongly backdoored member
     * is flagged either way.
     */
    @Test
    void propagatedMembersNeedThePropagatedGuard() {
        int n = 14;
        ModelFeatures[] f = new ModelFeatures[n];
        for (int i = 0; i < n; i++) {
            f[i] = benign(300 + i);
        }
        f[0] = backdoored(0, 0);
        f[2] = backdoored(2, 0);
        // Row 1: class 3's correlation 28 below the benign 60 ± 4 (anomaly index between 3 and 6).
        ClassFeatures[] mild = f[1].classes().clone();
        mild[3] = new ClassFeatures(mild[3].correlation() - 28, mild[3].xorStability(), mild[3].pairwiseStability());
        f[1] = new ModelFeatures(mild, null);
        // Cluster {0, 1, 2} sampled by 0; the others singletons.
        int[][] clusters = {{0, 1, 2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}, {13}};
        int[] candidates = {0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
        NeuronInspection.Result def = new NeuronInspection(1, 1, Stability.PAIRWISE, NeuronInspection.DEFAULT_GUARD,
            Propagation.INSPECT, Scoring.DEVIATION, 6).run(lmca(n, candidates, clusters), row -> f[row], 4);
        NeuronInspection.Result one = new NeuronInspection().run(lmca(n, candidates, clusters), row -> f[row], 4);
        String r1 = def.judgements().get(1).reason() + " | " + one.judgements().get(1).reason();
        assertArrayEquals(new int[] {0, 2}, def.flagged(), r1);
        assertArrayEquals(new int[] {0, 1, 2}, one.flagged(), r1);
        assertTrue(def.judgements().get(1).reason().contains("<= propagated-guard 6.00 (cluster of flagged member 0)"),
            r1);
        assertTrue(one.judgements().get(1).reason().contains("> guard 3.00 (cluster of flagged member 0)"), r1);
        assertTrue(def.judgements().get(2).reason().contains("> propagated-guard 6.00"), def.judgements().get(2).reason());
        assertEquals("badfl: propagated-guard must be finite and >= guard (3.0), got 2.0", org.junit.jupiter.api
            .Assertions.assertThrows(IllegalArgumentException.class, () -> new NeuronInspection(1, 1,
                Stability.PAIRWISE, 3, Propagation.INSPECT, Scoring.DEVIATION, 2)).getMessage());
    }

    /** Regression snapshot (see {@link #falseAlarmRoundsRegressionSnapshot}), not a bound. */
    static final int REGRESSION_SNAPSHOT_DEFAULT_FALSE_ALARMS = 18;
    static final int REGRESSION_SNAPSHOT_INTERPRETATION_FALSE_ALARMS = 22;

    /** A flagged sampled member takes its LMCA cluster along: inspected member by member, or flagged whole. */
    @Test
    void verdictPropagation() {
        int n = 14;
        ModelFeatures[] f = new ModelFeatures[n];
        for (int i = 0; i < n; i++) {
            f[i] = i < 3 || i == 12 ? backdoored(i, 0) : benign(200 + i);
        }
        // Cluster {0, 12, 13}: sampled member 0 (backdoored), 12 backdoored, 13 benign. Others singletons.
        int[][] clusters = {{0, 12, 13}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}};
        int[] candidates = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        int[] inspected = new int[n];
        // One guard for all inspected models (propagated-guard = guard).
        NeuronInspection member = new NeuronInspection(1, 1, Stability.PAIRWISE, NeuronInspection.DEFAULT_GUARD,
            Propagation.INSPECT, Scoring.DEVIATION);
        NeuronInspection.Result r = member.run(lmca(n, candidates, clusters), row -> {
            inspected[row]++;
            return f[row];
        }, 3);
        assertArrayEquals(new int[] {0, 1, 2, 12}, r.flagged());
        assertEquals(1, inspected[12]);
        assertEquals(1, inspected[13]);
        assertEquals(14, r.inspections());
        assertTrue(r.judgements().get(12).reason().contains("> guard 3.00 (cluster of flagged member 0)"),
            r.judgements().get(12).reason());
        assertTrue(r.judgements().get(13).reason().contains("<= guard 3.00 (cluster of flagged member 0)"),
            r.judgements().get(13).reason());
        // The interpretation's rule: nearest secondary centre.
        NeuronInspection.Result paper = NeuronInspection.interpretation().run(lmca(n, candidates, clusters),
            row -> f[row], 3);
        assertArrayEquals(new int[] {0, 1, 2, 12}, paper.flagged());
        assertTrue(paper.judgements().get(12).reason().contains("nearer the malicious centre"));
        assertTrue(paper.judgements().get(13).reason().contains("nearer the benign centre"));

        NeuronInspection whole = new NeuronInspection(1, 1, Stability.XOR, 2, Propagation.CLUSTER);
        Arrays.fill(inspected, 0);
        NeuronInspection.Result c = whole.run(lmca(n, candidates, clusters), row -> {
            inspected[row]++;
            return f[row];
        }, 3);
        assertArrayEquals(new int[] {0, 1, 2, 12, 13}, c.flagged());
        assertEquals(0, inspected[13]);
        assertTrue(c.judgements().get(13).reason().contains("not inspected"));
    }

    @Test
    void nonFiniteMapsAreFlaggedAndTooFewCandidatesAreNotJudged() {
        ModelFeatures broken = new ModelFeatures(null, "saliency not finite for class 0 (image 0)");
        ModelFeatures[] f = {benign(1), broken, benign(2)};
        NeuronInspection.Result r = new NeuronInspection().run(lmca(3, new int[] {0, 1, 2}, singletons(0, 1, 2)),
            row -> f[row], 1);
        assertArrayEquals(new int[] {1}, r.flagged());
        assertEquals("MNIA: saliency not finite for class 0 (image 0)", r.judgements().get(1).reason());
        assertTrue(r.note().contains("2 usable inspection candidates: too few"), r.note());
        assertFalse(r.judgements().get(0).flagged());
        assertTrue(Double.isNaN(r.separation()));
    }

    /** Identical candidates (all updates zero or identical): MAD 0, no separation, nobody flagged. */
    @Test
    void identicalCandidatesFlagNobody() {
        ModelFeatures same = benign(9);
        NeuronInspection.Result r = new NeuronInspection().run(
            lmca(5, new int[] {0, 1, 2, 3, 4}, singletons(0, 1, 2, 3, 4)), row -> same, 1);
        assertEquals(0, r.flagged().length);
    }
}
