package org.badfl.engine;

import org.junit.jupiter.api.Test;

/**
 * Double-precision gradient check of tiny instances of every model family on the mean cross-entropy loss,
 * all parameters and inputs (see {@link GradientCheck} for the tolerances), plus the real cnn-small on a sample
 * of its parameters.
 */
class ModelGradientTest {

    private static void checkModel(Network net, int batch, boolean training, long seed, int paramStride) {
        net.initialise(seed);
        GradientCheck.randomiseBatchNorm(net, seed + 1);
        float[] x = GradientCheck.inputAwayFromKinks(net, batch, training, seed + 2);
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++) {
            labels[b] = (int) ((seed + 7L * b) % net.classes());
        }
        GradientCheck.check(net, x, batch, training, GradientCheck.crossEntropy(labels, net.classes()), paramStride);
    }

    @Test
    void tinySmallCnn() {
        checkModel(Models.smallCnn("cnn-small-tiny", new Shape(1, 16, 16), 4, 2, 3, 5).build(), 3, true, 101, 1);
    }

    @Test
    void tinyPaperCnnWithDropoutInTraining() {
        checkModel(Models.paperCnn("cnn-paper-tiny", new Shape(1, 8, 8), 3, 2, 3, 5).build(), 3, true, 102, 1);
    }

    @Test
    void tinyPaperCnnOnColourInputInEvaluation() {
        checkModel(Models.paperCnn("cnn-paper-rgb", new Shape(3, 7, 7), 4, 2, 2, 4).build(), 2, false, 103, 1);
    }

    @Test
    void tinyResNetWithDownsamplingBlockInTraining() {
        // stage 1: identity block; stage 2: stride-2 block with 1x1 conv + BatchNorm shortcut; BN in train mode
        checkModel(Models.resnet("resnet-3-4", new Shape(3, 6, 6), 3, new int[] {3, 4}, new int[] {1, 1}).build(),
            4, true, 104, 1);
    }

    @Test
    void tinyResNetInEvaluation() {
        checkModel(Models.resnet("resnet-2-3-eval", new Shape(2, 5, 5), 3, new int[] {2, 3}, new int[] {2, 1}).build(),
            2, false, 105, 1);
    }

    @Test
    void fullSizeSmallCnnSampledParameters() {
        checkModel(Models.spec("cnn-small", 1, 28, 28, 10).build(), 1, true, 106, 29);
    }
}
