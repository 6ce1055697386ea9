package org.badfl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Stored PyTorch 1.13 CPU values (script: src/test/resources/org/badfl/engine/pytorch_reference.py) for tiny
 * instances of the registered architectures: checks what the finite-difference tests cannot, namely that the
 * engine's conventions (OIHW / out x in weight layout, state_dict order, BatchNorm momentum and unbiased
 * running variance, kuangliu's block wiring, PyTorch SGD) are PyTorch's.
 * Tolerance {@code 2e-5 + 1e-4 |ref|}: both sides compute in float32 with different summation orders over at
 * most a few hundred terms of size &lt;= 1, giving differences of order 1e-6.
 */
class PyTorchReferenceTest {

    private static final double ATOL = 2e-5;
    private static final double RTOL = 1e-4;

    /** Same formulas as pytorch_reference.py {@code fill}: by flat index over the layout (= state_dict order). */
    static void fill(Network net) {
        float[] p = net.params();
        int i = 0;
        for (ParamLayout.Entry e : net.layout().entries()) {
            for (int j = 0; j < e.length(); j++, i++) {
                double v = switch (e.kind()) {
                    case BN_RUNNING_MEAN -> 0.1 * Math.sin(0.5 * i);
                    case BN_RUNNING_VAR -> 1.0 + 0.5 * Math.pow(Math.sin(0.3 * i), 2);
                    default -> 0.3 * Math.sin(0.37 * i + 0.1);
                };
                p[e.offset() + j] = (float) v;
            }
        }
    }

    static float[] inputs(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (Math.sin(0.11 * i) + 0.5 * Math.cos(0.07 * i));
        }
        return x;
    }

    private static void assertClose(String what, float[] expected, float[] actual, int offset) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[offset + i], ATOL + RTOL * Math.abs(expected[i]), what + "[" + i + "]");
        }
    }

    @Test
    void tinyResNetTrainModeForwardRunningStatisticsAndEvalForward() {
        Network net = Models.resnet("resnet-2-4", new Shape(3, 6, 6), 3, new int[] {2, 4}, new int[] {1, 1}).build();
        fill(net);
        float[] x = inputs(2 * 3 * 6 * 6);
        assertClose("train logits", new float[] {-0.1409228f, -0.118236005f, -0.252751112f, -0.133497521f,
            -0.0797595382f, -0.253198951f}, net.forward(x, 2, true), 0);
        assertClose("bn1.running_mean", new float[] {0.0903463662f, -0.229563028f}, net.params(),
            net.layout().entry("bn1.running_mean").offset());
        assertClose("layer2.0.shortcut.1.running_var", new float[] {0.930627525f, 0.900622606f, 0.949161828f,
            1.05909884f}, net.params(), net.layout().entry("layer2.0.shortcut.1.running_var").offset());
        assertClose("eval logits", new float[] {-0.12929666f, -0.182443023f, -0.276020765f, -0.127833664f,
            -0.175169781f, -0.2761648f}, net.forward(x, 2, false), 0);
    }

    @Test
    void tinySmallCnnLogitsLossGradientsAndSgdSteps() {
        Network net = Models.smallCnn("cnn-2-3-4", new Shape(1, 16, 16), 3, 2, 3, 4).build();
        fill(net);
        float[] x = inputs(2 * 16 * 16);
        int[] labels = {2, 0};
        assertClose("logits", new float[] {-0.140329465f, 0.134796292f, -0.319677949f, 0.31556347f, 1.29952002f,
            -0.564356148f}, net.forward(x, 2, false), 0);
        assertEquals(1.36802626, net.lossAndGradients(x, labels, 2), ATOL);
        float[][] grads = {
            {0.133708522f, 0.139983922f, 0.144687742f}, {0.218844697f, -0.175815076f},
            {0.177016303f, 0.202931687f, 0.2275621f}, {0.0662356764f, 0.0241196807f, 0.0718258023f},
            {0.330871969f, 0.333702594f, 0.598706245f}, {0.148331404f, 0.143624157f, 0f},
            {-0.902704656f, -0.982411504f, 0f}, {-0.219141945f, 0.535865545f, -0.316723585f}};
        float[][] afterTwoSteps = {
            {0.00492735161f, 0.109623604f, 0.196215376f}, {-0.109503098f, 0.0605543926f},
            {0.107652597f, 0.188850686f, 0.240156978f}, {-0.169605494f, -0.0588876344f, 0.0417632088f},
            {0.09518639f, 0.178156137f, 0.176541388f}, {-0.315603167f, -0.259878546f, -0.157143593f},
            {0.254546404f, 0.377957165f, 0.240198195f}, {-0.243629366f, -0.422504693f, -0.158185154f}};
        for (int e = 0; e < grads.length; e++) {
            ParamLayout.Entry entry = net.layout().entries().get(e);
            assertClose("grad " + entry.name(), grads[e], net.grads(), entry.offset());
        }
        Sgd sgd = new Sgd(0.1, 0.9, 5e-4);
        sgd.step(net);
        net.trainStep(x, labels, 2, sgd);
        for (int e = 0; e < afterTwoSteps.length; e++) {
            ParamLayout.Entry entry = net.layout().entries().get(e);
            assertClose("after 2 SGD steps " + entry.name(), afterTwoSteps[e], net.params(), entry.offset());
        }
    }
}
