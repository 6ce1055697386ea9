package org.badfl.engine.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.badfl.engine.Compute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments are rejected with a message naming the argument, expected and found values. */
class GemmValidationTest {

    private static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        }
    }

    @Test
    void negativeDimensions() {
        float[] x = new float[16];
        assertRejected(() -> Gemm.sgemm(false, false, -1, 2, 2, x, 0, 2, x, 0, 2, new float[4], 0, 2, false),
                "m must be >= 0", "-1");
        assertRejected(() -> Gemm.sgemm(false, false, 2, -3, 2, x, 0, 2, x, 0, 2, new float[4], 0, 2, false),
                "n must be >= 0", "-3");
        assertRejected(() -> Gemm.sgemm(false, false, 2, 2, -2, x, 0, 2, x, 0, 2, new float[4], 0, 2, false),
                "k must be >= 0");
    }

    @Test
    void leadingDimensionsTooSmall() {
        float[] x = new float[64];
        // A is 4 x 6 (not transposed): lda must be >= 6
        assertRejected(() -> Gemm.sgemm(false, false, 4, 2, 6, x, 0, 5, x, 0, 2, new float[8], 0, 2, false),
                "lda must be >= 6", "got 5", "A (stored 4 x 6)");
        // transposed A is stored 6 x 4: lda must be >= 4
        assertRejected(() -> Gemm.sgemm(true, false, 4, 2, 6, x, 0, 3, x, 0, 2, new float[8], 0, 2, false),
                "lda must be >= 4", "transposed");
        assertRejected(() -> Gemm.sgemm(false, true, 4, 2, 6, x, 0, 6, x, 0, 5, new float[8], 0, 2, false),
                "ldb must be >= 6");
        assertRejected(() -> Gemm.sgemm(false, false, 4, 3, 6, x, 0, 6, x, 0, 3, new float[12], 0, 2, false),
                "ldc must be >= 3");
    }

    @Test
    void arraysTooShortOrNullOrNegativeOffset() {
        float[] a = new float[4 * 6];
        float[] b = new float[6 * 2];
        assertRejected(() -> Gemm.sgemm(false, false, 4, 2, 6, a, 1, 6, b, 0, 2, new float[8], 0, 2, false),
                "A (stored 4 x 6)", "at least 25", "found 24");
        assertRejected(() -> Gemm.sgemm(false, false, 4, 2, 6, a, 0, 6, b, 0, 2, new float[7], 0, 2, false),
                "C (stored 4 x 2)", "found 7");
        assertRejected(() -> Gemm.sgemm(false, false, 4, 2, 6, null, 0, 6, b, 0, 2, new float[8], 0, 2, false),
                "A must not be null");
        assertRejected(() -> Gemm.sgemm(false, false, 4, 2, 6, a, 0, 6, b, -1, 2, new float[8], 0, 2, false),
                "offset of B must be >= 0", "-1");
        assertRejected(() -> Gemm.sgemm(null, false, false, 4, 2, 6, a, 0, 6, b, 0, 2, new float[8], 0, 2, false),
                "compute must not be null");
    }

    @Test
    void outputMustNotOverlapAnInput() {
        float[] shared = new float[100];
        // C at 0..7 overlaps A at 4..27
        assertRejected(() -> Gemm.sgemm(false, false, 4, 2, 6, shared, 4, 6, new float[12], 0, 2, shared, 0, 2,
                false), "overlaps A");
        // Disjoint regions of one array are fine: A at 0..23, B at 24..35, C at 40..47
        for (int i = 0; i < 36; i++) {
            shared[i] = 1;
        }
        Gemm.sgemm(Compute.serial(), false, false, 4, 2, 6, shared, 0, 6, shared, 24, 2, shared, 40, 2, false);
        float[] expected = new float[8];
        java.util.Arrays.fill(expected, 6);
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(shared, 40, 48));
    }
}
