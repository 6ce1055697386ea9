package org.badfl.engine;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Registry of the model architectures by name, each creatable for any input shape and class count the
 * architecture allows (errors name the layer that does not fit). Reference architectures: docs/DESIGN.md, section
 * "Models".
 * <ul>
 * <li>{@code cnn-small}: conv(C,8,5) ReLU maxpool2 conv(8,16,5) ReLU maxpool2 flatten fc(.,32) ReLU fc(32,K);
 *     the CPU-scale default (about 0.33 MMAC forward per 28x28 image, 11,978 parameters for 1x28x28, 10 classes).</li>
 * <li>{@code cnn-paper}: conv(C,32,3) ReLU conv(32,64,3) ReLU maxpool2 dropout .25 flatten fc(.,128) ReLU
 *     dropout .5 fc(128,K) (PyTorch's MNIST example; 1,199,882 parameters for 1x28x28, 10 classes).</li>
 * <li>{@code resnet18}: kuangliu/pytorch-cifar models/resnet.py ResNet18: conv3x3(C,64) BN ReLU, 4 stages x 2
 *     {@link BasicBlock}s (64, 128, 256, 512; stride 2 from stage 2), global average pool, linear(512, K)
 *     (11,173,962 trainable parameters for 3x32x32, 10 classes).</li>
 * <li>{@code resnet-tiny}: the same design with stages (8, 16, 32, 64) x 1 block, for fast CPU experiments.</li>
 * </ul>
 * Parameter names follow the reference implementations' state_dict (conv1.weight, fc1.bias,
 * layer1.0.bn1.running_mean, linear.weight, ...).
 */
public final class Models {

    /** A registered architecture: its default input and how to build it. */
    private record Entry(String description, Shape defaultInput, Factory factory) {
    }

    @FunctionalInterface
    private interface Factory {
        ModelSpec spec(String name, Shape input, int classes);
    }

    private static final Map<String, Entry> REGISTRY = new LinkedHashMap<>();

    static {
        REGISTRY.put("cnn-small", new Entry("small fast CNN: 2 conv(5x5)+pool, fc 32 (CPU default)",
            new Shape(1, 28, 28), (n, s, k) -> smallCnn(n, s, k, 8, 16, 32)));
        REGISTRY.put("cnn-paper", new Entry("paper CNN (PyTorch MNIST example): 2 conv(3x3), pool, dropout, fc 128",
            new Shape(1, 28, 28), (n, s, k) -> paperCnn(n, s, k, 32, 64, 128)));
        REGISTRY.put("resnet18", new Entry("ResNet-18, CIFAR variant (kuangliu/pytorch-cifar)",
            new Shape(3, 32, 32), (n, s, k) -> resnet(n, s, k, new int[] {64, 128, 256, 512}, new int[] {2, 2, 2, 2})));
        REGISTRY.put("resnet-tiny", new Entry("ResNet, CIFAR variant, widths 8-16-32-64, 1 block per stage",
            new Shape(3, 32, 32), (n, s, k) -> resnet(n, s, k, new int[] {8, 16, 32, 64}, new int[] {1, 1, 1, 1})));
    }

    private Models() {
    }

    /** Registered model names, in a fixed order. */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /** One-line description of a registered model. */
    public static String description(String name) {
        return entry(name).description();
    }

    /** The input shape a registered model is designed for (MNIST 1x28x28 or CIFAR 3x32x32). */
    public static Shape defaultInput(String name) {
        return entry(name).defaultInput();
    }

    /** Blueprint of a registered model for images of {@code channels x height x width} and {@code classes} outputs. */
    public static ModelSpec spec(String name, int channels, int height, int width, int classes) {
        return spec(name, new Shape(channels, height, width), classes);
    }

    /** Blueprint of a registered model for {@code input} images and {@code classes} outputs. */
    public static ModelSpec spec(String name, Shape input, int classes) {
        checkClasses(name, classes);
        return entry(name).factory().spec(name.toLowerCase(Locale.ROOT), input, classes);
    }

