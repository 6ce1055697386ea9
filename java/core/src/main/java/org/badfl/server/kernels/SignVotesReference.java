package org.badfl.server.kernels;

/** The definition {@link SignVotes} computes, one coordinate at a time; used by tests as the reference. */
public final class SignVotesReference {

    private SignVotesReference() {
    }

    /** @param out receives s_j = |Σ_i sign(rows[i][j])| (sign(0) = 0) for each coordinate j &lt; out.length */
    public static void absSignSum(float[][] rows, int[] out) {
        for (int c = 0; c < out.length; c++) {
            int s = 0;
            for (float[] row : rows) {
                float v = row[c];
                s += v > 0 ? 1 : (v < 0 ? -1 : 0);
            }
            out[c] = Math.abs(s);
        }
    }
}
