package org.badfl.server.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.badfl.engine.Compute;

/**
 * Vector API path of {@link CoordinateStats}: sorting networks across SIMD lanes.
 * <p>A tile of {@code GROUPS·L} consecutive coordinates (L = lanes per vector) is transposed into a scratch
 * of n wires × GROUPS lane groups, as order keys ({@link CoordinateStats#key}); reading each row's tile is
 * one short sequential run, so the n rows stream from memory. Every comparator of the network is then a
 * lanewise min and max on each of the GROUPS vectors of its two wires (GROUPS independent chains keep the
 * core busy while stores forward to loads). Integer min/max are single instructions and order the keys like
 * {@link Float#compare}, so the selected values are bit-identical to a sort.
 */
final class CoordinateStatsVector {

    private static final VectorSpecies<Integer> INT = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED;
    /** Half-width species: L/2 ints widen to L/2 doubles in one full-width double vector. */
    private static final VectorSpecies<Integer> INT_HALF =
        VectorSpecies.of(int.class, VectorShape.forBitSize(INT.vectorBitSize() / 2));
    private static final VectorSpecies<Float> FLOAT_HALF = INT_HALF.withLanes(float.class);
    private static final VectorSpecies<Double> DOUBLE =
        VectorSpecies.of(double.class, VectorShape.forBitSize(INT.vectorBitSize()));
    private static final int L = INT.length();
    private static final int H = L / 2;
    /** Lane groups per tile: four independent comparator chains per network step. */
    private static final int GROUPS = 4;
    private static final int TILE = GROUPS * L;

    private CoordinateStatsVector() {
    }

    static void median(float[][] rows, int from, int to, float[] out, Compute compute) {
        int n = rows.length;
        int upper = n / 2;
        int lower = (n & 1) == 1 ? upper : upper - 1;
        SortingNetwork net = SortingNetwork.selecting(n, lower, upper + 1);
        int[] lo = wireOffsets(net.lo());
        int[] hi = wireOffsets(net.hi());
        compute.parallelRange(to - from, CoordinateStats.CHUNK, (s, e) -> {
            int[] scratch = new int[n * TILE];
            for (int t = from + s; t < from + e; t += TILE) {
                int width = Math.min(TILE, from + e - t);
                load(rows, t, width, scratch);
                network(scratch, lo, hi);
                for (int j = 0; j < width; j++) { // lane j of the tile is coordinate t + j
                    float up = CoordinateStats.fromKey(scratch[upper * TILE + j]);
                    out[t + j] = lower == upper ? up
                        : CoordinateStats.midpoint(CoordinateStats.fromKey(scratch[lower * TILE + j]), up);
                }
            }
        });
    }

    static void trimmedMean(float[][] rows, int trim, int from, int to, float[] out, Compute compute) {
        int n = rows.length;
        SortingNetwork net = SortingNetwork.selecting(n, trim, n - trim);
        int[] lo = wireOffsets(net.lo());
        int[] hi = wireOffsets(net.hi());
        double keep = n - 2 * trim;
        compute.parallelRange(to - from, CoordinateStats.CHUNK, (s, e) -> {
            int[] scratch = new int[n * TILE];
            float[] means = new float[TILE];
            for (int t = from + s; t < from + e; t += TILE) {
                int width = Math.min(TILE, from + e - t);
                load(rows, t, width, scratch);
                network(scratch, lo, hi);
                meansOfMiddle(scratch, trim, n - trim, keep, means);
                System.arraycopy(means, 0, out, t, width);
            }
        });
    }

    /**
     * means[j] = (Σ_{w in [first, end)} value(w, j)) / keep for each lane j of the tile, summed in double in
     * wire (= ascending) order. Half-width int vectors widen to full-width doubles with the same lane count.
     */
    private static void meansOfMiddle(int[] scratch, int first, int end, double keep, float[] means) {
        for (int part = 0; part < TILE; part += H) {
            DoubleVector sum = DoubleVector.zero(DOUBLE);
            for (int w = first; w < end; w++) {
                IntVector k = IntVector.fromArray(INT_HALF, scratch, w * TILE + part);
                // Inverse of the order key (written out: a shared helper for two shapes would not inline).
                IntVector bits = k.lanewise(VectorOperators.XOR,
                    k.lanewise(VectorOperators.ASHR, 31).lanewise(VectorOperators.AND, 0x7FFFFFFF));
                sum = sum.add(bits.reinterpretAsFloats().convertShape(VectorOperators.F2D, DOUBLE, 0));
            }
            FloatVector mean = (FloatVector) sum.div(keep).convertShape(VectorOperators.D2F, FLOAT_HALF, 0);
            mean.intoArray(means, part);
        }
    }

    /** Wire index → offset of the wire's first lane group in the scratch. */
    private static int[] wireOffsets(int[] wires) {
        for (int k = 0; k < wires.length; k++) {
            wires[k] *= TILE;
        }
        return wires;
    }

    /**
     * Scratch layout: wire i, lane group g, lane l at {@code i·TILE + g·L + l} (coordinate t + g·L + l).
     * A partial tile (at the end of a chunk) is filled lane by lane and padded with key 0; the padding lanes
     * are sorted along but never read.
     */
    private static void load(float[][] rows, int t, int width, int[] scratch) {
        int n = rows.length;
        if (width == TILE) {
            for (int i = 0; i < n; i++) {
                float[] row = rows[i];
                int base = i * TILE;
                for (int g = 0; g < TILE; g += L) {
                    IntVector bits = FloatVector.fromArray(FLOAT, row, t + g).reinterpretAsInts();
                    bits.lanewise(VectorOperators.XOR,
                        bits.lanewise(VectorOperators.ASHR, 31).lanewise(VectorOperators.AND, 0x7FFFFFFF))
                        .intoArray(scratch, base + g); // order key, see CoordinateStats.key
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                float[] row = rows[i];
                int base = i * TILE;
                for (int j = 0; j < TILE; j++) {
                    scratch[base + j] = j < width ? CoordinateStats.key(Float.floatToRawIntBits(row[t + j])) : 0;
                }
            }
        }
    }

    /** Runs the comparators on the GROUPS lane groups of the tile; lo/hi are wire offsets (wire·TILE). */
    private static void network(int[] s, int[] lo, int[] hi) {
        for (int k = 0; k < lo.length; k++) {
            int a = lo[k];
            int b = hi[k];
            IntVector a0 = IntVector.fromArray(INT, s, a);
            IntVector b0 = IntVector.fromArray(INT, s, b);
            IntVector a1 = IntVector.fromArray(INT, s, a + L);
            IntVector b1 = IntVector.fromArray(INT, s, b + L);
            IntVector a2 = IntVector.fromArray(INT, s, a + 2 * L);
            IntVector b2 = IntVector.fromArray(INT, s, b + 2 * L);
            IntVector a3 = IntVector.fromArray(INT, s, a + 3 * L);
            IntVector b3 = IntVector.fromArray(INT, s, b + 3 * L);
            a0.min(b0).intoArray(s, a);
            a0.max(b0).intoArray(s, b);
            a1.min(b1).intoArray(s, a + L);
            a1.max(b1).intoArray(s, b + L);
            a2.min(b2).intoArray(s, a + 2 * L);
            a2.max(b2).intoArray(s, b + 2 * L);
            a3.min(b3).intoArray(s, a + 3 * L);
            a3.max(b3).intoArray(s, b + 3 * L);
        }
    }
}
