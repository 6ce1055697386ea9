package org.badfl.bench.aggregation;

import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;

/**
 * Layer tables of the two models the paper's rounds aggregate, built by hand from their layer shapes
 * (docs/DESIGN.md, "Models"), in PyTorch state_dict order. Benchmarks use them so that
 * per-layer work (trainable ranges, per-layer clip factors) has the real number and sizes of slices.
 */
public final class ModelLayouts {

    /** Trainable parameters of the paper CNN. */
    public static final int PAPER_CNN_PARAMS = 1_199_882;
    /** Trainable parameters of ResNet18 (CIFAR variant); the flat buffer also holds 9,600 BN statistics. */
    public static final int RESNET18_PARAMS = 11_173_962;

    private ModelLayouts() {
    }

    /** conv(1,32,3), conv(32,64,3), fc 9216→128, fc 128→10: 1,199,882 values, all trainable. */
    public static ParamLayout paperCnn() {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("conv1.weight", 32 * 1 * 3 * 3, ParamKind.WEIGHT);
        b.add("conv1.bias", 32, ParamKind.BIAS);
        b.add("conv2.weight", 64 * 32 * 3 * 3, ParamKind.WEIGHT);
        b.add("conv2.bias", 64, ParamKind.BIAS);
        b.add("fc1.weight", 128 * 9216, ParamKind.WEIGHT);
        b.add("fc1.bias", 128, ParamKind.BIAS);
        b.add("fc2.weight", 10 * 128, ParamKind.WEIGHT);
        b.add("fc2.bias", 10, ParamKind.BIAS);
        return check(b.build(), PAPER_CNN_PARAMS, "paper CNN");
    }

    /**
     * kuangliu ResNet18: conv3×3(3,64)+BN, 4 stages × 2 BasicBlocks (64, 128, 256, 512; 1×1 conv + BN
     * shortcut where the shape changes), linear 512→10. 11,173,962 trainable values plus running mean and
     * variance of its 20 BatchNorm layers (4,800 channels each): 11,183,562 values in all.
     */
    public static ParamLayout resNet18() {
        ParamLayout.Builder b = ParamLayout.builder();
        conv(b, "conv1", 3, 64, 3);
        bn(b, "bn1", 64);
        int in = 64;
        int[] widths = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            int out = widths[stage];
            for (int block = 0; block < 2; block++) {
                String p = "layer" + (stage + 1) + "." + block + ".";
                conv(b, p + "conv1", in, out, 3);
                bn(b, p + "bn1", out);
                conv(b, p + "conv2", out, out, 3);
                bn(b, p + "bn2", out);
                if (in != out) {
                    conv(b, p + "shortcut.0", in, out, 1);
                    bn(b, p + "shortcut.1", out);
                }
                in = out;
            }
        }
        b.add("linear.weight", 512 * 10, ParamKind.WEIGHT);
        b.add("linear.bias", 10, ParamKind.BIAS);
        return check(b.build(), RESNET18_PARAMS, "ResNet18");
    }

    /** The model whose trainable parameter count is d (the benchmarks' {@code d} parameter). */
    public static ParamLayout forTrainableCount(int d) {
        if (d == PAPER_CNN_PARAMS) {
            return paperCnn();
        }
        if (d == RESNET18_PARAMS) {
            return resNet18();
        }
        throw new IllegalArgumentException("d = " + d + ": expected " + PAPER_CNN_PARAMS + " (paper CNN) or "
            + RESNET18_PARAMS + " (ResNet18)");
    }

    private static void conv(ParamLayout.Builder b, String name, int in, int out, int k) {
        b.add(name + ".weight", out * in * k * k, ParamKind.WEIGHT);
    }

    private static void bn(ParamLayout.Builder b, String name, int c) {
        b.add(name + ".weight", c, ParamKind.WEIGHT);
        b.add(name + ".bias", c, ParamKind.BIAS);
        b.add(name + ".running_mean", c, ParamKind.BN_RUNNING_MEAN);
        b.add(name + ".running_var", c, ParamKind.BN_RUNNING_VAR);
    }

    private static ParamLayout check(ParamLayout layout, int trainable, String model) {
        if (layout.trainableSize() != trainable) {
            throw new IllegalStateException(model + " layout has " + layout.trainableSize()
                + " trainable values, expected " + trainable);
        }
        return layout;
    }
}
