package org.badfl.engine;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API version of {@link Dropout#fillMask} (same mask, bit for bit): Philox4x32-10 on 64-bit lanes, one
 * Philox block per lane, each 32-bit word held zero-extended so that one lane multiply gives the full 64-bit
 * product of a round (high word = product >>> 32, low word = product &amp; 0xFFFFFFFF). Two vectors of blocks
 * are computed together so that the multiplies of one hide the latency of the other's. The keep test is the
 * scalar path's branch-free formula {@code scaleBits & ((w - threshold) >> 63)} on lanes; the four words of
 * each block are then written to their elements {@code 4 * block + word} through a small per-thread buffer.
 * <p>Only used with 8 long lanes (AVX-512, whose 64-bit lane multiply {@code vpmullq} C2 compiles the Vector
 * API's multiply to); loaded only when the vector loops run ({@link Loops#VECTOR}).
 */
final class DropoutMaskVector {

    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    /** Philox blocks per vector. */
    private static final int LANES = L.length();
    /** Whether this machine has the 8-lane long vectors the vector path is written for. */
    static final boolean AVAILABLE = LANES == 8;
    /** Elements per step: two vectors of blocks, four words each. */
    static final int STEP = 2 * 4 * LANES;
    private static final long LOW = 0xFFFFFFFFL;
    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    /** Lane l holds l: the block offsets of one vector. */
    private static final long[] IOTA = new long[LANES];

    static {
        for (int l = 0; l < LANES; l++) {
            IOTA[l] = l;
        }
    }

    private static final ThreadLocal<long[]> WORDS = ThreadLocal.withInitial(() -> new long[STEP]);

    private DropoutMaskVector() {
    }

    /**
     * {@link Dropout#fillMask} on [start, end) ({@code start} a multiple of 4): whole steps of {@link #STEP}
     * elements on vectors, the rest by the scalar loop.
     */
    static void fillMask(float[] mask, int start, int end, long key, long step, long threshold, int scaleBits) {
        int k0Start = (int) key;
        int k1Start = (int) (key >>> 32);
        long s0 = ((int) step) & LOW;
        long s1 = ((int) (step >>> 32)) & LOW;
        long keepBits = scaleBits & LOW;
        long[] words = WORDS.get();
        LongVector iota = LongVector.fromArray(L, IOTA, 0);
        int i = start;
        for (; i + STEP <= end; i += STEP) {
            long block = (i >>> 2) & LOW;
            LongVector a0 = iota.add(block);
            LongVector a1 = LongVector.zero(L);
            LongVector a2 = LongVector.broadcast(L, s0);
            LongVector a3 = LongVector.broadcast(L, s1);
            LongVector b0 = iota.add(block + LANES);
            LongVector b1 = a1;
            LongVector b2 = a2;
            LongVector b3 = a3;
            int k0 = k0Start;
            int k1 = k1Start;
            for (int r = 0; r < 10; r++) {
                long key0 = k0 & LOW;
                long key1 = k1 & LOW;
                LongVector pa0 = a0.mul(M0);
                LongVector pa1 = a2.mul(M1);
                LongVector pb0 = b0.mul(M0);
                LongVector pb1 = b2.mul(M1);
                a0 = pa1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, a1).lanewise(VectorOperators.XOR, key0);
                a1 = pa1.and(LOW);
                a2 = pa0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, a3).lanewise(VectorOperators.XOR, key1);
                a3 = pa0.and(LOW);
                b0 = pb1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, b1).lanewise(VectorOperators.XOR, key0);
                b1 = pb1.and(LOW);
                b2 = pb0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, b3).lanewise(VectorOperators.XOR, key1);
                b3 = pb0.and(LOW);
                k0 += W0;
                k1 += W1;
            }
            // words[j * LANES + l]: word j of block l (first vector), then the same for the second vector.
            keep(a0, threshold, keepBits).intoArray(words, 0);
            keep(a1, threshold, keepBits).intoArray(words, LANES);
            keep(a2, threshold, keepBits).intoArray(words, 2 * LANES);
            keep(a3, threshold, keepBits).intoArray(words, 3 * LANES);
            keep(b0, threshold, keepBits).intoArray(words, 4 * LANES);
            keep(b1, threshold, keepBits).intoArray(words, 5 * LANES);
            keep(b2, threshold, keepBits).intoArray(words, 6 * LANES);
            keep(b3, threshold, keepBits).intoArray(words, 7 * LANES);
            for (int h = 0; h < 2; h++) {
                int src = h * 4 * LANES;
                int dst = i + h * 4 * LANES;
                for (int l = 0; l < LANES; l++) {
                    mask[dst + 4 * l] = Float.intBitsToFloat((int) words[src + l]);
                    mask[dst + 4 * l + 1] = Float.intBitsToFloat((int) words[src + LANES + l]);
                    mask[dst + 4 * l + 2] = Float.intBitsToFloat((int) words[src + 2 * LANES + l]);
                    mask[dst + 4 * l + 3] = Float.intBitsToFloat((int) words[src + 3 * LANES + l]);
                }
            }
        }
        if (i < end) {
            Dropout.fillMaskScalar(mask, i, end, key, step, threshold, scaleBits);
        }
    }

    /** Lane-wise {@code keepBits & ((w - threshold) >> 63)}: the scale's bits where w &lt; threshold, else 0. */
    private static LongVector keep(LongVector w, long threshold, long keepBits) {
        return w.sub(threshold).lanewise(VectorOperators.ASHR, 63).and(keepBits);
    }
}
