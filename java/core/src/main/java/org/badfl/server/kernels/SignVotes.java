package org.badfl.server.kernels;

import org.badfl.engine.Compute;

/**
 * RLR's sign agreement (Ozdayi et al., AAAI 2021; TinfoilHat0/Defending-Against-Backdoors-with-Robust-Learning-Rate
 * {@code src/aggregation.py}): s_j = |Σ_i sign(Δ_i[j])| with sign(0) = sign(−0) = 0.
 * <p>Integer counts, so both paths equal {@link SignVotesReference} exactly. Each chunk of {@value #CHUNK}
 * coordinates accumulates in place in {@code out} (L1-resident) while the rows stream through it once.
 * The Vector API path computes sign from the float bits b as {@code (−b >>> 31) − (b >>> 31)}, which is
 * 0 for ±0; rows must be finite (a NaN counts as ±1 there, 0 in the reference).
 */
public final class SignVotes {

    static final int CHUNK = 4096;

    private SignVotes() {
    }

    /** @param out receives s_j for each coordinate j &lt; out.length (rows not modified) */
    public static void absSignSum(float[][] rows, int[] out, Compute compute) {
        absSignSum(rows, 0, out.length, out, compute);
    }

    /** s_j for coordinates {@code [from, to)} into {@code out[from..to)}. */
    public static void absSignSum(float[][] rows, int from, int to, int[] out, Compute compute) {
        absSignSum(rows, from, to, out, compute, VectorSupport.enabled());
    }

    /** {@link #absSignSum(float[][], int, int, int[], Compute)} on the chosen path (tests). */
    static void absSignSum(float[][] rows, int from, int to, int[] out, Compute compute, boolean vector) {
        KernelArgs.range("sign votes", from, to, out.length);
        KernelArgs.rows("sign votes", rows, 0, to);
        if (vector) {
            SignVotesVector.absSignSum(rows, from, to, out, compute);
        } else {
            compute.parallelRange(to - from, CHUNK, (s, e) -> scalarChunk(rows, from + s, from + e, out));
        }
    }

    static void scalarChunk(float[][] rows, int s, int e, int[] out) {
        for (int c = s; c < e; c++) {
            out[c] = 0;
        }
        for (float[] row : rows) {
            for (int c = s; c < e; c++) {
                float v = row[c];
                out[c] += v > 0 ? 1 : (v < 0 ? -1 : 0);
            }
        }
        for (int c = s; c < e; c++) {
            out[c] = Math.abs(out[c]);
        }
    }
}
