package org.badfl.server.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.badfl.engine.Compute;
import org.junit.jupiter.api.Test;

class SignVotesTest {

    @Test
    void bothPathsEqualReference() {
        for (int n : new int[] {0, 1, 2, 5, 20, 101}) {
            for (int d : new int[] {1, 15, 16, 17, 100, SignVotes.CHUNK + 3}) {
                float[][] rows = TestRows.awkward(n, d, 7L * n + d);
                int[] expected = new int[d];
                SignVotesReference.absSignSum(rows, expected);
                for (boolean vector : new boolean[] {true, false}) {
                    int[] out = new int[d];
                    Arrays.fill(out, -99); // outputs are overwritten, not accumulated
                    SignVotes.absSignSum(rows, 0, d, out, Compute.serial(), vector);
                    assertArrayEquals(expected, out, (vector ? "vector" : "scalar") + " n=" + n + " d=" + d);
                }
            }
        }
    }

    @Test
    void zerosOfBothSignsDoNotVote() {
        float[][] rows = {{0f, -0f, 1f, -1f, Float.MIN_VALUE}, {-0f, -0f, -2f, -3f, -Float.MIN_VALUE}, {0f, 5f, 3f, -0f, Float.MIN_VALUE}};
        int[] out = new int[5];
        SignVotes.absSignSum(rows, out, Compute.serial());
        assertArrayEquals(new int[] {0, 1, 1, 2, 1}, out);
    }

    @Test
    void subRangeAndThreadCount() {
        float[][] rows = TestRows.awkward(9, 3 * SignVotes.CHUNK + 11, 4);
        int d = rows[0].length;
        int[] expected = new int[d];
        SignVotesReference.absSignSum(rows, expected);
        try (Compute three = Compute.create(3)) {
            int[] out = new int[d];
            SignVotes.absSignSum(rows, out, three);
            assertArrayEquals(expected, out);
            int[] part = new int[d];
            SignVotes.absSignSum(rows, 100, d - 50, part, three);
            for (int c = 0; c < d; c++) {
                org.junit.jupiter.api.Assertions.assertEquals(c >= 100 && c < d - 50 ? expected[c] : 0, part[c]);
            }
        }
    }

    @Test
    void rejectsShortRows() {
        float[][] rows = {{1f, 2f}};
        assertThrows(IllegalArgumentException.class, () -> SignVotes.absSignSum(rows, new int[3], Compute.serial()));
    }
}
