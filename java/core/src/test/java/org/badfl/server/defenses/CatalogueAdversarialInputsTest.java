package org.badfl.server.defenses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.badfl.engine.ParamLayout;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.UpdateValidator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalogue defenses (defaults, a fresh instance per round so that stateful ones start equal) on inputs an
 * attacker or bad luck can produce: never a non-finite G, G and the rows never modified, a verdict per row whenever
 * verdicts are returned, the same result for the same seed.
 */
class CatalogueAdversarialInputsTest {

    static final ParamLayout LAYOUT = AdversarialInputsTest.LAYOUT;
    static final int D = AdversarialInputsTest.D;

    static final Map<String, Supplier<Defense>> DEFENSES = new LinkedHashMap<>();

    static {
        DEFENSES.put("rfa", Rfa::new);
        DEFENSES.put("bulyan", Bulyan::new);
        DEFENSES.put("centered-clipping", CenteredClipping::new);
        DEFENSES.put("foolsgold", FoolsGold::new);
        DEFENSES.put("signguard", SignGuard::new);
        DEFENSES.put("bucketing", Bucketing::new);
        DEFENSES.put("dnc", DnC::new);
        DEFENSES.put("auror", Auror::new);
        DEFENSES.put("simple-clustering", SimpleClustering::new);
        DEFENSES.put("deepsight", DeepSight::new);
        DEFENSES.put("fldetector", FlDetector::new);
        DEFENSES.put("lasa", Lasa::new);
    }

    /**
     * Defenses that run the clients' models (DeepSight's forward passes): a real model of the same size D, a linear
     * 2×2 → 3 classifier (fc.weight 12, fc.bias 3), in place of {@link #LAYOUT}, built by the round's context.
     */
    static final java.util.Set<String> NEED_MODEL = java.util.Set.of("deepsight");

    static ParamLayout layout(String name) {
        return NEED_MODEL.contains(name) ? DeepSightTest.TINY.layout() : LAYOUT;
    }

    static org.badfl.server.ServerContext context(String name) {
        return NEED_MODEL.contains(name) ? DeepSightTest.withModel(DeepSightTest.TINY)
            : org.badfl.server.ServerContext.of(org.badfl.engine.Compute.serial());
    }

    static Stream<String> names() {
        return DEFENSES.keySet().stream();
    }

    static float[] global() {
        return AdversarialInputsTest.global();
    }

    static float[][] benign(int n, long seed) {
        return AdversarialInputsTest.benign(n, seed);
    }

    static RoundResult run(String name, float[][] rows, long seed) {
        Defense d = DEFENSES.get(name).get();
        assertEquals(name, d.name());
        float[][] copy = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            copy[i] = rows[i].clone();
        }
        RoundInput in = Rounds.input(global(), layout(name), context(name), 2, seed, rows);
        RoundResult r = d.aggregate(in);
        assertEquals(D, r.global().length);
        assertEquals(java.util.Optional.empty(), UpdateValidator.findNonFinite(r.global(), layout(name)), name);
        assertTrue(r.verdicts().isEmpty() || r.verdicts().size() == rows.length, name);
        assertArrayEquals(global(), in.global(), name + " must not modify G");
        for (int i = 0; i < rows.length; i++) {
            assertArrayEquals(copy[i], rows[i], name + " must not modify update " + i);
        }
        return r;
    }

    @ParameterizedTest
    @MethodSource("names")
    void identicalUpdates(String name) {
        float[][] rows = new float[6][];
        float[] same = benign(1, 3)[0];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = same.clone();
        }
        run(name, rows, 11);
    }

    /** One update of norm 1e30 among five benign ones. */
    @ParameterizedTest
    @MethodSource("names")
    void oneHugeUpdate(String name) {
        float[][] rows = benign(6, 4);
        Arrays.fill(rows[5], (float) (1e30 / Math.sqrt(D)));
        run(name, rows, 11);
    }

    @ParameterizedTest
    @MethodSource("names")
    void allZeroUpdatesLeaveG(String name) {
        assertArrayEquals(global(), run(name, new float[5][D], 11).global(), name);
    }

    /** One update: every defense but bucketing (default bucket size 2 > n = 1, an error) aggregates it. */
    @ParameterizedTest
    @MethodSource("names")
    void singleUpdate(String name) {
        if (name.equals("bucketing")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(name, benign(1, 5), 11));
            assertTrue(e.getMessage().contains("bucket-size"), e.getMessage());
            return;
        }
        run(name, benign(1, 5), 11);
    }

    @ParameterizedTest
    @MethodSource("names")
    void emptyRoundKeepsG(String name) {
        RoundResult r = run(name, new float[0][], 11);
        assertArrayEquals(global(), r.global());
        assertEquals("no updates this round: G unchanged", r.note());
    }

    @ParameterizedTest
    @MethodSource("names")
    void deterministicGivenTheSeed(String name) {
        float[][] rows = benign(7, 6);
        float[] a = run(name, rows, 11).global();
        float[] b = run(name, rows, 11).global();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, global()), name);
    }
}
