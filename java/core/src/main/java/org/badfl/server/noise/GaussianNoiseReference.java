package org.badfl.server.noise;

import org.badfl.util.Philox4x32;
import org.badfl.engine.Compute;

/**
 * The definition {@link GaussianNoise} computes, written plainly (arrays per block); used by tests as the
 * reference. Gaussian noise N(0, σ²) from {@link Philox4x32}: element i of stream (seed, stream) is a pure function of
 * (seed, stream, i). Block b = i/4 uses counter (b_lo, b_hi, stream_lo, stream_hi) and key (seed_lo, seed_hi);
 * its 4 words give two Box–Muller pairs (words 0,1 → elements 4b, 4b+1; words 2,3 → 4b+2, 4b+3), computed in
 * double. The same seed gives the same noise on any thread count.
 */
public final class GaussianNoiseReference {

    private static final int CHUNK = 1 << 16;

    private GaussianNoiseReference() {
    }

    /** {@code target[i] += sigma · z_i} for every i, z from stream (seed, stream). */
    public static void add(float[] target, double sigma, long seed, long stream, Compute compute) {
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("noise sigma must be finite and >= 0, got " + sigma);
        }
        if (sigma == 0) {
            return;
        }
        compute.parallelRange(target.length, CHUNK, (start, end) -> {
            double[] z = new double[4];
            int[] words = new int[4];
            int i = start & ~3; // chunk starts are multiples of 4 (CHUNK is)
            for (; i < end; i += 4) {
                normals(seed, stream, i >>> 2, words, z);
                for (int k = 0; k < 4 && i + k < end; k++) {
                    target[i + k] = (float) (target[i + k] + sigma * z[k]);
                }
            }
        });
    }

    /** Element {@code index} of stream (seed, stream), a standard normal. */
    public static double normal(long seed, long stream, long index) {
        double[] z = new double[4];
        normals(seed, stream, index >>> 2, new int[4], z);
        return z[(int) (index & 3)];
    }

    /** The four standard normals of block {@code block}. */
    static void normals(long seed, long stream, long block, int[] words, double[] z) {
        Philox4x32.block((int) block, (int) (block >>> 32), (int) stream, (int) (stream >>> 32),
            (int) seed, (int) (seed >>> 32), words, 0);
        boxMuller(words[0], words[1], z, 0);
        boxMuller(words[2], words[3], z, 2);
    }

    private static void boxMuller(int w0, int w1, double[] z, int off) {
        double r = Math.sqrt(-2.0 * Math.log(Philox4x32.uniform(w0)));
        double theta = 2.0 * Math.PI * Philox4x32.uniform(w1);
        z[off] = r * Math.cos(theta);
        z[off + 1] = r * Math.sin(theta);
    }
}
