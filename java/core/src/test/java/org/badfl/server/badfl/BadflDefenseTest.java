package org.badfl.server.badfl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.ClientVerdict;
import org.badfl.server.ModelInspector;
import org.badfl.server.RoundAggregator;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.HostRoundUpdates;
import org.badfl.server.RoundUpdates;
import org.badfl.server.ServerContext;
import org.badfl.server.UpdateValidator;
import org.badfl.server.badfl.BadflConfig.Detection;
import org.badfl.server.badfl.WeightElimination.Mode;
import org.badfl.server.catalog.Defenses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Algorithm 3 end to end on a fake inspector: detection, clipping, noise, verdicts, ablations, bad rounds. */
class BadflDefenseTest {

    static final int D = 12;
    static final ParamLayout LAYOUT;

    static {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("conv.weight", 8, ParamKind.WEIGHT);
        b.add("conv.bias", 2, ParamKind.BIAS);
        b.add("bn.running_mean", 2, ParamKind.BN_RUNNING_MEAN);
        LAYOUT = b.build();
    }

    static float[] global() {
        float[] g = new float[D];
        for (int i = 0; i < D; i++) {
            g[i] = 0.05f * i;
        }
        return g;
    }

    /**
     * n updates; the first {@code attackers} raise parameter 0 by 3 (a "backdoored" model for the fake inspector)
     * and point elsewhere; the rest are noisy versions of one benign direction.
     */
    static float[][] round(int n, int attackers, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] rows = new float[n][D];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < D; j++) {
                rows[i][j] = (float) (0.1 + 0.03 * rng.nextGaussian());
            }
            if (i < attackers) {
                rows[i][0] = 3f;
                rows[i][5] = -0.4f;
            }
        }
        return rows;
    }

    static ServerContext context(ModelInspector inspector) {
        return new ServerContext() {
            @Override
            public Compute compute() {
                return Compute.serial();
            }

            @Override
            public Optional<ModelInspector> inspector() {
                return Optional.ofNullable(inspector);
            }
        };
    }

    static RoundInput input(float[][] rows, ServerContext context, int round, int total, long seed) {
        RoundUpdates u = new HostRoundUpdates(LAYOUT, rows.length);
        for (int i = 0; i < rows.length; i++) {
            u.set(i, 100 + i, 10 + i, rows[i]);
        }
        return new RoundInput(global(), LAYOUT, u, round, total, seed, context);
    }

    static boolean[] flagged(RoundResult r) {
        boolean[] f = new boolean[r.verdicts().size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = r.verdicts().get(i).flagged();
        }
        return f;
    }

    static boolean[] expectFirst(int n, int k) {
        boolean[] f = new boolean[n];
        Arrays.fill(f, 0, k, true);
        return f;
    }

    @Test
    void flagsTheBackdooredModelsAndRemovesThem() {
        FakeInspector inspector = new FakeInspector(8);
        RoundResult r = new BadflDefense().aggregate(input(round(20, 4, 1), context(inspector), 3, 10, 5));
        assertArrayEquals(expectFirst(20, 4), flagged(r));
        for (int i = 0; i < 4; i++) {
            ClientVerdict v = r.verdicts().get(i);
            assertEquals(ClientVerdict.Status.REJECTED, v.status());
            assertTrue(v.reason().contains("MNIA: class 0 f="), v.reason());
            assertTrue(v.reason().endsWith("removed"), v.reason());
        }
        // The paper's per-layer clipping keeps them, clipped.
        RoundResult layer = new BadflDefense(BadflConfig.builder().clipping(Mode.LAYER).build())
            .aggregate(input(round(20, 4, 1), context(new FakeInspector(8)), 3, 10, 5));
        for (int i = 0; i < 4; i++) {
            ClientVerdict v = layer.verdicts().get(i);
            assertEquals(ClientVerdict.Status.CLIPPED, v.status());
            assertTrue(v.flagged());
            assertTrue(v.reason().contains("layers clipped to the benign median norm"), v.reason());
        }
        assertEquals(ClientVerdict.Status.ACCEPTED, r.verdicts().get(10).status());
        assertTrue(r.note().startsWith("LMCA: "), r.note());
        assertTrue(r.note().contains("4 flagged"), r.note());
        assertTrue(inspector.calls <= 20);
        assertTrue(new BadflDefense().flagsClients());
    }

    @Test
    void attackFreeRoundFlagsNobody() {
        BadflConfig mnia = BadflConfig.builder().patch(false).build();
        RoundResult r = new BadflDefense(mnia).aggregate(input(round(20, 0, 2), context(new FakeInspector(8)), 3, 10,
            5));
        assertArrayEquals(new boolean[20], flagged(r));
        // With patch deviation (the default): the fake's benign maps are independent noise, so a benign model's
        // class-contrast score is an outlier now and then; over 4 attack-free rounds (80 updates) few are flagged.
        BadflDefense d = new BadflDefense();
        int falseAlarms = 0;
        for (int t = 1; t <= 4; t++) {
            RoundResult rt = d.aggregate(input(round(20, 0, 60 + t), context(new FakeInspector(8)), t, 10, 70 + t));
            for (ClientVerdict v : rt.verdicts()) {
                falseAlarms += v.flagged() ? 1 : 0;
            }
        }
        assertTrue(falseAlarms <= 2, falseAlarms + " false alarms"); // 1 (round 3, corroborated by LOF 1.34)
    }

    /** Noise σ_t on the trainable parameters for t &lt; T, none in the last round (Algorithm 3 line 10). */
    @Test
    void noiseExceptInTheLastRound() {
        BadflConfig noiseless = BadflConfig.builder().sigma(0).build();
        float[][] rows = round(20, 4, 3);
        ServerContext ctx = context(new FakeInspector(8));
        float[] plain = new BadflDefense(noiseless).aggregate(input(rows, ctx, 3, 10, 5)).global();
        float[] noisy = new BadflDefense().aggregate(input(rows, ctx, 3, 10, 5)).global();
        float[] last = new BadflDefense().aggregate(input(rows, ctx, 10, 10, 5)).global();
        assertArrayEquals(plain, last);
        double ss = 0;
        for (int c = 0; c < 10; c++) {
            ss += (noisy[c] - plain[c]) * (double) (noisy[c] - plain[c]);
        }
        double sd = Math.sqrt(ss / 10);
        assertTrue(sd > 2e-4 && sd < 3e-3, "noise sd " + sd + " for sigma 1e-3");
        assertEquals(plain[10], noisy[10]);
        assertEquals(plain[11], noisy[11]);
        // Same seed, same G; another seed, other noise.
        assertArrayEquals(noisy, new BadflDefense().aggregate(input(rows, ctx, 3, 10, 5)).global());
        assertFalse(Arrays.equals(noisy, new BadflDefense().aggregate(input(rows, ctx, 3, 10, 6)).global()));
    }

    /** Without inspection data: MNIA skipped, LMCA's outliers flagged (or nobody), and the note says so. */
    @Test
    void withoutInspectorDetectsWithLmcaOnly() {
        float[][] rows = round(20, 4, 4);
        RoundResult none = new BadflDefense().aggregate(input(rows, context(null), 3, 10, 5));
        assertTrue(none.note().startsWith("no model inspector: MNIA skipped, "), none.note());
        for (int i = 0; i < 20; i++) {
            ClientVerdict v = none.verdicts().get(i);
            assertEquals(v.reason().contains("LOF") && v.reason().contains("> 1.5"), v.flagged(), v.reason());
        }
        RoundResult empty = new BadflDefense().aggregate(input(rows, context(new FakeInspector(0)), 3, 10, 5));
        assertTrue(empty.note().startsWith("no clean inspection images: MNIA skipped"), empty.note());
        RoundResult nobody = new BadflDefense(BadflConfig.builder().lmcaOnlyWithoutInspector(false).build())
            .aggregate(input(rows, context(null), 3, 10, 5));
        assertTrue(nobody.note().contains("nobody flagged"), nobody.note());
        assertArrayEquals(new boolean[20], flagged(nobody));
    }

    @Test
    void ablationSwitches() {
        float[][] rows = round(20, 4, 5);
        ServerContext ctx = context(new FakeInspector(8));
        RoundResult coordinate = new BadflDefense(BadflConfig.builder().clipping(Mode.COORDINATE).build())
            .aggregate(input(rows, ctx, 3, 10, 5));
        assertEquals(ClientVerdict.Status.CLIPPED, coordinate.verdicts().get(0).status());
        assertTrue(coordinate.verdicts().get(0).flagged());
        assertTrue(coordinate.verdicts().get(0).reason().contains("coordinates clipped to the benign median magnitude"));

        RoundResult noMwe = new BadflDefense(BadflConfig.builder().eliminate(false).sigma(0).normGuard(0).build())
            .aggregate(input(rows, ctx, 3, 10, 5));
        assertTrue(noMwe.verdicts().get(0).flagged());
        assertEquals(ClientVerdict.Status.ACCEPTED, noMwe.verdicts().get(0).status());
        assertTrue(noMwe.note().contains("mwe=off"), noMwe.note());

        BadflDefense off = new BadflDefense(BadflConfig.builder().detection(Detection.OFF).build());
        assertFalse(off.flagsClients());
        assertArrayEquals(new boolean[20], flagged(off.aggregate(input(rows, ctx, 3, 10, 5))));

        for (Detection d : new Detection[] {Detection.HDBSCAN, Detection.KMEANS}) {
            RoundResult r = new BadflDefense(BadflConfig.builder().detection(d).build()).aggregate(input(rows, ctx, 3, 10,
                5));
            // The attackers point elsewhere, so both similarity detectors catch them here.
            for (int i = 0; i < 4; i++) {
                assertTrue(r.verdicts().get(i).flagged(), d + " " + r.verdicts().get(i).reason());
            }
            assertTrue(r.note().startsWith(d == Detection.HDBSCAN ? "HDBSCAN: " : "K-means: "), r.note());
        }
        // Registry options reach the config.
        BadflDefense viaRegistry = (BadflDefense) Defenses.create("badfl", Map.ofEntries(Map.entry("clipping", "lm"),
            Map.entry("detection", "kmeans"), Map.entry("sigma", "1e-4"), Map.entry("mwe", "off"),
            Map.entry("smoothing", "off"), Map.entry("lof-k", "4"), Map.entry("no-inspector", "none"),
            Map.entry("norm-guard", "5"), Map.entry("lof-threshold", "1.7"), Map.entry("smoothing-copies", "7"),
            Map.entry("smoothing-sigma", "0.002"), Map.entry("alpha", "0.01")));
        BadflConfig c = viaRegistry.config();
        assertEquals(Mode.LM, c.clipping());
        assertEquals(Detection.KMEANS, c.detection());
        assertEquals(1e-4, c.sigma());
        assertEquals(5.0, c.normGuard());
        assertEquals(1.7, c.lofThreshold());
        assertEquals(7, c.smoothingCopies());
        assertEquals(0.002, c.smoothingSigma());
        assertEquals(0.01, c.alpha());
        assertFalse(c.eliminate());
        assertFalse(c.smoothing());
        assertEquals(4, c.lofK());
        assertFalse(c.lmcaOnlyWithoutInspector());
        // The refining options leave the rest of the preset as it is.
        assertEquals(BadflConfig.defaults().toBuilder().clipping(Mode.LM).detection(Detection.KMEANS).sigma(1e-4)
            .eliminate(false).smoothing(false).lofK(4).lmcaOnlyWithoutInspector(false).normGuard(5).lofThreshold(1.7)
            .smoothingCopies(7).smoothingSigma(0.002).alpha(0.01).build(), c);
        // Defaults.
        BadflConfig d = ((BadflDefense) Defenses.create("badfl")).config();
        assertEquals(BadflConfig.defaults(), d);
        assertEquals(d, ((BadflDefense) Defenses.create("badfl", Map.of("preset", "default"))).config());
        assertEquals(Mode.REMOVE, d.clipping());
        assertEquals(NeuronInspection.Scoring.DEVIATION, d.scoring());
        assertEquals(SaliencyFeatures.Stability.PAIRWISE, d.stability());
        assertEquals(3.0, d.guard());
        assertEquals(2.0, d.normFactor());
        assertEquals(2.0, d.normGuard());
        assertEquals(3.0, d.propagatedGuard());
        assertEquals("defense badfl: option clipping must be one of remove, layer, coordinate, gm, lm, found 'median'",
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Defenses.create("badfl", Map.of("clipping", "median"))).getMessage());
    }

    /** Each preset resolves to its documented option set (docs/BADFL.md, "Presets and options"). */
    @Test
    void presetsResolveToTheirDocumentedSettings() {
        BadflConfig paper = ((BadflDefense) Defenses.create("badfl", Map.of("preset", "paper"))).config();
        // Algorithms 1-3 with the interpretation's readings and none of the additions.
        assertEquals(Detection.BADFL, paper.detection());
        assertEquals(1.5, paper.lofThreshold());
        assertEquals(Lmca.AUTO_K, paper.lofK());
        assertEquals(0.0, paper.normFactor(), "no norm criterion (an addition)");
        assertEquals(0.0, paper.normGuard(), "no norm guard (an addition)");
        assertEquals(SaliencyFeatures.Stability.XOR, paper.stability());
        assertEquals(2.0, paper.guard());
        assertEquals(2.0, paper.propagatedGuard());
        assertEquals(NeuronInspection.Scoring.PAPER, paper.scoring());
        assertEquals(NeuronInspection.Propagation.INSPECT, paper.propagation());
        assertFalse(paper.patch(), "no patch deviation (an addition)");
        assertEquals(BadflConfig.MniaScope.ALL, paper.mniaScope());
        assertEquals(Mode.LAYER, paper.clipping());
        assertTrue(paper.eliminate());
        assertEquals(BadflConfig.IID_SIGMA, paper.sigma());
        assertTrue(paper.smoothing());
        assertEquals(BadflConfig.DEFAULT_SMOOTHING_COPIES, paper.smoothingCopies());
        assertEquals(BadflConfig.DEFAULT_ALPHA, paper.alpha());
        assertEquals(BadflOptions.preset(BadflOptions.Preset.PAPER), paper);
        // The badfl-paper entry is the same preset under its own name; options refine it, preset is not one.
        BadflDefense entry = (BadflDefense) Defenses.create("badfl-paper", Map.of("clipping", "remove"));
        assertEquals("badfl-paper", entry.name());
        assertEquals(paper.toBuilder().clipping(Mode.REMOVE).build(), entry.config());
        assertEquals("defense badfl-paper: unknown option preset; valid options: detection, mwe, clipping, smoothing, "
            + "sigma, smoothing-copies, smoothing-sigma, alpha, lof-threshold, lof-k, norm-guard, no-inspector",
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Defenses.create("badfl-paper", Map.of("preset", "default"))).getMessage());
        // The default preset: the shipped rule.
        BadflConfig def = BadflOptions.preset(BadflOptions.Preset.DEFAULT);
        assertTrue(def.patch());
        assertEquals(BadflConfig.MniaScope.OUTLIERS, def.mniaScope());
        assertEquals(Mode.REMOVE, def.clipping());
        assertEquals(7.5, def.patchGuard());
        assertEquals(0.75, def.patchLofWeight());
        assertEquals("defense badfl: option preset must be one of default, paper, found 'seeds-1-3'",
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Defenses.create("badfl", Map.of("preset", "seeds-1-3"))).getMessage());
    }

    /** Research switches and the seeds-1-3 rule are no options: each is rejected, naming the defense and option. */
    @Test
    void removedOptionsAreRejected() {
        for (String option : new String[] {"patch-guard", "patch-hold", "patch-lof", "patch-mnia-guard",
            "patch-low-guard", "patch-lof-weight", "patch-lof-cap", "patch-cap", "patch-score", "patch-memory",
            "patch", "mnia-scope", "guard", "stability", "orientation", "scaling", "rule", "reference", "propagation",
            "norm-factor", "lambda-co"}) {
            String m = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Defenses.create("badfl", Map.of(option, "1"))).getMessage();
            assertTrue(m.startsWith("defense badfl: unknown option " + option + "; valid options: preset, "), m);
        }
    }

    /** Patch deviation's defaults; patch off restores MNIA alone on LMCA's candidates. */
    @Test
    void patchOptions() {
        BadflConfig d = BadflConfig.defaults();
        assertTrue(d.patch());
        assertTrue(d.patchCentred());
        assertEquals(PatchDeviation.Statistic.CLASS_CONTRAST, d.patchStatistic());
        assertEquals(7.5, d.patchGuard());
        assertEquals(7.5, d.patchLowGuard());
        assertEquals(3.5, d.patchCap());
        assertEquals(Double.POSITIVE_INFINITY, d.patchLof());
        assertEquals(Double.POSITIVE_INFINITY, d.patchHold());
        assertEquals(7.5, d.patchMniaGuard());
        assertEquals(0.75, d.patchLofWeight());
        assertEquals(8.0, d.patchLofCap());
        assertEquals(BadflConfig.MniaScope.OUTLIERS, d.mniaScope());
        BadflConfig old = BadflConfig.builder().patch(false).build();
        assertFalse(old.patch());
        assertEquals(BadflConfig.MniaScope.ALL, old.mniaScope(), "patch off defaults to the paper's MNIA scope");
        assertEquals("badfl: patch-guard must be finite and > 0, got -1.0",
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BadflConfig.builder().patchGuard(-1).build()).getMessage());

        // patch=off: only LMCA's candidates are inspected (and propagated members), the verdicts do not mention
        // patches; patch on: all 20, every verdict carries its patch score.
        float[][] rows = round(20, 4, 1);
        FakeInspector few = new FakeInspector(8);
        RoundResult without = new BadflDefense(old).aggregate(input(rows, context(few), 3, 10, 5));
        assertArrayEquals(expectFirst(20, 4), flagged(without));
        assertTrue(few.calls < 20, few.calls + " inspections");
        assertFalse(without.verdicts().get(7).reason().contains("patch"), without.verdicts().get(7).reason());
        FakeInspector all = new FakeInspector(8);
        RoundResult with = new BadflDefense().aggregate(input(rows, context(all), 3, 10, 5));
        assertEquals(20, all.calls);
        assertTrue(with.verdicts().get(7).reason().contains("patch: score "), with.verdicts().get(7).reason());
        assertTrue(with.verdicts().get(0).reason().contains("accumulated 7.60 over 1 round > MNIA guard"),
            with.verdicts().get(0).reason()); // (3.5 + 0.75 x 8) / 1.25: patch and LOF memory both capped
        assertTrue(with.note().contains("patch deviation: 20 inspected, 4 flagged"), with.note());
    }

    /**
     * The patch memory carries over rounds and survives saveState / restoreState: a defense restored after round 2
     * gives round 3 exactly as the uninterrupted one.
     */
    @Test
    void patchMemoryIsSavedAndRestored() {
        ServerContext ctx = context(new FakeInspector(8));
        BadflDefense whole = new BadflDefense();
        BadflDefense first = new BadflDefense();
        for (int t = 1; t <= 2; t++) {
            whole.aggregate(input(round(20, 4, 20 + t), ctx, t, 3, 40 + t));
            first.aggregate(input(round(20, 4, 20 + t), ctx, t, 3, 40 + t));
        }
        String state = first.saveState();
        assertTrue(state.startsWith("100:"), state);
        assertTrue(state.matches("(\\d+:[^:;]+:2:[01]:[^:;]+:[0-2];?)+"), "two rounds per client: " + state);
        BadflDefense resumed = new BadflDefense();
        resumed.restoreState(state);
        assertEquals(state, resumed.saveState());
        RoundResult a = whole.aggregate(input(round(20, 4, 23), ctx, 3, 3, 43));
        RoundResult b = resumed.aggregate(input(round(20, 4, 23), ctx, 3, 3, 43));
        assertArrayEquals(a.global(), b.global());
        assertEquals(a.verdicts(), b.verdicts());
        // The attackers were flagged in rounds 1 and 2 (their sentence): judged on round 3's evidence alone, and
        // flagged again; a benign client is judged on all three rounds.
        assertTrue(a.verdicts().get(0).flagged() && a.verdicts().get(0).reason().contains("over 1 round "),
            a.verdicts().get(0).reason());
        assertTrue(a.verdicts().get(10).reason().contains("over 3 rounds"), a.verdicts().get(10).reason());
        // A fresh defense (memory lost) does not see the earlier rounds.
        RoundResult fresh = new BadflDefense().aggregate(input(round(20, 4, 23), ctx, 3, 3, 43));
        assertTrue(fresh.verdicts().get(0).reason().contains("over 1 round "), fresh.verdicts().get(0).reason());
        // Without patches there is no state, and a state is refused.
        BadflDefense off = new BadflDefense(BadflConfig.builder().patch(false).build());
        assertEquals(null, off.saveState());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> off.restoreState(state));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> new BadflDefense().restoreState("not a memory"));
    }

    // ------------------------------------------------------------------ bad input and adversarial rounds

    static RoundResult checked(float[][] rows, ModelInspector inspector) {
        RoundResult r = new BadflDefense().aggregate(input(rows, context(inspector), 2, 10, 11));
        assertEquals(Optional.empty(), UpdateValidator.findNonFinite(r.global(), LAYOUT));
        assertEquals(rows.length, r.verdicts().size());
        return r;
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void allAttackersSendIdenticalUpdates(boolean withInspector) {
        float[][] rows = round(20, 4, 6);
        for (int i = 1; i < 4; i++) {
            rows[i] = rows[0].clone();
        }
        RoundResult r = checked(rows, withInspector ? new FakeInspector(8) : null);
        if (withInspector) {
            assertArrayEquals(expectFirst(20, 4), flagged(r));
            assertTrue(r.note().startsWith("LMCA: ") && r.note().contains("4 flagged"), r.note());
        } else {
            assertTrue(r.note().startsWith("no model inspector: MNIA skipped"), r.note());
        }
    }

    /** One update of norm 1e30: its model overflows (infinite saliency: flagged), and the norm guard scales it. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void oneHugeUpdate(boolean withInspector) {
        float[][] rows = round(10, 0, 7);
        Arrays.fill(rows[9], (float) (1e30 / Math.sqrt(D)));
        RoundResult r = checked(rows, withInspector ? new FakeInspector(8) : null);
        ClientVerdict v = r.verdicts().get(9);
        // ‖Δ‖ over the 10 trainable coordinates of 12: 1e30·√(10/12).
        assertTrue(v.reason().contains("norm 9.13e+29 > 2.00 x median"), v.reason());
        assertTrue(v.reason().contains("norm guard: scaled by"), v.reason());
        if (withInspector) {
            assertTrue(v.flagged());
            assertTrue(v.reason().contains("saliency not finite"), v.reason());
        }
        assertTrue(r.note().contains("1 update above 2.00 x the median norm scaled down to that bound"), r.note());
        // G moved by no more than a benign-sized step.
        float[] g = global();
        for (int c = 0; c < D; c++) {
            assertTrue(Math.abs(r.global()[c] - g[c]) < 2, "coordinate " + c + " moved to " + r.global()[c]);
        }
    }

    @Test
    void allZeroUpdates() {
        RoundResult r = checked(new float[8][D], new FakeInspector(8));
        assertArrayEquals(new boolean[8], flagged(r));
        assertTrue(r.note().contains("0 flagged"), r.note());
        RoundResult last = new BadflDefense().aggregate(input(new float[8][D], context(new FakeInspector(8)), 10, 10,
            1));
        assertArrayEquals(global(), last.global());
    }

    /**
     * Fewer clients than LOF's k (k = max(2, ⌈n/2⌉) clamps to n − 1). With 1 or 2 clients MNIA has fewer than
     * {@link NeuronInspection#MIN_CANDIDATES} models to compare: nobody is flagged and the note says why. With 3
     * (one attacker) the secondary clustering runs on all three and flags the attacker only.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void fewerClientsThanLofNeighbours(int n) {
        RoundResult r = checked(round(n, n == 3 ? 1 : 0, 8), new FakeInspector(8));
        if (n < NeuronInspection.MIN_CANDIDATES) {
            assertTrue(r.note().contains(n + " usable inspection candidate" + (n == 1 ? "" : "s")
                + ": too few for MNIA's secondary clustering"), r.note());
            assertArrayEquals(new boolean[n], flagged(r), r.note());
        } else {
            assertFalse(r.note().contains("too few"), r.note());
            assertTrue(r.note().contains("MNIA: 3 judged"), r.note());
            assertArrayEquals(expectFirst(3, 1), flagged(r), r.note());
        }
    }

    @Test
    void emptyRound() {
        RoundResult r = new BadflDefense().aggregate(input(new float[0][], context(new FakeInspector(8)), 2, 10, 1));
        assertArrayEquals(global(), r.global());
        assertEquals("no updates this round: G unchanged", r.note());
        assertEquals(List.of(), r.verdicts());
    }

    /** Through the server's round: a NaN update is rejected by the validator, BADFL judges the rest. */
    @Test
    void throughTheRoundAggregator() {
        float[][] rows = round(12, 3, 9);
        rows[5][2] = Float.NaN;
        RoundUpdates received = new HostRoundUpdates(LAYOUT, rows.length);
        for (int i = 0; i < rows.length; i++) {
            received.receive(i, 100 + i, 10, rows[i]);
        }
        RoundAggregator.Outcome o = new RoundAggregator(new BadflDefense()).aggregate(global(), LAYOUT, received, 2,
            10, 3, context(new FakeInspector(8)));
        assertFalse(o.previousGlobalKept());
        assertEquals(ClientVerdict.Status.REJECTED, o.result().verdicts().get(5).status());
        assertTrue(o.result().note().startsWith("1 of 12 updates rejected as invalid"), o.result().note());
        for (int i = 0; i < 3; i++) {
            assertTrue(o.result().verdicts().get(i).flagged());
        }
        assertNotEquals(global()[0], o.result().global()[0]);
    }
}
