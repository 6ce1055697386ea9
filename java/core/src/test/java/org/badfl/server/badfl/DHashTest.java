package org.badfl.server.badfl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DHashTest {

    /**
     * 8 rows × 9 columns (no resize): even rows alternate 0,1,0,1,... (bits 1,0,1,0,... = 0x55 per row byte), odd
     * rows decrease (no bit). Hand-computed: rows 0, 2, 4, 6 hold 0x55.
     */
    static float[] pattern() {
        float[] m = new float[8 * 9];
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 9; c++) {
                m[r * 9 + c] = r % 2 == 0 ? c % 2 : 8 - c;
            }
        }
        return m;
    }

    @Test
    void handComputedBits() {
        assertEquals(0x0055_0055_0055_0055L, DHash.hash(pattern(), 0, 8, 9));
    }

    /** Each pixel of the pattern doubled into a 2×2 block: area averaging gives the pattern back. */
    @Test
    void blockDuplicatesShrinkExactly() {
        float[] p = pattern();
        float[] big = new float[16 * 18];
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 18; x++) {
                big[y * 18 + x] = p[(y / 2) * 9 + x / 2];
            }
        }
        assertEquals(0x0055_0055_0055_0055L, DHash.hash(big, 0, 16, 18));
        // At an offset inside a larger array.
        float[] shifted = new float[5 + big.length];
        System.arraycopy(big, 0, shifted, 5, big.length);
        assertEquals(0x0055_0055_0055_0055L, DHash.hash(shifted, 5, 16, 18));
    }

    /**
     * 28×28 with fractional overlaps, against an independent numpy computation (each pixel repeated 8× vertically
     * and 9× horizontally, then 28×28 block means: exact area averaging), numpy 1.24:
     * hash 0xdbdbc96d67b697db. Script: {@code
     * src/test/resources/org/badfl/server/badfl/reference/dhash_reference.py}.
     */
    @Test
    void fractionalAreaAveragingMatchesNumpy() {
        float[] m = new float[28 * 28];
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                m[y * 28 + x] = (float) (((y * 31 + x * 17) % 23) / 22.0 + 0.01 * x);
            }
        }
        assertEquals(0xdbdbc96d67b697dbL, DHash.hash(m, 0, 28, 28));
        double[] small = DHash.shrink(m, 0, 28, 28, 8, 9);
        assertEquals(0.4581, small[0], 1e-4);
        assertEquals(0.8170, small[6 * 9 + 8], 1e-4);
    }

    @Test
    void areaWeightsSumToOne() {
        double[][] w = DHash.areaWeights(28, 9);
        for (double[] row : w) {
            double s = 0;
            for (double v : row) {
                s += v;
            }
            assertEquals(1.0, s, 1e-12);
        }
        // Output column 0 covers input [0, 28/9): pixels 0, 1, 2 fully and 1/9 of pixel 3 (weights ×9/28).
        assertArrayEquals(new double[] {9.0 / 28, 9.0 / 28, 9.0 / 28, 1.0 / 28}, java.util.Arrays.copyOf(w[0], 4),
            1e-15);
    }

    @Test
    void hammingDistanceAndBadInput() {
        assertEquals(0, DHash.distance(0x1234L, 0x1234L));
        assertEquals(64, DHash.distance(0L, -1L));
        assertEquals(2, DHash.distance(0b1010L, 0b0000L));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> DHash.hash(new float[10], 0, 4, 4));
        assertEquals("dHash: map of 4x4 at offset 0 does not fit an array of 10 values", e.getMessage());
    }
}
