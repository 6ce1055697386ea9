package org.badfl.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Registry, parameter counts and names, initialisation, instance independence. */
class ModelsTest {

    @Test
    void registeredNames() {
        assertEquals(List.of("cnn-small", "cnn-paper", "resnet18", "resnet-tiny"), Models.names());
    }

    @Test
    void paperCnnHasExactly1199882Parameters() {
        ParamLayout layout = Models.spec("cnn-paper", 1, 28, 28, 10).layout();
        assertEquals(1_199_882, layout.trainableSize());
        assertEquals(1_199_882, layout.size());
        assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
            "fc2.weight", "fc2.bias"), layout.entries().stream().map(ParamLayout.Entry::name).toList());
        assertEquals(9216 * 128, layout.entry("fc1.weight").length());
    }

    @Test
    void resnet18Has11173962TrainableParametersAndStateDictNames() {
        ModelSpec spec = Models.spec("resnet18", 3, 32, 32, 10);
        ParamLayout layout = spec.layout();
        assertEquals(11_173_962, layout.trainableSize());
        // running mean + var for every BatchNorm: 2 * (64 + 4*64 + 4*128 + 128 + 4*256 + 256 + 4*512 + 512)
        assertEquals(11_173_962 + 9_600, layout.size());
        assertEquals(ParamKind.BN_RUNNING_MEAN, layout.entry("layer1.0.bn1.running_mean").kind());
        assertEquals(ParamKind.BN_RUNNING_VAR, layout.entry("layer4.1.bn2.running_var").kind());
        assertEquals(128 * 64, layout.entry("layer2.0.shortcut.0.weight").length());
        assertEquals(ParamKind.WEIGHT, layout.entry("layer2.0.shortcut.1.weight").kind());
        assertEquals(ParamKind.BIAS, layout.entry("layer2.0.shortcut.1.bias").kind());
        assertEquals(512 * 10, layout.entry("linear.weight").length());
        assertTrue(layout.entries().stream().noneMatch(e -> e.name().contains("num_batches_tracked")));
        assertThrows(IllegalArgumentException.class, () -> layout.entry("layer1.0.shortcut.0.weight"),
            "identity shortcut in stage 1 has no projection");
        // state_dict order within a block
        List<String> block = layout.entries().stream().map(ParamLayout.Entry::name)
            .filter(n -> n.startsWith("layer2.0.")).toList();
        assertEquals(List.of("layer2.0.conv1.weight", "layer2.0.bn1.weight", "layer2.0.bn1.bias",
            "layer2.0.bn1.running_mean", "layer2.0.bn1.running_var", "layer2.0.conv2.weight", "layer2.0.bn2.weight",
            "layer2.0.bn2.bias", "layer2.0.bn2.running_mean", "layer2.0.bn2.running_var", "layer2.0.shortcut.0.weight",
            "layer2.0.shortcut.1.weight", "layer2.0.shortcut.1.bias", "layer2.0.shortcut.1.running_mean",
            "layer2.0.shortcut.1.running_var"), block);
    }

    @Test
    void smallCnnIsCpuScale() {
        Network net = Models.spec("cnn-small", 1, 28, 28, 10).build();
        assertEquals(11_978, net.layout().size());
        // 24*24*8*25 + 8*8*16*200 + 256*32 + 32*10
        assertEquals(328_512, net.macsPerImage());
        assertEquals(11_992_448, Models.spec("cnn-paper", 1, 28, 28, 10).build().macsPerImage());
    }

    @Test
    void modelsAdaptToInputShapeAndClasses() {
        Network cifar = Models.create("cnn-small", 3, 32, 32, 10, 1);
        assertEquals(400, ((Linear) cifar.layers().get(7)).inFeatures()); // 16 x 5 x 5
        assertEquals(3 * 32 * 32, cifar.inputSize());
        Network paper = Models.create("cnn-paper", 3, 32, 32, 43, 1);
        assertEquals(43, paper.classes());
        assertEquals(64 * 14 * 14, ((Linear) paper.layers().get(7)).inFeatures());
        Network tiny = Models.create("resnet-tiny", 1, 28, 28, 10, 1);
        assertEquals(10, tiny.classes());
        float[] logits = tiny.forward(new float[2 * 28 * 28], 2, false);
        assertEquals(20, logits.length);
    }

    @Test
    void pytorchDefaultInitialisation() {
        Network net = Models.create("resnet-tiny", 3, 32, 32, 10, 42);
        float[] p = net.params();
        for (ParamLayout.Entry e : net.layout().entries()) {
            if (e.name().contains("bn") || e.name().contains("shortcut.1")) {
                float expected = switch (e.kind()) {
                    case WEIGHT, BN_RUNNING_VAR -> 1f;
                    case BIAS, BN_RUNNING_MEAN -> 0f;
                };
                for (int i = e.offset(); i < e.end(); i++) {
                    assertEquals(expected, p[i], 0f, e.name());
                }
            }
        }
        checkUniform(net, "layer2.0.conv1.weight", 8 * 9);
        checkUniform(net, "linear.weight", 64);
        checkUniform(net, "linear.bias", 64);
        Network paper = Models.create("cnn-paper", 1, 28, 28, 10, 42);
        checkUniform(paper, "fc1.weight", 9216);
        checkUniform(paper, "conv2.bias", 32 * 9);
    }

    /** Values within ±1/sqrt(fanIn), and spread over it: U(-b, b) has mean 0 and standard deviation b/sqrt(3). */
    private static void checkUniform(Network net, String name, int fanIn) {
        ParamLayout.Entry e = net.layout().entry(name);
        double bound = 1 / Math.sqrt(fanIn);
        double sum = 0;
        double sq = 0;
        for (int i = e.offset(); i < e.end(); i++) {
            float v = net.params()[i];
            assertTrue(Math.abs(v) <= bound, name + " value " + v + " outside ±" + bound);
            sum += v;
            sq += (double) v * v;
        }
        int n = e.length();
        double sd = Math.sqrt(sq / n);
        // standard errors: mean ~ b/sqrt(3n), sd ~ b/sqrt(n); 5 standard errors (n >= 10 here)
        assertEquals(0, sum / n, 5 * bound / Math.sqrt(3 * n) + 1e-12, name + " mean");
        assertEquals(bound / Math.sqrt(3), sd, 5 * bound / Math.sqrt(n), name + " standard deviation");
    }

    @Test
    void sameSeedSameParametersDifferentSeedDifferent() {
        float[] a = Models.create("cnn-paper", 1, 28, 28, 10, 7).params();
        float[] b = Models.create("cnn-paper", 1, 28, 28, 10, 7).params();
        float[] c = Models.create("cnn-paper", 1, 28, 28, 10, 8).params();
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    @Test
    void instancesAreIndependent() {
        ModelSpec spec = Models.spec("cnn-small", 1, 28, 28, 10);
        Network a = spec.create(1);
        Network b = a.copy();
        assertNotSame(a.params(), b.params());
        assertArrayEquals(a.params(), b.params());
        float[] x = GradientCheck.gaussian(4 * a.inputSize(), 2, 1.0);
        a.trainStep(x, new int[] {1, 2, 3, 4}, 4, new Sgd(0.1, 0.9, 0));
        assertFalse(java.util.Arrays.equals(a.params(), b.params()));
        assertArrayEquals(spec.create(1).params(), b.params(), "training a must not change its copy");
        Network fromVector = spec.withParams(a.params());
        assertArrayEquals(a.params(), fromVector.params());
        assertArrayEquals(a.forward(x, 4, false).clone(), fromVector.forward(x, 4, false));
    }

    @Test
    void resnet18ForwardAtBatchOne() {
        Network net = Models.create("resnet18", 3, 32, 32, 10, 3);
        float[] logits = net.forward(GradientCheck.gaussian(3 * 32 * 32, 4, 1.0), 1, false);
        assertEquals(10, logits.length);
        for (float v : logits) {
            assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void summaryListsLayersAndCounts() {
        String summary = Models.spec("resnet18", 3, 32, 32, 10).build().summary();
        assertTrue(summary.contains("layer2.0.shortcut.0"), summary);
        assertTrue(summary.contains("trainable parameters 11,173,962; total 11,183,562"), summary);
    }
}
