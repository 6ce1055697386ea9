package org.badfl.server.noise;

import org.badfl.util.Philox4x32;
import org.badfl.engine.Compute;

/**
 * Gaussian noise N(0, σ²) from {@link Philox4x32}: element i of stream (seed, stream) is a pure function of
 * (seed, stream, i). Block b = i/4 uses counter (b_lo, b_hi, stream_lo, stream_hi) and key (seed_lo, seed_hi);
 * its 4 words give two Box–Muller pairs (words 0,1 → elements 4b, 4b+1; words 2,3 → 4b+2, 4b+3), computed in
 * double: r = √(−2 ln u₀), θ = 2π·u₁, z = (r cos θ, r sin θ) with u = {@link Philox4x32#uniform}. The same
 * seed gives the same noise on any thread count; the CUDA kernel ({@code kernels/noise.cu}) follows this
 * definition, and {@link GaussianNoiseReference} states it plainly (the tests hold the two bit-identical).
 * <p>Cost: one Philox block (10 rounds of two 32×32→64 multiplies) per 4 elements is a small part; the
 * {@code log}, {@code sqrt}, {@code cos} and {@code sin} per pair dominate. They stay scalar {@link Math}
 * calls because a SIMD math library rounds differently and the stream is defined by these.
 */
public final class GaussianNoise {

    /** Elements per parallel task (a multiple of 4, so tasks start on block boundaries). */
    private static final int CHUNK = 1 << 16;
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;

    private GaussianNoise() {
    }

    /** {@code target[i] += sigma · z_i} for every i, z from stream (seed, stream). */
    public static void add(float[] target, double sigma, long seed, long stream, Compute compute) {
        add(target, 0, target.length, sigma, seed, stream, compute);
    }

    /**
     * {@code target[i] += sigma · z_i} for i in {@code [from, to)}: element i always gets z_i, so noise on a
     * sub-range (e.g. trainable ranges only) equals that part of the noise on the whole vector.
     */
    public static void add(float[] target, int from, int to, double sigma, long seed, long stream, Compute compute) {
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("noise sigma must be finite and >= 0, got " + sigma);
        }
        if (from < 0 || from > to || to > target.length) {
            throw new IllegalArgumentException("noise range [" + from + ", " + to + ") must lie within the target's "
                + target.length + " values");
        }
        if (sigma == 0 || from == to) {
            return;
        }
        int first = from & ~3; // chunks are cut at multiples of CHUNK from the first block start
        compute.parallelRange(to - first, CHUNK, (s, e) ->
            addRange(target, Math.max(from, first + s), first + e, sigma, seed, stream));
    }

    /** Element {@code index} of stream (seed, stream), a standard normal. */
    public static double normal(long seed, long stream, long index) {
        if (index < 0) {
            throw new IllegalArgumentException("noise element index must be >= 0, got " + index);
        }
        long block = index >>> 2;
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        int c0 = (int) block;
        int c1 = (int) (block >>> 32);
        int c2 = (int) stream;
        int c3 = (int) (stream >>> 32);
        for (int r = 0; r < 10; r++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            c0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            c1 = (int) p1;
            c2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c3 = (int) p0;
            k0 += W0;
            k1 += W1;
        }
        int lane = (int) (index & 3);
        int u = lane < 2 ? c0 : c2;
        int v = lane < 2 ? c1 : c3;
        double r = Math.sqrt(-2.0 * Math.log(Philox4x32.uniform(u)));
        double theta = 2.0 * Math.PI * Philox4x32.uniform(v);
        return (lane & 1) == 0 ? r * Math.cos(theta) : r * Math.sin(theta);
    }

    /** Adds noise to {@code target[from..to)}, block by block, computing only the pairs that are needed. */
    private static void addRange(float[] target, int from, int to, double sigma, long seed, long stream) {
        int k0Start = (int) seed;
        int k1Start = (int) (seed >>> 32);
        int s0 = (int) stream;
        int s1 = (int) (stream >>> 32);
        for (int base = from & ~3; base < to; base += 4) {
            // Philox4x32-10 on counter (block, stream), key (seed); same rounds as Philox4x32.block.
            long block = base >>> 2;
            int c0 = (int) block;
            int c1 = (int) (block >>> 32);
            int c2 = s0;
            int c3 = s1;
            int k0 = k0Start;
            int k1 = k1Start;
            for (int r = 0; r < 10; r++) {
                long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
                long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
                c0 = (int) (p1 >>> 32) ^ c1 ^ k0;
                c1 = (int) p1;
                c2 = (int) (p0 >>> 32) ^ c3 ^ k1;
                c3 = (int) p0;
                k0 += W0;
                k1 += W1;
            }
            if (base >= from && base + 4 <= to) {
                double r = Math.sqrt(-2.0 * Math.log(Philox4x32.uniform(c0)));
                double theta = 2.0 * Math.PI * Philox4x32.uniform(c1);
                target[base] = (float) (target[base] + sigma * (r * Math.cos(theta)));
                target[base + 1] = (float) (target[base + 1] + sigma * (r * Math.sin(theta)));
                r = Math.sqrt(-2.0 * Math.log(Philox4x32.uniform(c2)));
                theta = 2.0 * Math.PI * Philox4x32.uniform(c3);
                target[base + 2] = (float) (target[base + 2] + sigma * (r * Math.cos(theta)));
                target[base + 3] = (float) (target[base + 3] + sigma * (r * Math.sin(theta)));
            } else {
                for (int i = Math.max(base, from); i < Math.min(base + 4, to); i++) {
                    int lane = i & 3;
                    double r = Math.sqrt(-2.0 * Math.log(Philox4x32.uniform(lane < 2 ? c0 : c2)));
                    double theta = 2.0 * Math.PI * Philox4x32.uniform(lane < 2 ? c1 : c3);
                    double z = (lane & 1) == 0 ? r * Math.cos(theta) : r * Math.sin(theta);
                    target[i] = (float) (target[i] + sigma * z);
                }
            }
        }
    }
}
