package org.badfl.engine.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the {@link Packing} layouts (same output, bit for bit), used by {@link VectorGemm}.
 * <ul>
 * <li>Unit-stride copies move whole vectors (B not transposed), or, for A transposed with VL = 16, pairs of
 *     rows recombined by half-swaps (one vector spans two 8-row panels).</li>
 * <li>The two gathers (A not transposed, B transposed: packed row p needs one value from each of 8 or VL
 *     source rows) are register transposes. {@link #transposeRows8} loads 8 rows of VL floats and applies
 *     three rounds of "zip" (vector 2i, 2i+1 = lanes of rows i and i+4 interleaved): one round rotates every
 *     element's position bits (row | lane) left by one, so three rounds turn (row r, lane l) into position
 *     l*8 + r; {@link #transposeRows16} does four rounds on 16 rows.
 *     A zip is two one-input rearranges and a blend; JDK 17 does not compile the two-input rearrange to one
 *     permute, and it is several times slower.</li>
 * </ul>
 * Only the preferred species {@link VectorKernels#S} is used: in JDK 17 a second species in the same JVM
 * (e.g. 256-bit vectors next to 512-bit ones) makes the shared Vector API methods' type profiles polymorphic,
 * after which C2 no longer intrinsifies the micro-kernel and it runs about 20x slower.
 * Partial blocks (panel edges, k not a multiple of VL) use {@link Packing}'s scalar loops. Vectors never cross
 * a method boundary: a vector passed to a method C2 did not inline is boxed on the heap (10-20x slower).
 */
final class VectorPacking {

    static final VectorSpecies<Float> S = VectorKernels.S;
    static final int VL = VectorKernels.VL;

    /** Lanes 0..VL/2-1 of a row, each doubled ({@code a0 a0 a1 a1 ...}); ZIP_HIGH: lanes VL/2..VL-1. */
    private static final VectorShuffle<Float> ZIP_LOW = zipShuffle(0);
    private static final VectorShuffle<Float> ZIP_HIGH = zipShuffle(VL / 2);
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(S, 0xAAAA_AAAA_AAAA_AAAAL);
    /** Upper half of the lanes, and the shuffle that swaps the two halves. */
    private static final VectorMask<Float> UPPER_HALF = VectorMask.fromLong(S, -1L << (VL / 2));
    private static final VectorShuffle<Float> SWAP_HALVES = VectorShuffle.fromOp(S, i -> (i + VL / 2) % VL);

    /** Register transposes need at least 8 lanes (AVX2 or AVX-512); else the scalar loops run. */
    static final boolean TRANSPOSE_NATIVE = VL == 8 || VL == 16;

    private VectorPacking() {
    }

    private static VectorShuffle<Float> zipShuffle(int from) {
        return VectorShuffle.fromOp(S, i -> from + i / 2);
    }

    /** Same as {@link Packing#packA}. */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
                      int mr, float[] dst) {
        if (mr != 8 || !TRANSPOSE_NATIVE) {
            Packing.packA(transA, a, aOff, lda, i0, mc, p0, kc, mr, dst);
            return;
        }
        int fullPanels = mc / 8;
        int q = 0;
        if (transA) {
            if (VL == 8) {
                // A stored k x m: panel row p is the 8 floats of A's row p0 + p, one vector.
                for (; q < fullPanels; q++) {
                    int src = aOff + p0 * lda + i0 + q * 8;
                    for (int p = 0; p < kc; p++) {
                        FloatVector.fromArray(S, a, src + p * lda).intoArray(dst, q * 8 * kc + p * 8);
                    }
                }
            } else {
                for (; q + 2 <= fullPanels; q += 2) {
                    packPanelPairTransposed(a, aOff, lda, i0 + q * 8, p0, kc, dst, q * 8 * kc);
                }
            }
        } else {
            for (; q < fullPanels; q++) {
                int base = q * 8 * kc;
                int src = aOff + (i0 + q * 8) * lda + p0;
                int p = 0;
                for (; p + VL <= kc; p += VL) {
                    transposeRows8(a, src + p, lda, dst, base + p * 8, VL);
                }
                for (; p < kc; p++) {
                    for (int r = 0; r < 8; r++) {
                        dst[base + p * 8 + r] = a[src + r * lda + p];
                    }
                }
            }
        }
        if (q * 8 < mc) {
            // Panels left over (an odd one, the zero-padded last one): scalar.
            Packing.packA(transA, a, aOff, lda, i0 + q * 8, mc - q * 8, p0, kc, 8, dst, q * 8 * kc);
        }
    }

    /**
     * For VL = 16 and A stored k x m: two full panels (rows {@code firstRow .. firstRow+15}) at once. One
     * vector load of A's row p holds both panels' row p; two rows p, p+1 are recombined by half-swaps into
     * {@code [panel q: p | p+1]} and {@code [panel q+1: p | p+1]}, 16 contiguous floats each.
     */
    private static void packPanelPairTransposed(float[] a, int aOff, int lda, int firstRow, int p0, int kc,
                                                float[] dst, int base) {
        int second = base + 8 * kc;
        int src = aOff + p0 * lda + firstRow;
        int p = 0;
        for (; p + 2 <= kc; p += 2) {
            FloatVector x = FloatVector.fromArray(S, a, src + p * lda);
            FloatVector y = FloatVector.fromArray(S, a, src + (p + 1) * lda);
            x.blend(y.rearrange(SWAP_HALVES), UPPER_HALF).intoArray(dst, base + p * 8);
            x.rearrange(SWAP_HALVES).blend(y, UPPER_HALF).intoArray(dst, second + p * 8);
        }
        if (p < kc) {
            for (int r = 0; r < 8; r++) {
                dst[base + p * 8 + r] = a[src + p * lda + r];
                dst[second + p * 8 + r] = a[src + p * lda + 8 + r];
            }
        }
    }

    /** Same as {@link Packing#packB} with {@code dstOff = 0}. */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc,
                      int nr, float[] dst) {
        int fullPanels = nc / nr;
        if (transB) {
            if (!TRANSPOSE_NATIVE || nr % VL != 0) {
                Packing.packB(true, b, bOff, ldb, p0, kc, j0, nc, nr, dst, 0);
                return;
            }
            for (int q = 0; q < fullPanels; q++) {
                packPanelTransposed(b, bOff, ldb, p0, kc, j0 + q * nr, nr, dst, q * nr * kc);
            }
        } else {
            int vectors = nr / VL;
            for (int p = 0; p < kc; p++) {
                int src = bOff + (p0 + p) * ldb + j0;
                for (int q = 0; q < fullPanels; q++) {
                    int from = src + q * nr;
                    int to = q * nr * kc + p * nr;
                    for (int v = 0; v < vectors; v++) {
                        FloatVector.fromArray(S, b, from + v * VL).intoArray(dst, to + v * VL);
                    }
                }
            }
        }
        if (fullPanels * nr < nc) {
            Packing.packB(transB, b, bOff, ldb, p0, kc, j0 + fullPanels * nr, nc - fullPanels * nr, nr,
                    dst, fullPanels * nr * kc);
        }
    }

    /**
     * One full panel (nr columns, a multiple of VL) of B stored n x k: op(B)(p, j) = b[j*ldb + p], written
     * to {@code dst[base + p*nr + j - j0]}. Transposes VL columns x VL depths at a time. Column groups are the
     * outer loop so that only VL source rows are streamed at once (each read front to back over kc): with a
     * long k those rows come from memory, and the hardware prefetchers follow a few streams, not nr of them.
     */
    private static void packPanelTransposed(float[] b, int bOff, int ldb, int p0, int kc, int j0, int nr,
                                            float[] dst, int base) {
        int fullDepth = kc - kc % VL;
        for (int g = 0; g < nr; g += VL) {
            int src = bOff + (j0 + g) * ldb + p0;
            for (int p = 0; p < fullDepth; p += VL) {
                // Vector t of the transpose holds depth p + t for VL consecutive columns.
                if (VL == 8) {
                    transposeRows8(b, src + p, ldb, dst, base + p * nr + g, nr);
                } else {
                    transposeRows16(b, src + p, ldb, dst, base + p * nr + g, nr);
                }
            }
        }
        for (int p = fullDepth; p < kc; p++) {
            for (int col = 0; col < nr; col++) {
                dst[base + p * nr + col] = b[bOff + (j0 + col) * ldb + p0 + p];
            }
        }
    }

    /**
     * For VL = 16: reads 16 rows of 16 floats ({@code src[s + r*srcStride + l]}) and writes the transpose, row l
     * ({@code src} lane l of every row) to {@code dst[d + l*dstStride]}: four zip rounds rotate the 8 position
     * bits (row | lane) by four.
     */
    static void transposeRows16(float[] src, int s, int srcStride, float[] dst, int d, int dstStride) {
        FloatVector x0 = FloatVector.fromArray(S, src, s);
        FloatVector x1 = FloatVector.fromArray(S, src, s + 1 * srcStride);
        FloatVector x2 = FloatVector.fromArray(S, src, s + 2 * srcStride);
        FloatVector x3 = FloatVector.fromArray(S, src, s + 3 * srcStride);
        FloatVector x4 = FloatVector.fromArray(S, src, s + 4 * srcStride);
        FloatVector x5 = FloatVector.fromArray(S, src, s + 5 * srcStride);
        FloatVector x6 = FloatVector.fromArray(S, src, s + 6 * srcStride);
        FloatVector x7 = FloatVector.fromArray(S, src, s + 7 * srcStride);
        FloatVector x8 = FloatVector.fromArray(S, src, s + 8 * srcStride);
        FloatVector x9 = FloatVector.fromArray(S, src, s + 9 * srcStride);
        FloatVector x10 = FloatVector.fromArray(S, src, s + 10 * srcStride);
        FloatVector x11 = FloatVector.fromArray(S, src, s + 11 * srcStride);
        FloatVector x12 = FloatVector.fromArray(S, src, s + 12 * srcStride);
        FloatVector x13 = FloatVector.fromArray(S, src, s + 13 * srcStride);
        FloatVector x14 = FloatVector.fromArray(S, src, s + 14 * srcStride);
        FloatVector x15 = FloatVector.fromArray(S, src, s + 15 * srcStride);
        for (int round = 0; round < 4; round++) {
            FloatVector y0 = x0.rearrange(ZIP_LOW).blend(x8.rearrange(ZIP_LOW), ODD_LANES);
            FloatVector y1 = x0.rearrange(ZIP_HIGH).blend(x8.rearrange(ZIP_HIGH), ODD_LANES);
            FloatVector y2 = x1.rearrange(ZIP_LOW).blend(x9.rearrange(ZIP_LOW), ODD_LANES);
            FloatVector y3 = x1.rearrange(ZIP_HIGH).blend(x9.rearrange(ZIP_HIGH), ODD_LANES);
            FloatVector y4 = x2.rearrange(ZIP_LOW).blend(x10.rearrange(ZIP_LOW), ODD_LANES);
            FloatVector y5 = x2.rearrange(ZIP_HIGH).blend(x10.rearrange(ZIP_HIGH), ODD_LANES);
            FloatVector y6 = x3.rearrange(ZIP_LOW).blend(x11.rearrange(ZIP_LOW), ODD_LANES);
            FloatVector y7 = x3.rearrange(ZIP_HIGH).blend(x11.rearrange(ZIP_HIGH), ODD_LANES);
            FloatVector y8 = x4.rearrange(ZIP_LOW).blend(x12.rearrange(ZIP_LOW), ODD_LANES);
            FloatVector y9 = x4.rearrange(ZIP_HIGH).blend(x12.rearrange(ZIP_HIGH), ODD_LANES);
            FloatVector y10 = x5.rearrange(ZIP_LOW).blend(x13.rearrange(ZIP_LOW), ODD_LANES);
            FloatVector y11 = x5.rearrange(ZIP_HIGH).blend(x13.rearrange(ZIP_HIGH), ODD_LANES);
            FloatVector y12 = x6.rearrange(ZIP_LOW).blend(x14.rearrange(ZIP_LOW), ODD_LANES);
            FloatVector y13 = x6.rearrange(ZIP_HIGH).blend(x14.rearrange(ZIP_HIGH), ODD_LANES);
            FloatVector y14 = x7.rearrange(ZIP_LOW).blend(x15.rearrange(ZIP_LOW), ODD_LANES);
            FloatVector y15 = x7.rearrange(ZIP_HIGH).blend(x15.rearrange(ZIP_HIGH), ODD_LANES);
            x0 = y0;
            x1 = y1;
            x2 = y2;
            x3 = y3;
            x4 = y4;
            x5 = y5;
            x6 = y6;
            x7 = y7;
            x8 = y8;
            x9 = y9;
            x10 = y10;
            x11 = y11;
            x12 = y12;
            x13 = y13;
            x14 = y14;
            x15 = y15;
        }
        x0.intoArray(dst, d);
        x1.intoArray(dst, d + 1 * dstStride);
        x2.intoArray(dst, d + 2 * dstStride);
        x3.intoArray(dst, d + 3 * dstStride);
        x4.intoArray(dst, d + 4 * dstStride);
        x5.intoArray(dst, d + 5 * dstStride);
        x6.intoArray(dst, d + 6 * dstStride);
        x7.intoArray(dst, d + 7 * dstStride);
        x8.intoArray(dst, d + 8 * dstStride);
        x9.intoArray(dst, d + 9 * dstStride);
        x10.intoArray(dst, d + 10 * dstStride);
        x11.intoArray(dst, d + 11 * dstStride);
        x12.intoArray(dst, d + 12 * dstStride);
        x13.intoArray(dst, d + 13 * dstStride);
        x14.intoArray(dst, d + 14 * dstStride);
        x15.intoArray(dst, d + 15 * dstStride);
    }

    /**
     * Reads 8 rows of VL floats ({@code src[s + r*srcStride + l]}) and writes them so that element (r, l) lands
     * at flat position l*8 + r of the 8 output vectors, vector t stored at {@code dst[d + t*dstStride]}.
     */
    static void transposeRows8(float[] src, int s, int srcStride, float[] dst, int d, int dstStride) {
        FloatVector x0 = FloatVector.fromArray(S, src, s);
        FloatVector x1 = FloatVector.fromArray(S, src, s + srcStride);
        FloatVector x2 = FloatVector.fromArray(S, src, s + 2 * srcStride);
        FloatVector x3 = FloatVector.fromArray(S, src, s + 3 * srcStride);
        FloatVector x4 = FloatVector.fromArray(S, src, s + 4 * srcStride);
        FloatVector x5 = FloatVector.fromArray(S, src, s + 5 * srcStride);
        FloatVector x6 = FloatVector.fromArray(S, src, s + 6 * srcStride);
        FloatVector x7 = FloatVector.fromArray(S, src, s + 7 * srcStride);
        // Zips written out, not as helper methods: C2 may not inline a helper that already has compiled
        // code of its own, and a vector passed to a method that is not inlined gets boxed on the heap.
        for (int round = 0; round < 3; round++) {
            FloatVector y0 = x0.rearrange(ZIP_LOW).blend(x4.rearrange(ZIP_LOW), ODD_LANES);
            FloatVector y1 = x0.rearrange(ZIP_HIGH).blend(x4.rearrange(ZIP_HIGH), ODD_LANES);
            FloatVector y2 = x1.rearrange(ZIP_LOW).blend(x5.rearrange(ZIP_LOW), ODD_LANES);
            FloatVector y3 = x1.rearrange(ZIP_HIGH).blend(x5.rearrange(ZIP_HIGH), ODD_LANES);
            FloatVector y4 = x2.rearrange(ZIP_LOW).blend(x6.rearrange(ZIP_LOW), ODD_LANES);
            FloatVector y5 = x2.rearrange(ZIP_HIGH).blend(x6.rearrange(ZIP_HIGH), ODD_LANES);
            FloatVector y6 = x3.rearrange(ZIP_LOW).blend(x7.rearrange(ZIP_LOW), ODD_LANES);
            FloatVector y7 = x3.rearrange(ZIP_HIGH).blend(x7.rearrange(ZIP_HIGH), ODD_LANES);
            x0 = y0;
            x1 = y1;
            x2 = y2;
            x3 = y3;
            x4 = y4;
            x5 = y5;
            x6 = y6;
            x7 = y7;
        }
        x0.intoArray(dst, d);
        x1.intoArray(dst, d + dstStride);
        x2.intoArray(dst, d + 2 * dstStride);
        x3.intoArray(dst, d + 3 * dstStride);
        x4.intoArray(dst, d + 4 * dstStride);
        x5.intoArray(dst, d + 5 * dstStride);
        x6.intoArray(dst, d + 6 * dstStride);
        x7.intoArray(dst, d + 7 * dstStride);
    }
}
