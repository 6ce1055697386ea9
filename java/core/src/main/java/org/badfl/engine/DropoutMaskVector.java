package org.badfl.engine;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API version of {@link Dropout#fillMask} (same mask, bit for bit): Philox4x32-10 on 64-bit lanes, one
 * Philox block per lane, each 32-bit word held zero-extended so that one lane multiply gives the full 64-bit
 * product of a round (high word = product >>> 32, low word = product &amp; 0xFFFFFFFF). Two vectors of blocks
 * are computed together so that the multiplies of one hide the latency of the other's. The keep test is
 * {@code w < threshold} on lanes (both in [0, 2^32], so the signed comparison is the unsigned one); the four words of
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
        long[] words = WORDS.get();
        // Only vector-vector operations: JDK 17 does not intrinsify some long-lane operations with a scalar
        // operand (shift counts, broadcasts inside lanewise), and a vector that is not intrinsified is boxed.
        LongVector iota = LongVector.fromArray(L, IOTA, 0);
        LongVector m0 = LongVector.broadcast(L, M0);
        LongVector m1 = LongVector.broadcast(L, M1);
        LongVector low = LongVector.broadcast(L, LOW);
        LongVector shift = LongVector.broadcast(L, 32L);
        LongVector thr = LongVector.broadcast(L, threshold);
        LongVector keepBitsV = LongVector.broadcast(L, scaleBits & LOW);
        LongVector zero = LongVector.zero(L);
        LongVector step0 = LongVector.broadcast(L, s0);
        LongVector step1 = LongVector.broadcast(L, s1);
        LongVector lanes = LongVector.broadcast(L, (long) LANES);
        int i = start;
        for (; i + STEP <= end; i += STEP) {
            LongVector a0 = iota.add(LongVector.broadcast(L, (long) (i >>> 2)));
            LongVector a1 = zero;
            LongVector a2 = step0;
            LongVector a3 = step1;
            LongVector b0 = a0.add(lanes);
            LongVector b1 = zero;
            LongVector b2 = step0;
            LongVector b3 = step1;
            int k0 = k0Start;
            int k1 = k1Start;
            for (int r = 0; r < 10; r++) {
                LongVector key0 = LongVector.broadcast(L, k0 & LOW);
                LongVector key1 = LongVector.broadcast(L, k1 & LOW);
                LongVector pa0 = a0.mul(m0);
                LongVector pa1 = a2.mul(m1);
                LongVector pb0 = b0.mul(m0);
                LongVector pb1 = b2.mul(m1);
                a0 = pa1.lanewise(VectorOperators.LSHR, shift).lanewise(VectorOperators.XOR, a1).lanewise(VectorOperators.XOR, key0);
                a1 = pa1.and(low);
                a2 = pa0.lanewise(VectorOperators.LSHR, shift).lanewise(VectorOperators.XOR, a3).lanewise(VectorOperators.XOR, key1);
                a3 = pa0.and(low);
                b0 = pb1.lanewise(VectorOperators.LSHR, shift).lanewise(VectorOperators.XOR, b1).lanewise(VectorOperators.XOR, key0);
                b1 = pb1.and(low);
                b2 = pb0.lanewise(VectorOperators.LSHR, shift).lanewise(VectorOperators.XOR, b3).lanewise(VectorOperators.XOR, key1);
                b3 = pb0.and(low);
                k0 += W0;
                k1 += W1;
            }
            // Kept (w < threshold): the scale's bits, else 0.
            // words[j * LANES + l]: word j of block l (first vector), then the same for the second vector.
            zero.blend(keepBitsV, a0.compare(VectorOperators.LT, thr)).intoArray(words, 0);
            zero.blend(keepBitsV, a1.compare(VectorOperators.LT, thr)).intoArray(words, LANES);
            zero.blend(keepBitsV, a2.compare(VectorOperators.LT, thr)).intoArray(words, 2 * LANES);
            zero.blend(keepBitsV, a3.compare(VectorOperators.LT, thr)).intoArray(words, 3 * LANES);
            zero.blend(keepBitsV, b0.compare(VectorOperators.LT, thr)).intoArray(words, 4 * LANES);
            zero.blend(keepBitsV, b1.compare(VectorOperators.LT, thr)).intoArray(words, 5 * LANES);
            zero.blend(keepBitsV, b2.compare(VectorOperators.LT, thr)).intoArray(words, 6 * LANES);
            zero.blend(keepBitsV, b3.compare(VectorOperators.LT, thr)).intoArray(words, 7 * LANES);
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
}
