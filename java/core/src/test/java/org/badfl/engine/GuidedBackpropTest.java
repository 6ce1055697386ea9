package org.badfl.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** Saliency maps on hand-built networks with known weights, checked against values computed by hand. */
class GuidedBackpropTest {

    /** BatchNorm in eval mode with default statistics (mean 0, var 1, gamma 1, beta 0) scales by this. */
    private static final double S = 1 / Math.sqrt(1 + 1e-5);

    private static void set(Network net, String name, float... values) {
        ParamLayout.Entry e = net.layout().entry(name);
        assertEquals(e.length(), values.length, name);
        System.arraycopy(values, 0, net.params(), e.offset(), values.length);
    }

    /**
     * x = (2, 1); h = W1 x = (3, 3, -3) with W1 rows (1, 1), (2, -1), (-1, -1); ReLU keeps units 0 and 1;
     * logit_0 = (2, -1, 4) . relu(h). Upstream gradient at h: (2, -1, 4).
     * Plain: unit 2 is inactive, so g = (2, -1, 0) and d logit_0 / dx = W1^T g = 2(1,1) - (2,-1) = (0, 3).
     * Guided: unit 1's upstream gradient is negative, so g = (2, 0, 0) and the map is 2(1, 1) = (2, 2).
     */
    @Test
    void mlpBlocksNegativeUpstreamGradientsAndInactiveUnits() {
        Network net = Network.builder("mlp", new Shape(2, 1, 1)).linear("fc1", 3).relu().linear("fc2", 2).build();
        set(net, "fc1.weight", 1, 1, 2, -1, -1, -1);
        set(net, "fc1.bias", 0, 0, 0);
        set(net, "fc2.weight", 2, -1, 4, 1, 1, 1);
        set(net, "fc2.bias", 0, 0);
        float[] x = {2, 1};
        assertArrayEquals(new float[] {0, 3}, net.saliency(x, 1, 0, false));
        assertArrayEquals(new float[] {2, 2}, net.saliency(x, 1, 0, true));
        // class 1: upstream (1, 1, 1), all positive: guided = plain = W1^T (1, 1, 0) = (3, 0)
        assertArrayEquals(new float[] {3, 0}, net.saliency(x, 1, 1, false));
        assertArrayEquals(new float[] {3, 0}, net.saliency(x, 1, 1, true));
    }

    /**
     * One residual block on a 1x1x1 input: with 3x3 kernels and padding 1 only the centre weight meets the
     * pixel, so conv1 = a*x, conv2 = b*h, and eval-mode BatchNorm with default statistics multiplies by S.
     * h1 = relu(S a x), pre = S b h1 + x, y = relu(pre), logits = (y, -y).
     */
    private static Network residual(float a, float b) {
        Network net = Network.builder("residual", new Shape(1, 1, 1)).basicBlock("b", 1, 1).linear("fc", 2).build();
        net.initialise(1);
        float[] other = {7, 7, 7, 7, 0, 7, 7, 7, 7}; // off-centre weights only ever meet padding zeros
        other[4] = a;
        set(net, "b.conv1.weight", other.clone());
        other[4] = b;
        set(net, "b.conv2.weight", other.clone());
        set(net, "fc.weight", 1, -1);
        set(net, "fc.bias", 0, 0);
        return net;
    }

    private static float single(Network net, float x, int cls, boolean guided) {
        return net.saliency(new float[] {x}, 1, cls, guided)[0];
    }

    @Test
    void residualBlockGuidedAtInnerAndOutputReLU() {
        // a = 2, b = -0.25, x = 1: h1 = 2S > 0, pre = 1 - 0.5 S^2 > 0.
        Network net = residual(2f, -0.25f);
        double plain = 1 - 0.5 * S * S; // identity path 1 + main path S*b*S*a
        assertEquals(plain, single(net, 1, 0, false), 1e-6);
        assertEquals(-plain, single(net, 1, 1, false), 1e-6);
        // guided, class 0 (upstream +1): the output ReLU passes; the main path's gradient S*b < 0 is blocked at relu1
        assertEquals(1.0, single(net, 1, 0, true), 1e-6);
        // guided, class 1 (upstream -1): blocked by the output ReLU after the residual add
        assertEquals(0.0, single(net, 1, 1, true), 0.0);
    }

