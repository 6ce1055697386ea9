package org.badfl.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Double-precision gradient check of every layer type, alone (see {@link GradientCheck} for tolerances). */
class LayerGradientTest {

    private static void checkAlone(Network.Builder builder, int batch, boolean training, long seed) {
        checkAlone(builder, batch, training, seed, 1);
    }

    /** {@code stride} > 1: finite differences for every stride-th input and parameter only (large layers). */
    private static void checkAlone(Network.Builder builder, int batch, boolean training, long seed, int stride) {
        Network net = builder.build();
        net.initialise(seed);
        GradientCheck.randomiseBatchNorm(net, seed + 1);
        float[] x = GradientCheck.gaussian(batch * net.inputSize(), seed + 2, 1.0);
        double[] weights = GradientCheck.toDouble(GradientCheck.gaussian(batch * net.classes(), seed + 3, 1.0));
        GradientCheck.check(net, x, batch, training, GradientCheck.weightedSum(weights), stride);
    }

    @Test
    void conv2dWithBiasNonSquareInput() {
        checkAlone(Network.builder("conv-k3", new Shape(2, 7, 6)).conv("c", 3, 3, 1, 0, true), 2, true, 11);
    }

    @Test
    void conv2dStride2Padding1NoBias() {
        checkAlone(Network.builder("conv-s2p1", new Shape(3, 6, 7)).conv("c", 4, 3, 2, 1, false), 2, true, 12);
    }

    @Test
    void conv2d1x1Stride2AndLargePadding() {
        checkAlone(Network.builder("conv-1x1", new Shape(3, 5, 5)).conv("c", 2, 1, 2, 0, false), 3, true, 13);
        checkAlone(Network.builder("conv-k5p2", new Shape(1, 4, 6)).conv("c", 2, 5, 1, 2, true), 2, true, 14);
    }

    @Test
    void conv2dInSeveralIm2colChunks() {
        // A budget of 2 images' columns: a batch of 5 runs as chunks 2+2+1, weight gradients accumulate over chunks.
        Shape in = new Shape(2, 5, 5);
        long perImage = 2L * 3 * 3 * 3 * 3;
        checkAlone(Network.builder("conv-chunked", in).add(s -> new Conv2d("c", s, 3, 3, 1, 0, true, 2 * perImage)), 5, true, 15);
    }

    @Test
    void conv2dWeightGradientOverSeveralReductionGroups() {
        // 16x16 output pixels (256 >= MIN_COLUMNS): one image per unit, 10 units in 8 reduction groups (two of
        // them with 2 units, so partials chain across units and groups are added in order); same padding.
        Conv2d conv = new Conv2d("c", new Shape(2, 16, 16), 3, 3, 1, 1, true);
        assertEquals(1, conv.unitImages(10));
        assertEquals(8, conv.reductionGroups(10));
        checkAlone(Network.builder("conv-groups", new Shape(2, 16, 16)).conv("c", 3, 3, 1, 1, true), 10, true, 16);
    }

    @Test
    void conv2dUnitsOfSeveralImagesWithAShortLastUnit() {
        // 8x8 pixels: units of 6 images (384 columns, a multiple of 48), so a batch of 14 is units 6 + 6 + 2.
        Conv2d conv = new Conv2d("c", new Shape(3, 8, 8), 4, 3, 1, 1, false);
        assertEquals(6, conv.unitImages(14));
        assertEquals(3, conv.reductionGroups(14));
        checkAlone(Network.builder("conv-units", new Shape(3, 8, 8)).conv("c", 4, 3, 1, 1, false), 14, true, 17);
    }

    @Test
    void conv2dSingleImageUnitsInChunksOfOutputRows() {
        // 8 channels x 3x3 over 48x48 outputs: 72 x 2304 im2col floats exceed the chunk budget (2^17), so each
        // image runs in chunks of 37 + 11 output rows; both paddings (same and valid).
        Conv2d same = new Conv2d("c", new Shape(8, 48, 48), 3, 3, 1, 1, true);
        assertEquals(37, same.chunkRows(2));
        checkAlone(Network.builder("conv-chunks", new Shape(8, 48, 48)).conv("c", 3, 3, 1, 1, true), 2, true, 18, 97);
        Conv2d valid = new Conv2d("c", new Shape(8, 50, 50), 2, 3, 1, 0, false);
        assertEquals(37, valid.chunkRows(2));
        checkAlone(Network.builder("conv-chunks-valid", new Shape(8, 50, 50)).conv("c", 2, 3, 1, 0, false), 2, true,
            19, 97);
    }

    @Test
    void linear() {
        checkAlone(Network.builder("linear", new Shape(3, 2, 2)).linear("fc", 5), 3, true, 21);
    }

    @Test
    void relu() {
        checkAlone(Network.builder("relu", new Shape(2, 3, 3)).relu(), 2, true, 31);
    }

    @Test
    void maxPoolNonOverlappingWithOddSize() {
        checkAlone(Network.builder("pool-2", new Shape(2, 6, 5)).maxPool(2), 2, true, 41);
    }

    @Test
    void maxPoolOverlappingWindows() {
        checkAlone(Network.builder("pool-3s2", new Shape(1, 7, 7)).maxPool(3, 2), 2, true, 42);
    }

    @Test
    void batchNormTrainMode() {
        checkAlone(Network.builder("bn-train", new Shape(3, 4, 4)).batchNorm("bn"), 3, true, 51);
    }

    @Test
    void batchNormTrainModeSpatial1x1() {
        checkAlone(Network.builder("bn-1x1", new Shape(4, 1, 1)).batchNorm("bn"), 5, true, 52);
    }

    @Test
    void batchNormEvalMode() {
        checkAlone(Network.builder("bn-eval", new Shape(3, 3, 2)).batchNorm("bn"), 2, false, 53);
    }

    @Test
    void dropoutTrainMode() {
        checkAlone(Network.builder("dropout", new Shape(2, 4, 4)).dropout(0.3), 3, true, 61);
    }

    @Test
    void dropoutEvalModeIsIdentity() {
        Network net = Network.builder("dropout-eval", new Shape(1, 2, 2)).dropout(0.5).build();
        float[] x = {1, -2, 3, 4};
        assertArrayEquals(x, net.forward(x, 1, false));
    }

    @Test
    void flattenAndGlobalAveragePool() {
        checkAlone(Network.builder("flatten", new Shape(2, 2, 3)).flatten(), 2, true, 71);
        checkAlone(Network.builder("avgpool", new Shape(3, 3, 2)).globalAvgPool(), 2, true, 72);
        Network net = Network.builder("flatten-shape", new Shape(2, 2, 3)).flatten().build();
        assertEquals(Shape.flat(12), net.layers().get(0).outputShape());
        float[] x = new float[12];
        assertSame(x, net.layers().get(0).forward(Pass.eval(Compute.serial()), x, 1));
    }

    @Test
    void basicBlockIdentityShortcutTrainMode() {
        checkAlone(Network.builder("block-id", new Shape(3, 4, 4)).basicBlock("b", 3, 1), 2, true, 81);
    }

    @Test
    void basicBlockDownsamplingTrainMode() {
        checkAlone(Network.builder("block-down", new Shape(2, 5, 5)).basicBlock("b", 4, 2), 3, true, 84);
    }

    @Test
    void basicBlockEvalMode() {
        checkAlone(Network.builder("block-eval", new Shape(2, 4, 4)).basicBlock("b", 3, 2), 2, false, 83);
    }
}
