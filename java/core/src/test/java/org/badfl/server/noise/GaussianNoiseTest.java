package org.badfl.server.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.badfl.engine.Compute;
import org.junit.jupiter.api.Test;

class GaussianNoiseTest {

    /**
     * normal(seed, stream, index) as computed by the original definition (GaussianNoiseReference, JDK 17
     * HotSpot x86-64). Compared to 1e-15 relative: {@link Math#log}/{@link Math#sin}/{@link Math#cos} may
     * differ by an ulp on another platform; on one JVM the fast path is bit-identical (tests below).
     */
    private static final double[][] KNOWN = {
        {0, 0, 0, 0.9911376799303855},
        {0, 0, 1, -0.9246625876655352},
        {0, 0, 2, -0.6176089594591907},
        {0, 0, 3, -0.48206858748717946},
        {0, 0, 4, -0.15363823029788248},
        {42, 7, 123456789, 0.3799282021258068},
        {-1, -1, (1L << 40) + 5, -1.0364210952427895},
        {123456789012345L, 3, 1L << 33, -1.6747851143203654},
    };

    @Test
    void knownValuesOfTheStream() {
        for (double[] k : KNOWN) {
            double z = GaussianNoise.normal((long) k[0], (long) k[1], (long) k[2]);
            assertEquals(k[3], z, 1e-15 * Math.abs(k[3]), Arrays.toString(k));
            assertEquals(GaussianNoiseReference.normal((long) k[0], (long) k[1], (long) k[2]), z, 0.0);
        }
    }

    @Test
    void knownNoiseAddedToAVector() {
        // Original code: target[i] = i/4 − 1, add(σ = 0.5, seed 99, stream 5); float bits stored.
        int[] bits = {-1085247975, -1081142367, -1112221870, -1094771275, -1086633454, -1085785584, -1102802434,
            1069258124, 1070440104, 1070841605, 1069148209};
        float[] target = new float[11];
        for (int i = 0; i < target.length; i++) {
            target[i] = i * 0.25f - 1f;
        }
        GaussianNoise.add(target, 0.5, 99L, 5L, Compute.serial());
        for (int i = 0; i < bits.length; i++) {
            float want = Float.intBitsToFloat(bits[i]);
            assertEquals(want, target[i], 2 * Math.ulp(want), "element " + i);
        }
    }

    @Test
    void bitIdenticalToReferenceOnAnyThreadCountAndLength() {
        int[] lengths = {1, 3, 4, 5, 17, (1 << 16) - 1, 2 * (1 << 16) + 7};
        try (Compute three = Compute.create(3)) {
            for (int len : lengths) {
                float[] base = new float[len];
                for (int i = 0; i < len; i++) {
                    base[i] = (float) Math.sin(i);
                }
                float[] expected = base.clone();
                GaussianNoiseReference.add(expected, 0.01, 1234L, 9L, Compute.serial());
                for (Compute compute : new Compute[] {Compute.serial(), three}) {
                    float[] out = base.clone();
                    GaussianNoise.add(out, 0.01, 1234L, 9L, compute);
                    for (int i = 0; i < len; i++) {
                        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(out[i]),
                            "length " + len + " element " + i + " on " + compute.threads() + " threads");
                    }
                }
            }
        }
    }

    @Test
    void subRangeGetsTheSameNoiseAsTheWholeVector() {
        int len = (1 << 16) + 100;
        float[] whole = new float[len];
        GaussianNoise.add(whole, 1.0, 7L, 1L, Compute.serial());
        float[] part = new float[len];
        int from = 3;
        int to = (1 << 16) + 2;
        GaussianNoise.add(part, from, to, 1.0, 7L, 1L, Compute.serial());
        for (int i = 0; i < len; i++) {
            assertEquals(i >= from && i < to ? whole[i] : 0f, part[i], "element " + i);
        }
    }

    @Test
    void streamsLookStandardNormalAndIndependent() {
        int m = 200_000;
        double sum = 0;
        double sumSq = 0;
        double cross = 0;
        for (int i = 0; i < m; i++) {
            double a = GaussianNoise.normal(5, 0, i);
            double b = GaussianNoise.normal(5, 1, i);
            sum += a;
            sumSq += a * a;
            cross += a * b;
        }
        // 6-sigma bounds: mean ± 6/√m, variance ± 6·√(2/m), correlation ± 6/√m.
        assertTrue(Math.abs(sum / m) < 6 / Math.sqrt(m), "mean " + sum / m);
        assertTrue(Math.abs(sumSq / m - 1) < 6 * Math.sqrt(2.0 / m), "variance " + sumSq / m);
        assertTrue(Math.abs(cross / m) < 6 / Math.sqrt(m), "correlation " + cross / m);
    }

    @Test
    void rejectsBadSigmaAndRange() {
        float[] t = new float[4];
        assertThrows(IllegalArgumentException.class, () -> GaussianNoise.add(t, -1, 0, 0, Compute.serial()));
        assertThrows(IllegalArgumentException.class, () -> GaussianNoise.add(t, Double.NaN, 0, 0, Compute.serial()));
        assertThrows(IllegalArgumentException.class, () -> GaussianNoise.add(t, 2, 5, 1, 0, 0, Compute.serial()));
        assertThrows(IllegalArgumentException.class, () -> GaussianNoise.normal(0, 0, -1));
    }
}
