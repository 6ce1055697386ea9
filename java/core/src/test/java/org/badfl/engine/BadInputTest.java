package org.badfl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Bad input is rejected with a message naming the model or layer and the expected and found values. */
class BadInputTest {

    private static void assertMessage(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should contain '" + part + "'");
        }
    }

    private final Network net = Models.create("cnn-small", 1, 28, 28, 10, 1);

    @Test
    void wrongInputLength() {
        Throwable e = assertThrows(IllegalArgumentException.class, () -> net.forward(new float[700], 1, false));
        assertMessage(e, "cnn-small", "700", "at least 784", "1x28x28");
        e = assertThrows(IllegalArgumentException.class, () -> net.forward(new float[784], 2, true));
        assertMessage(e, "expected at least 1568");
        e = assertThrows(IllegalArgumentException.class, () -> net.forward(new float[784], 1, 2, true));
        assertMessage(e, "[1, 1569)", "784");
        assertThrows(IllegalArgumentException.class, () -> net.forward(new float[0], 0, false));
    }

    @Test
    void aShortBatchInALargerBufferReadsOnlyItsImages() {
        float[] buffer = GradientCheck.gaussian(3 * 784, 2, 1.0);
        float[] first = java.util.Arrays.copyOf(buffer, 784);
        float[] expected = net.forward(first, 1, false).clone();
        assertArrayEquals(expected, net.forward(buffer, 1, false).clone());
        int[] labels = {3, 7, 1};
        Network a = net.copy();
        Network b = net.copy();
        double exact = a.lossAndGradients(java.util.Arrays.copyOf(buffer, 2 * 784), new int[] {3, 7}, 2);
        double inBuffer = b.lossAndGradients(buffer, labels, 2);
        assertEquals(exact, inBuffer, 0.0);
        assertArrayEquals(a.grads(), b.grads());
    }

    @Test
    void offsetForwardReadsTheRightImages() {
        float[] images = GradientCheck.gaussian(3 * 784, 1, 1.0);
        float[] second = java.util.Arrays.copyOfRange(images, 784, 2 * 784);
        float[] expected = net.forward(second, 1, false).clone();
        assertEquals(expected[3], net.forward(images, 784, 1, false)[3], 0f);
    }

    @Test
    void wrongParameterVectorLength() {
        Throwable e = assertThrows(IllegalArgumentException.class, () -> net.setParams(new float[11_977]));
        assertMessage(e, "cnn-small", "11977", "expected 11978");
        e = assertThrows(IllegalArgumentException.class,
            () -> Models.spec("cnn-paper", 1, 28, 28, 10).withParams(new float[11_978]));
        assertMessage(e, "cnn-paper", "expected 1199882");
    }

    @Test
    void badLabels() {
        float[] x = new float[2 * 784];
        assertMessage(assertThrows(IllegalArgumentException.class,
            () -> net.trainStep(x, new int[] {1, 10}, 2, new Sgd(0.1, 0, 0))), "label 10", "[0, 10)");
        assertMessage(assertThrows(IllegalArgumentException.class,
            () -> net.lossAndGradients(x, new int[] {1}, 2)), "1 labels for a batch of 2");
    }

    @Test
    void nonFiniteParameterIsNamed() {
        Network poisoned = net.copy();
        poisoned.params()[poisoned.layout().entry("fc1.weight").offset() + 3] = Float.NaN;
        Throwable e = assertThrows(NonFiniteException.class,
            () -> poisoned.lossAndGradients(new float[784], new int[] {0}, 1));
        assertMessage(e, "cnn-small", "loss is NaN", "fc1.weight[3]");
    }

    @Test
    void nonFiniteInputIsNamed() {
        float[] x = new float[2 * 784];
        x[784 + 5] = Float.POSITIVE_INFINITY;
        Throwable e = assertThrows(NonFiniteException.class, () -> net.lossAndGradients(x, new int[] {0, 1}, 2));
        assertMessage(e, "input value Infinity in image 1 at index 5");
    }

    @Test
    void divergedActivationsAreNamed() {
        Network huge = net.copy();
        ParamLayout.Entry w = huge.layout().entry("conv2.weight");
        java.util.Arrays.fill(huge.params(), w.offset(), w.end(), 3e37f);
        float[] x = GradientCheck.gaussian(784, 3, 1.0);
        Throwable e = assertThrows(NonFiniteException.class, () -> huge.lossAndGradients(x, new int[] {0}, 1));
        assertMessage(e, "output of layer conv2");
    }

    @Test
    void modelShapeMismatchNamesTheLayer() {
        Throwable e = assertThrows(IllegalArgumentException.class, () -> Models.spec("cnn-small", 1, 8, 8, 10));
        assertMessage(e, "cnn-small", "1x8x8", "conv2", "8x2x2", "expected height and width >= 5");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Models.spec("vgg", 1, 28, 28, 10)),
            "unknown model 'vgg'", "cnn-small");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Models.spec("cnn-small", 1, 28, 28, 1)),
            "at least 2 classes");
        assertThrows(IllegalArgumentException.class, () -> new Shape(0, 28, 28));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Shape.parse("28x28")), "CxHxW");
        assertMessage(assertThrows(IllegalArgumentException.class,
            () -> Network.builder("dup", new Shape(1, 4, 4)).conv("c", 1, 1, 1, 0, true).conv("c", 1, 1, 1, 0, true)),
            "two layers are named 'c'");
    }

    @Test
    void backwardMisuse() {
        Network fresh = Models.spec("cnn-small", 1, 28, 28, 10).build();
        assertThrows(IllegalStateException.class, () -> fresh.backward(new float[10]));
        fresh.forward(new float[784], 1, true);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> fresh.backward(new float[20])),
            "dLogits has 20 values, expected 10");
    }

    @Test
    void batchNormNeedsTwoValuesPerChannelInTraining() {
        Network bn = Network.builder("bn", new Shape(3, 1, 1)).batchNorm("bn").build();
        assertMessage(assertThrows(IllegalArgumentException.class, () -> bn.forward(new float[3], 1, true)),
            "layer bn", "more than 1 value");
        bn.forward(new float[3], 1, false); // evaluation is fine
    }

    @Test
    void badSaliencyAndOptimiserArguments() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> net.saliency(new float[784], 1, 10, true)),
            "class index 10");
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0, 0.9, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1, 1.0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1, 0.9, -1));
        assertThrows(IllegalArgumentException.class, () -> new Dropout("d", new Shape(1, 1, 1), 1.0, 0));
    }
}