    @Test
    void residualBlockPositivePathsPassGuided() {
        // a = 2, b = 0.25: every upstream gradient for class 0 is positive, so guided = plain = 1 + 0.5 S^2
        Network net = residual(2f, 0.25f);
        double plain = 1 + 0.5 * S * S;
        assertEquals(plain, single(net, 1, 0, false), 1e-6);
        assertEquals(plain, single(net, 1, 0, true), 1e-6);
    }

    @Test
    void residualBlockInactiveUnits() {
        // a = -2, x = 1: relu1 is inactive, only the identity path remains: gradient 1 (plain and guided)
        Network inactiveInner = residual(-2f, 0.25f);
        assertEquals(1.0, single(inactiveInner, 1, 0, false), 1e-6);
        assertEquals(1.0, single(inactiveInner, 1, 0, true), 1e-6);
        // x = -1, a = 2: relu1 inactive and pre = -1 < 0: output ReLU inactive, nothing passes
        Network inactiveOut = residual(2f, -0.25f);
        assertEquals(0.0, single(inactiveOut, -1, 0, false), 0.0);
        assertEquals(0.0, single(inactiveOut, -1, 0, true), 0.0);
    }

    @Test
    void saliencyIsTheEvalModeInputGradientAndLeavesModelUntouched() {
        Network net = Models.resnet("resnet-sal", new Shape(3, 8, 8), 4, new int[] {4, 8}, new int[] {1, 1}).create(5);
        GradientCheck.randomiseBatchNorm(net, 6);
        float[] x = GradientCheck.gaussian(2 * net.inputSize(), 7, 1.0);
        float[] grads = GradientCheck.gaussian(net.layout().size(), 8, 1.0);
        System.arraycopy(grads, 0, net.grads(), 0, grads.length);
        float[] params = net.params().clone();
        long step = net.dropoutStep();

        float[] plain = net.saliency(x, 2, 3, false);
        float[] guided = net.saliency(x, 2, 3, true);

        net.forward(x, 2, false);
        float[] oneHot = new float[2 * net.classes()];
        oneHot[3] = 1;
        oneHot[net.classes() + 3] = 1;
        float[] inputGrad = new float[x.length];
        float[] before = net.grads().clone();
        net.backward(oneHot, inputGrad);
        assertArrayEquals(inputGrad, plain, "plain saliency = d logit_3 / dx of the eval-mode network");
        assertNotEquals(0f, before[0] - net.grads()[0], "backward overwrites grads (sanity check of the setup)");
        assertArrayEquals(params, net.params(), "saliency must not change parameters (running statistics included)");
        assertEquals(step, net.dropoutStep());
        boolean differs = false;
        for (int i = 0; i < plain.length; i++) {
            differs |= plain[i] != guided[i];
        }
        assertEquals(true, differs, "guided differs from plain on a random ResNet");
    }

    @Test
    void saliencyDoesNotTouchGradients() {
        Network net = Models.spec("cnn-small", 1, 28, 28, 10).create(3);
        float[] grads = GradientCheck.gaussian(net.layout().size(), 4, 1.0);
        System.arraycopy(grads, 0, net.grads(), 0, grads.length);
        float[] x = GradientCheck.gaussian(net.inputSize(), 5, 1.0);
        float[] map = new float[net.inputSize() * 2];
        net.saliency(new float[2 * net.inputSize()], 2, new int[] {1, 2}, true, map);
        net.saliency(x, 1, 4, true);
        assertArrayEquals(grads, net.grads());
    }
}