    /** A registered model with PyTorch's default initialisation from {@code seed}. */
    public static Network create(String name, int channels, int height, int width, int classes, long seed) {
        return spec(name, channels, height, width, classes).create(seed);
    }

    private static Entry entry(String name) {
        Objects.requireNonNull(name, "model name");
        Entry e = REGISTRY.get(name.toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new IllegalArgumentException("unknown model '" + name + "', expected one of " + names());
        }
        return e;
    }

    private static void checkClasses(String name, int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("model " + name + ": needs at least 2 classes, got " + classes);
        }
    }

    /**
     * The small CNN with configurable widths: conv(C,c1,5) ReLU maxpool2 conv(c1,c2,5) ReLU maxpool2 flatten
     * fc(.,hidden) ReLU fc(hidden,classes). Parameter names conv1, conv2, fc1, fc2.
     */
    public static ModelSpec smallCnn(String name, Shape input, int classes, int c1, int c2, int hidden) {
        checkClasses(name, classes);
        return Network.builder(name, input)
            .conv("conv1", c1, 5, 1, 0, true).relu().maxPool(2)
            .conv("conv2", c2, 5, 1, 0, true).relu().maxPool(2)
            .flatten()
            .linear("fc1", hidden).relu()
            .linear("fc2", classes)
            .spec();
    }

    /**
     * The paper CNN with configurable widths (PyTorch examples/mnist/main.py {@code Net}): conv(C,c1,3) ReLU
     * conv(c1,c2,3) ReLU maxpool2 dropout .25 flatten fc(.,hidden) ReLU dropout .5 fc(hidden,classes).
     * Parameter names conv1, conv2, fc1, fc2.
     */
    public static ModelSpec paperCnn(String name, Shape input, int classes, int c1, int c2, int hidden) {
        checkClasses(name, classes);
        return Network.builder(name, input)
            .conv("conv1", c1, 3, 1, 0, true).relu()
            .conv("conv2", c2, 3, 1, 0, true).relu()
            .maxPool(2).dropout(0.25)
            .flatten()
            .linear("fc1", hidden).relu().dropout(0.5)
            .linear("fc2", classes)
            .spec();
    }

    /**
     * CIFAR-style ResNet with {@link BasicBlock}s (kuangliu/pytorch-cifar models/resnet.py): stem conv3x3(C,
     * widths[0]) "conv1" + BatchNorm "bn1" + ReLU, then stage i ("layer{i+1}") of {@code blocks[i]} blocks with
     * {@code widths[i]} planes, the first block of every stage after the first with stride 2; global average
     * pool, "linear"(widths[last], classes). ResNet-18 is widths (64, 128, 256, 512), blocks (2, 2, 2, 2).
     */
    public static ModelSpec resnet(String name, Shape input, int classes, int[] widths, int[] blocks) {
        checkClasses(name, classes);
        if (widths.length == 0 || widths.length != blocks.length) {
            throw new IllegalArgumentException("model " + name + ": needs one block count per stage width, got widths "
                + Arrays.toString(widths) + " and blocks " + Arrays.toString(blocks));
        }
        Network.Builder b = Network.builder(name, input)
            .conv("conv1", widths[0], 3, 1, 1, false).batchNorm("bn1").relu();
        for (int stage = 0; stage < widths.length; stage++) {
            if (blocks[stage] < 1 || widths[stage] < 1) {
                throw new IllegalArgumentException("model " + name + ": stage " + (stage + 1) + " needs >= 1 block and"
                    + " width, got " + blocks[stage] + " blocks of width " + widths[stage]);
            }
            for (int block = 0; block < blocks[stage]; block++) {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                b.basicBlock("layer" + (stage + 1) + "." + block, widths[stage], stride);
            }
        }
        return b.globalAvgPool().linear("linear", classes).spec();
    }
}
