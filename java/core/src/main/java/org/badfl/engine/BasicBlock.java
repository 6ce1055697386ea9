package org.badfl.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Residual basic block of ResNet-18/34 in the CIFAR variant of kuangliu/pytorch-cifar (models/resnet.py,
 * {@code BasicBlock}, expansion 1):
 * <pre>
 *   out = relu( bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x) )
 *   conv1: 3x3, stride s, padding 1, no bias;  conv2: 3x3, stride 1, padding 1, no bias
 *   shortcut(x) = x                              if s == 1 and in channels == planes
 *               = bn_s(conv_s(x)), conv_s 1x1 stride s, no bias   otherwise
 * </pre>
 * Parameter names follow the reference state_dict: NAME.conv1, NAME.bn1, NAME.conv2, NAME.bn2,
 * NAME.shortcut.0 (conv), NAME.shortcut.1 (BatchNorm). Both ReLUs follow {@link Pass#guided()} in backward,
 * the one after the residual add included. Backward sums the input gradients of both paths.
 */
public final class BasicBlock extends Layer {

    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final ReLU relu1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Conv2d shortcutConv;
    private final BatchNorm2d shortcutBn;
    private final ReLU reluOut;
    private final List<Layer> children;

    private float[] sum;
    private float[] dIn;
    private int lastBatch;

    public BasicBlock(String name, Shape in, int planes, int stride) {
        this(name, in, planes, stride, new Conv2d(name + ".conv1", in, planes, 3, stride, 1, false));
    }

    private BasicBlock(String name, Shape in, int planes, int stride, Conv2d conv1) {
        super(name, in, conv1.outputShape());
        Shape mid = conv1.outputShape();
        this.conv1 = conv1;
        this.bn1 = new BatchNorm2d(name + ".bn1", mid);
        this.relu1 = new ReLU(name + ".relu1", mid);
        this.conv2 = new Conv2d(name + ".conv2", mid, planes, 3, 1, 1, false);
        this.bn2 = new BatchNorm2d(name + ".bn2", mid);
        if (stride != 1 || in.channels() != planes) {
            this.shortcutConv = new Conv2d(name + ".shortcut.0", in, planes, 1, stride, 0, false);
            if (!shortcutConv.outputShape().equals(mid)) {
                throw new IllegalArgumentException("layer " + name + ": shortcut output " + shortcutConv.outputShape()
                    + " does not match the main path " + mid);
            }
            this.shortcutBn = new BatchNorm2d(name + ".shortcut.1", mid);
        } else {
            this.shortcutConv = null;
            this.shortcutBn = null;
        }
        this.reluOut = new ReLU(name + ".relu", mid);
        List<Layer> list = new ArrayList<>(List.of(conv1, bn1, relu1, conv2, bn2));
        if (shortcutConv != null) {
            list.add(shortcutConv);
            list.add(shortcutBn);
        }
        list.add(reluOut);
        this.children = Collections.unmodifiableList(list);
    }

    public Conv2d conv1() {
        return conv1;
    }

    public BatchNorm2d bn1() {
        return bn1;
    }

    public Conv2d conv2() {
        return conv2;
    }

    public BatchNorm2d bn2() {
        return bn2;
    }

    /** The 1x1 shortcut convolution, or null for an identity shortcut. */
    public Conv2d shortcutConv() {
        return shortcutConv;
    }

    /** The shortcut BatchNorm, or null for an identity shortcut. */
    public BatchNorm2d shortcutBn() {
        return shortcutBn;
    }

    public boolean hasProjection() {
        return shortcutConv != null;
    }

    @Override
    public String describe() {
        return "BasicBlock(" + inputShape().channels() + ", " + conv1.outChannels() + ", s=" + conv1.stride()
            + (shortcutConv != null ? ", 1x1 shortcut" : "") + ")";
    }

    @Override
    public long macsPerImage() {
        return conv1.macsPerImage() + conv2.macsPerImage() + (shortcutConv != null ? shortcutConv.macsPerImage() : 0);
    }

    /** conv1, bn1, relu1, conv2, bn2, [shortcut conv, shortcut bn], output relu (declaration order = state_dict). */
    @Override
    public List<Layer> children() {
        return children;
    }

    @Override
    public float[] forward(Pass pass, float[] input, int batch) {
        checkInput(input, batch);
        float[] h = conv1.forward(pass, input, batch);
        h = bn1.forward(pass, h, batch);
        h = relu1.forward(pass, h, batch);
        h = conv2.forward(pass, h, batch);
        float[] main = bn2.forward(pass, h, batch);
        float[] skip = input;
        if (shortcutConv != null) {
            skip = shortcutBn.forward(pass, shortcutConv.forward(pass, input, batch), batch);
        }
        int n = batch * outputShape().size();
        sum = ensure(sum, n);
        float[] shortcut = skip;
        pass.compute().parallelRange(n, ELEMENT_GRAIN, (start, end) -> Loops.sum(main, shortcut, sum, start, end));
        lastBatch = batch;
        return reluOut.forward(pass, sum, batch);
    }

    @Override
    public float[] backward(Pass pass, float[] dOut, boolean needInputGrad) {
        checkGradient(dOut, lastBatch);
        float[] dSum = reluOut.backward(pass, dOut, true);
        float[] g = bn2.backward(pass, dSum, true);
        g = conv2.backward(pass, g, true);
        g = relu1.backward(pass, g, true);
        g = bn1.backward(pass, g, true);
        float[] dMain = conv1.backward(pass, g, needInputGrad);
        float[] dSkip = dSum;
        if (shortcutConv != null) {
            dSkip = shortcutConv.backward(pass, shortcutBn.backward(pass, dSum, true), needInputGrad);
        }
        if (!needInputGrad) {
            return null;
        }
        int n = lastBatch * inputShape().size();
        dIn = ensure(dIn, n);
        float[] a = dMain;
        float[] b = dSkip;
        pass.compute().parallelRange(n, ELEMENT_GRAIN, (start, end) -> Loops.sum(a, b, dIn, start, end));
        return dIn;
    }
}
