package org.badfl.server.defenses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.badfl.engine.ParamLayout;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.UpdateValidator;
import org.badfl.server.catalog.Defenses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every registered defense (defaults; FLTrust with a fixed root update) on inputs an attacker or bad luck can
 * produce: never a non-finite G, and a verdict per row whenever verdicts are returned.
 */
class AdversarialInputsTest {

    static final ParamLayout LAYOUT = Rounds.withBn(12, 3);
    static final int D = 15;

    static Stream<String> names() {
        return Defenses.names().stream();
    }

    static float[] global() {
        float[] g = new float[D];
        for (int i = 0; i < D; i++) {
            g[i] = 0.1f * (i - 7);
        }
        return g;
    }

    static float[][] benign(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] rows = new float[n][D];
        for (float[] row : rows) {
            for (int j = 0; j < D; j++) {
                row[j] = (float) (0.5 + 0.1 * rng.nextGaussian());
            }
        }
        return rows;
    }

    static RoundResult run(String name, float[][] rows) {
        Defense d = Defenses.create(name);
        float[] root = new float[D];
        Arrays.fill(root, 0.5f);
        RoundInput in = Rounds.input(global(), LAYOUT, Rounds.withRoot(root), 2, 11, rows);
        RoundResult r = d.aggregate(in);
        assertEquals(D, r.global().length);
        assertEquals(java.util.Optional.empty(), UpdateValidator.findNonFinite(r.global(), LAYOUT), name);
        assertEquals(java.util.Optional.empty(), UpdateValidator.findNonFinite(r.modelToEvaluate(), LAYOUT), name);
        assertTrue(r.verdicts().isEmpty() || r.verdicts().size() == rows.length, name);
        assertArrayEquals(global(), in.global(), name + " must not modify G");
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
        run(name, rows);
    }

    /** One update of norm 1e30 among five benign ones (finite in float; its square is finite in double). */
    @ParameterizedTest
    @MethodSource("names")
    void oneHugeUpdate(String name) {
        float[][] rows = benign(6, 4);
        Arrays.fill(rows[5], (float) (1e30 / Math.sqrt(D)));
        run(name, rows);
    }

    @ParameterizedTest
    @MethodSource("names")
    void allZeroUpdates(String name) {
        RoundResult r = run(name, new float[5][D]);
        if (!name.equals("crfl") && !name.equals("badfl")) { // CRFL and BADFL add their noise to G whatever the updates
            assertArrayEquals(global(), r.global(), name + ": zero updates leave G (no noise by default)");
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void singleUpdate(String name) {
        run(name, benign(1, 5));
    }

    @ParameterizedTest
    @MethodSource("names")
    void emptyRoundKeepsG(String name) {
        RoundResult r = run(name, new float[0][]);
        assertArrayEquals(global(), r.global());
        assertEquals("no updates this round: G unchanged", r.note());
    }

    /** Same seed, same G; a different round seed changes G only for the defenses that add noise. */
    @ParameterizedTest
    @MethodSource("names")
    void deterministicGivenTheSeed(String name) {
        float[][] rows = benign(7, 6);
        float[] root = new float[D];
        Arrays.fill(root, 0.5f);
        Defense d = Defenses.create(name, name.equals("norm-clipping") ? Map.of("sigma", "0.01") : Map.of());
        float[] a = d.aggregate(Rounds.input(global(), LAYOUT, Rounds.withRoot(root), 2, 11, rows)).global();
        float[] b = d.aggregate(Rounds.input(global(), LAYOUT, Rounds.withRoot(root), 2, 11, rows)).global();
        float[] c = d.aggregate(Rounds.input(global(), LAYOUT, Rounds.withRoot(root), 2, 12, rows)).global();
        assertArrayEquals(a, b);
        boolean noisy = name.equals("flame") || name.equals("crfl") || name.equals("norm-clipping")
            || name.equals("badfl");
        assertEquals(noisy, !Arrays.equals(a, c), name);
        if (noisy) {
            // BN statistics (last 3 coordinates) never get noise.
            assertArrayEquals(Arrays.copyOfRange(a, 12, 15), Arrays.copyOfRange(c, 12, 15));
        }
        assertFalse(Arrays.equals(a, global()));
    }
}
