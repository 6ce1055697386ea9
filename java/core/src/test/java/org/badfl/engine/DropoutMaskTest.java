package org.badfl.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.badfl.util.Philox4x32;
import org.junit.jupiter.api.Test;

/**
 * The fast mask generator of {@link Dropout} (four interleaved Philox blocks, integer keep threshold, no branch)
 * gives exactly the masks the pure function {@link Dropout#keep} defines.
 */
class DropoutMaskTest {

    @Test
    void fourInterleavedBlocksEqualFourSingleBlocks() {
        int[] fast = new int[16];
        int[] single = new int[16];
        for (int b : new int[] {0, 4, 1 << 20, Integer.MAX_VALUE - 3}) {
            Dropout.philox4Blocks(b, 0x12345678, 7, 0xCAFEBABE, 0x0BADF00D, fast);
            for (int j = 0; j < 4; j++) {
                Philox4x32.block(b + j, 0, 0x12345678, 7, 0xCAFEBABE, 0x0BADF00D, single, 4 * j);
            }
            assertArrayEquals(single, fast, "blocks from " + b);
        }
    }

    @Test
    void integerThresholdIsTheUniformComparison() {
        for (double keep : new double[] {0.5, 0.75, 0.9, 1.0 / 3, 1e-9, 1 - 1e-9, 0.0}) {
            long threshold = Dropout.keepThreshold(keep);
            for (long w : new long[] {0, 1, threshold - 1, threshold, threshold + 1, 0xFFFFFFFFL, 0x80000000L}) {
                if (w < 0 || w > 0xFFFFFFFFL) {
                    continue;
                }
                boolean byDouble = Philox4x32.uniform((int) w) < keep;
                assertEquals(byDouble, w < threshold, "keep " + keep + " word " + w);
            }
        }
    }

    @Test
    void maskEqualsKeepForEveryElement() {
        long seed = 0x5EEDL;
        long step = (1L << 33) + 5; // a step with a high word
        for (double p : new double[] {0.25, 0.5, 0.9}) {
            int stream = 1;
            long key = Dropout.maskKey(seed, stream);
            long threshold = Dropout.keepThreshold(1.0 - p);
            float scale = (float) (1.0 / (1.0 - p));
            // A chunk starting at a multiple of 16 whose end is not (the tail path), as the layer's chunks.
            int start = 32;
            int end = 32 + 16 * 5 + 7;
            float[] mask = new float[end];
            Dropout.fillMask(mask, start, end, key, step, threshold, Float.floatToRawIntBits(scale));
            for (int i = start; i < end; i++) {
                float expected = Dropout.keep(seed, step, stream, i, p) ? scale : 0f;
                assertEquals(expected, mask[i], "p " + p + " element " + i);
            }
        }
    }

    @Test
    void vectorMaskEqualsScalarMask() {
        assumeTrue(Loops.VECTOR && DropoutMaskVector.AVAILABLE, "vector dropout mask needs 8 long lanes");
        long seed = 0xD0D0L;
        // Chunk starts at multiples of 4 (not only of the vector step), ends with and without a scalar tail,
        // steps with a high word, keep probabilities near 0 and 1, two streams.
        int[][] ranges = {{0, 64}, {0, 1000}, {16, 16 + 64 * 3 + 5}, {4, 4 + 64 + 60}, {0, 40_000}};
        for (long step : new long[] {0, 17, (1L << 33) + 5, -1L}) {
            for (double keepP : new double[] {0.75, 0.5, 1e-9, 1 - 1e-9}) {
                for (int stream = 0; stream < 2; stream++) {
                    long key = Dropout.maskKey(seed, stream);
                    long threshold = Dropout.keepThreshold(keepP);
                    int scaleBits = Float.floatToRawIntBits((float) (1.0 / keepP));
                    for (int[] r : ranges) {
                        int start = r[0];
                        int end = r[1];
                        float[] scalar = new float[end];
                        float[] vector = new float[end];
                        Dropout.fillMaskScalar(scalar, start, end, key, step, threshold, scaleBits);
                        DropoutMaskVector.fillMask(vector, start, end, key, step, threshold, scaleBits);
                        for (int i = start; i < end; i++) {
                            assertEquals(Float.floatToRawIntBits(scalar[i]), Float.floatToRawIntBits(vector[i]),
                                "step " + step + " keep " + keepP + " stream " + stream + " element " + i);
                        }
                    }
                }
            }
        }
    }
}
