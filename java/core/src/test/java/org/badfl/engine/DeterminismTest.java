package org.badfl.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** Same seed, same data: bit-identical parameters after training on 1, 2 and 3 threads. */
class DeterminismTest {

    private static float[] train(ModelSpec spec, long seed, Compute compute, int steps, int batch) {
        Network net = spec.create(seed).setCompute(compute);
        Sgd sgd = new Sgd(0.05, 0.9, 5e-4);
        for (int s = 0; s < steps; s++) {
            float[] x = GradientCheck.gaussian(batch * net.inputSize(), 1000 + s, 1.0);
            int[] labels = new int[batch];
            for (int b = 0; b < batch; b++) {
                labels[b] = (s + 3 * b) % net.classes();
            }
            net.trainStep(x, labels, batch, sgd);
        }
        return net.params().clone();
    }

    @Test
    void convolutionInSeveralIm2colChunks() {
        // budget of 3 images' columns: a batch of 8 runs as chunks 3+3+2 (weight gradients accumulate over chunks)
        long perImage = 2L * 9 * 10 * 10;
        ModelSpec spec = Network.builder("conv-chunked", new Shape(2, 12, 12))
            .add(s -> new Conv2d("conv1", s, 4, 3, 1, 0, true, 3 * perImage)).relu().maxPool(2)
            .linear("fc", 5).spec();
        assertThreadIndependent(spec, 3, 8);
    }

    private static void assertThreadIndependent(ModelSpec spec, int steps, int batch) {
        float[] serial = train(spec, 9, Compute.serial(), steps, batch);
        assertFalse(java.util.Arrays.equals(spec.create(9).params(), serial), "training changed the parameters");
        try (Compute two = Compute.create(2); Compute three = Compute.create(3)) {
            assertArrayEquals(serial, train(spec, 9, two, steps, batch), spec.name() + " on 2 threads");
            assertArrayEquals(serial, train(spec, 9, three, steps, batch), spec.name() + " on 3 threads");
        }
        assertArrayEquals(serial, train(spec, 9, Compute.serial(), steps, batch), spec.name() + " rerun");
    }

    @Test
    void convolutionUnitsAndReductionGroups() {
        // conv1: 256 pixels per image, 1 image per unit, batch 11 -> 11 units in 8 groups; conv2: 64 pixels,
        // units of 6 images (6 + 5); BatchNorm image groups of 4 (4 + 4 + 3).
        ModelSpec spec = Network.builder("conv-groups", new Shape(2, 16, 16))
            .conv("conv1", 4, 3, 1, 1, true).batchNorm("bn1").relu().maxPool(2)
            .conv("conv2", 6, 3, 1, 1, false).relu()
            .linear("fc", 5).spec();
        assertThreadIndependent(spec, 3, 11);
    }

    @Test
    void convolutionInChunksOfOutputRows() {
        // conv2: 8 channels x 3x3 over 48x48 outputs exceeds the chunk budget: images run in row chunks.
        Conv2d conv2 = new Conv2d("conv2", new Shape(8, 48, 48), 8, 3, 1, 1, false);
        org.junit.jupiter.api.Assertions.assertTrue(conv2.chunkRows(4) < 48);
        ModelSpec spec = Network.builder("conv-chunks", new Shape(3, 48, 48))
            .conv("conv1", 8, 3, 1, 1, true).relu()
            .conv("conv2", 8, 3, 1, 1, false).relu().maxPool(4)
            .linear("fc", 5).spec();
        assertThreadIndependent(spec, 3, 4);
    }

    @Test
    void smallCnn() {
        assertThreadIndependent(Models.spec("cnn-small", 1, 28, 28, 10), 3, 16);
    }

    @Test
    void paperCnnWithDropoutNarrow() {
        assertThreadIndependent(Models.paperCnn("cnn-paper-narrow", new Shape(1, 28, 28), 10, 4, 8, 16), 3, 8);
    }

    @Test
    void resnetWithBatchNorm() {
        assertThreadIndependent(Models.resnet("resnet-det", new Shape(3, 16, 16), 10, new int[] {4, 8, 8},
            new int[] {1, 1, 1}), 3, 6);
    }
}
