package org.badfl.server.kernels;

import org.badfl.engine.Compute;

/** RLR's sign agreement: s_j = |Σ_i sign(Δ_i[j])| with sign(0) = 0. */
public final class SignVotes {

    private SignVotes() {
    }

    /** @param out receives s_j for each coordinate j < out.length */
    public static void absSignSum(float[][] rows, int[] out, Compute compute) {
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
