package org.badfl.server.badfl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Patch deviation on hand-made saliency maps and profiles. */
class PatchDeviationTest {

    /**
     * Profiles of {@code n} models with 2 classes of 4 patches: every value 0.5 plus a small model-specific wobble
     * (seeded), so the per-patch spreads are about 0.01.
     */
    static double[][][] uniform(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][][] p = new double[n][2][4];
        for (int m = 0; m < n; m++) {
            for (int c = 0; c < 2; c++) {
                for (int q = 0; q < 4; q++) {
                    p[m][c][q] = 0.5 + 0.01 * rng.nextGaussian();
                }
            }
        }
        return p;
    }

    static int[] ids(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = 100 + i;
        }
        return a;
    }

    @Test
    void profileAveragesNormalisedMapsOverImagesAndPatches() {
        // one class, 2 images of 1 x 2 x 3 pixels, patch 2: patches (rows 0-1, cols 0-1) and (rows 0-1, col 2).
        // Image 0 gradient [0 1 2 / 3 4 4] -> normalised [0 .25 .5 / .75 1 1]; image 1 all equal -> zeros.
        float[][] g = {{0, 1, 2, 3, 4, 4, 7, 7, 7, 7, 7, 7}};
        double[][] prof = PatchDeviation.rmsReading(2, 0.5, 2.5).profile(g, 2, 1, 2, 3);
        // patch 0: mean over 4 pixels of image 0 (0 + .25 + .75 + 1) / 4 = 0.5, image 1 0 -> 0.25
        // patch 1 (the 1-pixel-wide edge): (.5 + 1) / 2 = 0.75, image 1 0 -> 0.375
        assertArrayEquals(new double[] {0.25, 0.375}, prof[0], 1e-7);
    }

    @Test
    void channelsReduceByMaxAbs() {
        // 2 channels of 1 x 2: |g| max per pixel = [3, 1] -> normalised [1, 0]; patch 1 keeps each pixel.
        float[][] g = {{-3, 1, 2, -0.5f}};
        double[][] prof = PatchDeviation.rmsReading(1, 0.5, 2.5).profile(g, 1, 2, 1, 2);
        assertArrayEquals(new double[] {1, 0}, prof[0], 1e-7);
    }

    @Test
    void nonFiniteGradientsGiveNoProfile() {
        float[][] g = {{0, 1, 2, 3}, {0, Float.NaN, 0, 0}};
        assertNull(new PatchDeviation().profile(g, 1, 1, 2, 2));
    }

    @Test
    void aBrightTriggerPatchIsFlaggedUniformModelsAreNot() {
        double[][][] p = uniform(12, 3);
        p[4][0][3] = 0.9; // class 0, the "corner" patch
        p[4][1][3] = 0.8;
        PatchDeviation pd = PatchDeviation.rmsReading(4, 0.5, 2.5);
        PatchDeviation.Result r = pd.judge(ids(12), p, new PatchDeviation.Memory());
        for (int i = 0; i < 12; i++) {
            assertEquals(i == 4, r.flagged()[i], "model " + i + " score " + r.scores()[i]);
        }
        // The seeds-1-3 rule (class contrast, centred and capped at the guard): one round alone cannot flag ...
        PatchDeviation.Memory memory = new PatchDeviation.Memory();
        PatchDeviation def = PatchDeviation.seedsOneToThree();
        double[][][] q = uniform(12, 3);
        q[4][0][3] = 0.9; // class 0 only
        p = q;
        PatchDeviation.Result once = def.judge(ids(12), p, memory);
        assertFalse(once.flagged()[4]);
        assertEquals(def.cap(), once.entered()[4], 0, "capped");
        // ... unless LMCA's LOF corroborates (low guard 2) ...
        double[] lof = new double[12];
        java.util.Arrays.fill(lof, 1.0);
        lof[4] = 1.2;
        PatchDeviation.Result corroborated = def.judge(ids(12), p, lof, null, new PatchDeviation.Memory());
        for (int i = 0; i < 12; i++) {
            assertEquals(i == 4, corroborated.flagged()[i], "model " + i + ": " + corroborated.describe(i, def));
        }
        String why = corroborated.describe(4, def);
        assertTrue(why.contains("> low guard (LOF > 1.12) 2.00"), why);
        // ... or a second deviating round does.
        double[][][] next = uniform(12, 4);
        next[4][0][3] = 0.9;
        PatchDeviation.Result twice = def.judge(ids(12), next, memory);
        for (int i = 0; i < 12; i++) {
            assertEquals(i == 4, twice.flagged()[i], "model " + i + ": " + twice.describe(i, def));
        }
        assertTrue(r.scores()[4] > 10, "trigger model's RMS z " + r.scores()[4]);
        for (int i = 0; i < 12; i++) {
            if (i != 4) {
                assertTrue(r.scores()[i] < 2.5, "uniform model " + i + " score " + r.scores()[i]);
            }
        }
    }

    /**
     * Class contrast: a deviation a model shows in every class (a model-wide difference) scores lower than the same
     * deviation in one class (a class-specific change, as a backdoor's target class), where RMS ranks them the other
     * way round.
     */
    @Test
    void classContrastSeparatesClassSpecificFromModelWideDeviations() {
        double[][][] p = new double[12][][];
        double[][][] base = uniform(12, 9);
        for (int m = 0; m < 12; m++) {
            p[m] = new double[4][];
            for (int c = 0; c < 4; c++) {
                p[m][c] = base[m][c % 2].clone();
                p[m][c][c % 4] += 0.002 * (m % 5); // small class-dependent texture
            }
        }
        for (int c = 0; c < 4; c++) {
            p[2][c][3] += 0.3; // model 2: the same patch brighter in every class
        }
        p[5][0][3] += 0.3; // model 5: brighter in class 0 only
        PatchDeviation cc = new PatchDeviation(4, 0.5, PatchDeviation.Statistic.CLASS_CONTRAST, false,
            Double.POSITIVE_INFINITY, 3.5, 2, 1.1, 2.5, 1);
        double[] contrast = cc.scores(p);
        assertTrue(contrast[5] > contrast[2], "class-specific " + contrast[5] + " vs model-wide " + contrast[2]);
        double[] rms = PatchDeviation.rmsReading(4, 0.5, 2.5).scores(p);
        assertTrue(rms[2] > rms[5], "RMS ranks the model-wide deviation first: " + rms[2] + " vs " + rms[5]);
    }

    @Test
    void identicalModelsScoreZero() {
        double[][][] p = new double[5][2][4];
        for (double[][] m : p) {
            for (double[] c : m) {
                java.util.Arrays.fill(c, 0.3);
            }
        }
        PatchDeviation.Result r = new PatchDeviation().judge(ids(5), p, new PatchDeviation.Memory());
        assertArrayEquals(new double[5], r.scores(), 0);
        assertFalse(r.flagged()[0]);
    }

    @Test
    void theSpreadFloorKeepsAFlatPatchFromExploding() {
        // Patch 2 of class 0: the models agree to 1e-4 (MAD ~1e-4, against ~0.01 elsewhere); model 7 differs
        // there by 0.01, an ordinary difference for any other patch.
        double[][][] p = uniform(12, 5);
        for (int m = 0; m < 12; m++) {
            p[m][0][2] = 0.2 + 1e-4 * (m % 3);
        }
        p[7][0][2] = 0.21;
        PatchDeviation.Result floored = PatchDeviation.rmsReading(4, 0.5, 2.5).judge(ids(12), p,
            new PatchDeviation.Memory());
        PatchDeviation.Result bare = PatchDeviation.rmsReading(4, 0, 2.5).judge(ids(12), p,
            new PatchDeviation.Memory());
        assertTrue(bare.scores()[7] > 10, "without the floor: " + bare.scores()[7]);
        assertTrue(bare.flagged()[7]);
        assertTrue(floored.scores()[7] < 2.5, "with the floor: " + floored.scores()[7]);
        assertFalse(floored.flagged()[7]);
    }

    @Test
    void tooFewModelsAreNotScored() {
        double[][][] p = uniform(3, 1);
        p[1] = null; // no profile (non-finite maps)
        PatchDeviation.Memory memory = new PatchDeviation.Memory();
        PatchDeviation.Result r = new PatchDeviation().judge(ids(3), p, memory);
        assertTrue(Double.isNaN(r.scores()[0]));
        assertFalse(r.flagged()[0] || r.flagged()[1] || r.flagged()[2]);
        assertEquals(0, memory.size());
    }

    @Test
    void memoryAccumulatesOverRoundsAndDividesBySqrtRounds() {
        PatchDeviation.Memory m = new PatchDeviation.Memory();
        assertTrue(Double.isNaN(m.value(3)));
        m.add(3, 1.5);
        assertEquals(1.5, m.value(3), 1e-12);
        m.add(3, 1.5);
        assertEquals(3 / Math.sqrt(2), m.value(3), 1e-12);
        m.add(3, 1.5);
        assertEquals(4.5 / Math.sqrt(3), m.value(3), 1e-12); // 2.598 > 2.5: three moderate rounds add up
        assertEquals(3, m.rounds(3));
        m.add(8, -1);
        assertEquals(-1, m.value(8), 0);
        assertThrows(IllegalArgumentException.class, () -> m.add(1, Double.NaN));
    }

    @Test
    void aClientJustBelowTheGuardEachRoundIsFlaggedOnceEvidenceAccumulates() {
        // Client 100 keeps a moderate patch deviation; after enough rounds its memory crosses the guard.
        PatchDeviation pd = PatchDeviation.rmsReading(4, 0.5, 2.5);
        PatchDeviation.Memory memory = new PatchDeviation.Memory();
        boolean[] flaggedInRound = new boolean[4];
        double[] scores = new double[4];
        for (int t = 0; t < 4; t++) {
            double[][][] p = uniform(12, 10 + t);
            p[0][0][1] += 0.035;
            p[0][1][1] += 0.035;
            PatchDeviation.Result r = pd.judge(ids(12), p, memory);
            flaggedInRound[t] = r.flagged()[0];
            scores[t] = r.scores()[0];
            assertEquals(t + 1, r.rounds()[0]);
        }
        assertFalse(flaggedInRound[0], "one round: score " + scores[0]);
        assertTrue(flaggedInRound[3], "four rounds: scores " + java.util.Arrays.toString(scores) + ", accumulated "
            + memory.value(100));
    }

    @Test
    void centredMemoryEntersTheRobustZOfTheScore() {
        double[][][] p = uniform(12, 3);
        p[4][0][3] = 0.9;
        PatchDeviation.Result r = new PatchDeviation(4, 0.5, PatchDeviation.Statistic.RMS, true,
            Double.POSITIVE_INFINITY, 3, 3, Double.POSITIVE_INFINITY, 3, Double.POSITIVE_INFINITY).judge(ids(12), p,
            new PatchDeviation.Memory());
        double[] s = r.scores();
        double med = Lmca.median(s);
        double mad = 1.4826 * NeuronInspection.mad(s);
        for (int i = 0; i < 12; i++) {
            assertEquals((s[i] - med) / mad, r.entered()[i], 1e-9);
            assertEquals(r.entered()[i], r.accumulated()[i], 1e-12);
        }
        assertTrue(r.flagged()[4]);
    }

    /**
     * A client flagged here while MNIA flags it too is confirmed: it stays flagged in later rounds in which it
     * deviates only mildly, while its memory exceeds the hold (1); without MNIA's flag, or with no hold, it is not.
     */
    @Test
    void aConfirmedClientIsHeldWhileItsMemoryExceedsTheHold() {
        double[] lof = new double[12];
        java.util.Arrays.fill(lof, 1.0);
        lof[4] = 1.3;
        boolean[] mnia = new boolean[12];
        mnia[4] = true;
        PatchDeviation def = PatchDeviation.seedsOneToThree();
        PatchDeviation noHold = new PatchDeviation(4, 0.5, PatchDeviation.Statistic.CLASS_CONTRAST, true, 3.5, 3.5, 2,
            1.12, 2.5, Double.POSITIVE_INFINITY);
        PatchDeviation.Memory confirmedMemory = new PatchDeviation.Memory();
        PatchDeviation.Memory unconfirmedMemory = new PatchDeviation.Memory();
        PatchDeviation.Memory noHoldMemory = new PatchDeviation.Memory();
        double[][][] first = uniform(12, 3);
        first[4][0][3] = 0.9; // round 1: the trigger shows, LOF corroborates
        assertTrue(def.judge(ids(12), first, lof, mnia, confirmedMemory).flagged()[4]);
        assertTrue(def.judge(ids(12), first, lof, null, unconfirmedMemory).flagged()[4]);
        assertTrue(noHold.judge(ids(12), first, lof, mnia, noHoldMemory).flagged()[4]);
        assertTrue(confirmedMemory.confirmed(100 + 4));
        assertFalse(unconfirmedMemory.confirmed(100 + 4));
        // MNIA's flag corroborates like a high LOF, with guard 2.5: the capped first round (3.5) passes it without LOF.
        double[] plainLof = new double[12];
        java.util.Arrays.fill(plainLof, 1.0);
        PatchDeviation.Result viaMnia = def.judge(ids(12), first, plainLof, mnia, new PatchDeviation.Memory());
        assertTrue(viaMnia.flagged()[4] && viaMnia.byMnia()[4], viaMnia.describe(4, def));
        assertTrue(viaMnia.describe(4, def).contains("> MNIA guard (MNIA flagged it) 2.50"), viaMnia.describe(4, def));
        assertFalse(def.judge(ids(12), first, plainLof, null, new PatchDeviation.Memory()).flagged()[4],
            "3.5 alone does not pass the guard 3.5");
        // Round 2: an ordinary model (no trigger, ordinary LOF): memory (3.5 + z) / sqrt 2 is below the guard, above the hold.
        java.util.Arrays.fill(lof, 1.0);
        double[][][] second = uniform(12, 4);
        PatchDeviation.Result held = def.judge(ids(12), second, lof, null, confirmedMemory);
        assertTrue(held.accumulated()[4] > 1 && held.accumulated()[4] < 3.5, "memory " + held.accumulated()[4]);
        assertTrue(held.flagged()[4] && held.held()[4], held.describe(4, def));
        assertTrue(held.describe(4, def).contains("> hold 1.00 (confirmed by MNIA in an earlier round)"),
            held.describe(4, def));
        for (int i = 0; i < 12; i++) {
            assertEquals(i == 4, held.flagged()[i], "model " + i);
        }
        assertFalse(def.judge(ids(12), second, lof, null, unconfirmedMemory).flagged()[4], "not confirmed");
        assertFalse(noHold.judge(ids(12), second, lof, null, noHoldMemory).flagged()[4], "no hold");
    }

    @Test
    void memorySavesAndRestoresExactly() {
        PatchDeviation.Memory m = new PatchDeviation.Memory();
        m.add(5, 0.1);
        m.add(5, 0.2);
        m.add(2, 1.0 / 3);
        m.confirm(5);
        assertThrows(IllegalArgumentException.class, () -> m.confirm(9), "never scored");
        PatchDeviation.Memory back = PatchDeviation.Memory.restore(m.save());
        assertTrue(back.confirmed(5));
        assertFalse(back.confirmed(2));
        assertTrue(m.save().startsWith("2:") && m.save().endsWith(":2:1:0.0:0"), m.save());
        // entries written before the streak existed read with streak 0; a streak longer than the rounds is refused
        assertEquals(0, PatchDeviation.Memory.restore("5:1.5:1:0:0.5").streak(5));
        assertEquals(1, PatchDeviation.Memory.restore("5:1.5:1:0:0.5:1").streak(5));
        assertThrows(IllegalArgumentException.class, () -> PatchDeviation.Memory.restore("5:1.5:1:0:0.5:2"));
        PatchDeviation.Memory m2 = new PatchDeviation.Memory();
        m2.add(7, 0.5, 2.25);
        PatchDeviation.Memory withLof = PatchDeviation.Memory.restore(m2.save());
        assertEquals(m2.save(), withLof.save());
        assertEquals((0.5 + 0.75 * 2.25) / 1.25, withLof.value(7, 0.75), 1e-12);
        // entries written before the LOF memory existed read with LOF sum 0
        assertEquals(1.5, PatchDeviation.Memory.restore("5:1.5:1:0").value(5, 0.75) * 1.25, 1e-12);
        assertThrows(IllegalArgumentException.class, () -> PatchDeviation.Memory.restore("5:1.0:1:0:NaN"));
        assertEquals(m.save(), back.save());
        assertEquals(m.value(5), back.value(5), 0);
        assertEquals(m.value(2), back.value(2), 0);
        assertEquals(2, back.rounds(5));
        assertEquals(0, PatchDeviation.Memory.restore("").size());
        assertEquals(0, PatchDeviation.Memory.restore(null).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> PatchDeviation.Memory.restore("5:abc:2:0"));
        assertTrue(e.getMessage().contains("5:abc:2:0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PatchDeviation.Memory.restore("5:1.0:0:0"));
        assertThrows(IllegalArgumentException.class, () -> PatchDeviation.Memory.restore("5:1.0:1:2"));
        assertThrows(IllegalArgumentException.class, () -> PatchDeviation.Memory.restore("5:1.0:1"));
        assertThrows(IllegalArgumentException.class, () -> PatchDeviation.Memory.restore("5:1.0:1:0;5:2.0:1:0"));
    }

    /**
     * The memory forgives: a benign client whose data give it an unusual saliency profile and an unusual update in
     * every round (class-specific patch deviation capped at 3.5, LOF robust z about 5: 5.8 per round, under the guard
     * 7.5 alone, above it from the second round on) is flagged at most {@link PatchDeviation#DEFAULT_SENTENCE}
     * rounds in a row, then admitted again; without forgiveness it stays excluded for good. A client whose rounds
     * are extreme on both signals (an attacker's signature) is flagged in every round either way.
     */
    @Test
    void aBenignClientWithAnUnusualProfileIsAdmittedAgainAfterItsSentence() {
        PatchDeviation forgiving = new PatchDeviation();
        assertEquals(PatchDeviation.DEFAULT_SENTENCE, forgiving.sentence());
        PatchDeviation unforgiving = new PatchDeviation(PatchDeviation.DEFAULT_PATCH,
            PatchDeviation.DEFAULT_SPREAD_FLOOR, PatchDeviation.Statistic.CLASS_CONTRAST, true, PatchDeviation.DEFAULT_CAP,
            PatchDeviation.DEFAULT_GUARD, PatchDeviation.DEFAULT_GUARD, Double.POSITIVE_INFINITY,
            PatchDeviation.DEFAULT_GUARD, Double.POSITIVE_INFINITY, PatchDeviation.DEFAULT_LOF_WEIGHT,
            PatchDeviation.DEFAULT_LOF_CAP, PatchDeviation.NEVER_FORGIVE);
        int rounds = 12;
        PatchDeviation.Memory kind = new PatchDeviation.Memory();
        PatchDeviation.Memory strict = new PatchDeviation.Memory();
        boolean[] forgiven = new boolean[rounds];
        boolean[] kept = new boolean[rounds];
        boolean[] attacker = new boolean[rounds];
        for (int t = 0; t < rounds; t++) {
            double[][][] p = uniform(12, 20 + t);
            p[4][0][3] = 0.9; // the unusual (benign) client: its class-0 map differs at one patch in every round
            p[7][1][1] = 0.9; // the attacker
            double[] lof = new double[12];
            for (int i = 0; i < 12; i++) {
                lof[i] = 1.0 + 0.001 * (i % 4); // robust scale about 0.0015
            }
            lof[4] = 1.0015 + 0.0015 * 5 * 1.4826; // robust z about 5
            lof[7] = 1.3; // capped at 8
            PatchDeviation.Result r = forgiving.judge(ids(12), p, lof, null, kind);
            forgiven[t] = r.flagged()[4];
            attacker[t] = r.flagged()[7];
            kept[t] = unforgiving.judge(ids(12), p, lof, null, strict).flagged()[4];
            for (int i = 0; i < 12; i++) {
                if (i != 4 && i != 7) {
                    assertFalse(r.flagged()[i], "round " + t + " model " + i + ": " + r.describe(i, forgiving));
                }
            }
            assertTrue(r.entered()[4] > 3 && r.accumulated()[4] < PatchDeviation.DEFAULT_GUARD || t > 0
                || !forgiven[t], "one round alone stays under the guard: " + r.describe(4, forgiving));
        }
        String trace = "forgiving " + java.util.Arrays.toString(forgiven) + ", unforgiving "
            + java.util.Arrays.toString(kept);
        assertFalse(kept[0], trace);
        for (int t = 1; t < rounds; t++) {
            assertTrue(kept[t], "without forgiveness excluded for good: " + trace);
        }
        int run = 0;
        int admittedAfterFlag = 0;
        for (int t = 0; t < rounds; t++) {
            run = forgiven[t] ? run + 1 : 0;
            assertTrue(run <= PatchDeviation.DEFAULT_SENTENCE, "flagged at most the sentence in a row: " + trace);
            if (!forgiven[t] && t > 0 && forgiven[t - 1]) {
                admittedAfterFlag++;
            }
        }
        assertTrue(forgiven[1], "still flagged once its evidence accumulates: " + trace);
        assertTrue(admittedAfterFlag >= 3, "admitted again after every sentence: " + trace);
        for (int t = 0; t < rounds; t++) {
            assertTrue(attacker[t], "the extreme client is flagged in round " + t);
        }
    }

    /**
     * The default rule (LOF memory with weight 0.75): a client whose patch round is capped (3.5) and whose LOF is an
     * extreme outlier among the round's updates (robust z capped at 8) reaches (3.5 + 0.75 · 8) / 1.25 = 7.6 &gt; 7.5
     * in one round; either signal alone does not; the seeds-1-3 rule (weight 0) ignores the LOF memory.
     */
    @Test
    void theDefaultCombinesThePatchMemoryWithALofMemory() {
        PatchDeviation def = new PatchDeviation();
        assertEquals(0.75, def.lofWeight());
        assertEquals(8, def.lofCap());
        assertEquals(7.5, def.guard());
        double[] lof = new double[12];
        for (int i = 0; i < 12; i++) {
            lof[i] = 1.0 + 0.001 * (i % 4); // ordinary spread: robust scale about 0.0015
        }
        lof[4] = 1.3;
        double[][][] trigger = uniform(12, 3);
        trigger[4][0][3] = 0.9;
        PatchDeviation.Result both = def.judge(ids(12), trigger, lof, null, new PatchDeviation.Memory());
        assertEquals((3.5 + 0.75 * 8) / 1.25, both.accumulated()[4], 1e-9);
        for (int i = 0; i < 12; i++) {
            assertEquals(i == 4, both.flagged()[i], "model " + i + ": " + both.describe(i, def));
        }
        double[] plainLof = lof.clone();
        plainLof[4] = 1.0;
        assertFalse(def.judge(ids(12), trigger, plainLof, null, new PatchDeviation.Memory()).flagged()[4],
            "patch alone: 3.5 / 1.25");
        assertFalse(def.judge(ids(12), uniform(12, 3), lof, null, new PatchDeviation.Memory()).flagged()[4],
            "LOF alone: 6 / 1.25");
        assertFalse(def.judge(ids(12), trigger, lof, null, new PatchDeviation.Memory()).held()[4]);
        // MNIA's flag no longer lowers the guard by default
        boolean[] mnia = new boolean[12];
        mnia[4] = true;
        assertFalse(def.judge(ids(12), trigger, plainLof, mnia, new PatchDeviation.Memory()).flagged()[4]);
        // LOF evidence accumulates: a moderate LOF outlier with a capped patch round in each of two rounds
        PatchDeviation.Memory memory = new PatchDeviation.Memory();
        double[] mild = lof.clone();
        mild[4] = 1.0 + 0.0015 * 4 * 1.4826; // robust z about 4
        PatchDeviation.Result r1 = def.judge(ids(12), trigger, mild, null, memory);
        assertFalse(r1.flagged()[4], "one round: " + r1.accumulated()[4]);
        double[][][] again = uniform(12, 4);
        again[4][0][3] = 0.9;
        PatchDeviation.Result r2 = def.judge(ids(12), again, mild, null, memory);
        assertTrue(r2.flagged()[4], "two rounds: " + r2.accumulated()[4]);
        // without the weight the LOF memory is ignored
        PatchDeviation old = PatchDeviation.seedsOneToThree();
        assertEquals(0, old.lofWeight());
        assertEquals(3.5 , old.judge(ids(12), trigger, lof, null, new PatchDeviation.Memory()).accumulated()[4], 1e-9);
    }

    @Test
    void badParametersAreRefused() {
        PatchDeviation.Statistic c0 = PatchDeviation.Statistic.CLASS_CONTRAST;
        assertEquals("badfl: patch-lof-weight must be finite and >= 0, got -1.0", assertThrows(
            IllegalArgumentException.class, () -> new PatchDeviation(4, 0.5, c0, true, 3.5, 7.5, 7.5,
                Double.POSITIVE_INFINITY, 7.5, Double.POSITIVE_INFINITY, -1, 8)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PatchDeviation(4, 0.5, c0, true, 3.5, 7.5, 7.5,
            Double.POSITIVE_INFINITY, 7.5, Double.POSITIVE_INFINITY, 0.75, 0));
        assertThrows(IllegalArgumentException.class, () -> PatchDeviation.rmsReading(0, 0.5, 2.5));
        assertThrows(IllegalArgumentException.class, () -> PatchDeviation.rmsReading(4, 1.5, 2.5));
        assertThrows(IllegalArgumentException.class, () -> PatchDeviation.rmsReading(4, 0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> PatchDeviation.rmsReading(4, 0.5, Double.NaN));
        PatchDeviation.Statistic cc = PatchDeviation.Statistic.CLASS_CONTRAST;
        assertEquals("badfl: patch-low-guard must be in (0, patch-guard = 3.5], got 4.0", assertThrows(
            IllegalArgumentException.class, () -> new PatchDeviation(4, 0.5, cc, true, 3.5, 3.5, 4, 1.1, 2.5, 1))
            .getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PatchDeviation(4, 0.5, cc, true, 0, 3.5, 2, 1.1, 2.5, 1));
        assertThrows(IllegalArgumentException.class, () -> new PatchDeviation(4, 0.5, cc, true, 3.5, 3.5, 2, 0, 2.5, 1));
        assertThrows(IllegalArgumentException.class,
            () -> new PatchDeviation(4, 0.5, cc, true, 3.5, 3.5, 2, 1.1, 2.5, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new PatchDeviation(4, 0.5, cc, true, 3.5, 3.5, 2, 1.1, 4, 1));
        assertThrows(IllegalArgumentException.class, () -> new PatchDeviation(4, 0.5, null, true, 3.5, 3.5, 2, 1.1, 2.5,
            1));
        assertThrows(IllegalArgumentException.class,
            () -> new PatchDeviation().judge(ids(3), uniform(3, 1), new double[2], null, new PatchDeviation.Memory()));
        assertThrows(IllegalArgumentException.class,
            () -> new PatchDeviation().judge(ids(2), uniform(3, 1), new PatchDeviation.Memory()));
    }
}
