package org.badfl.gpu.nn;

import org.badfl.engine.BasicBlock;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.KernelArgs;

/**
 * {@link BasicBlock} (kuangliu CIFAR ResNet) on the device: {@code relu(bn2(conv2(relu(bn1(conv1(x))))) + s(x))},
 * {@code s} the identity or a 1x1 convolution + BatchNorm; the residual add and the sum of both paths' input
 * gradients are {@code kernels/residual.cu}. Both ReLUs follow the pass's guided flag, as in the engine.
 */
public final class DeviceBasicBlock extends DeviceLayer {

    private final DeviceConv2d conv1;
    private final DeviceBatchNorm2d bn1;
    private final DeviceReLU relu1;
    private final DeviceConv2d conv2;
    private final DeviceBatchNorm2d bn2;
    private final DeviceConv2d shortcutConv;
    private final DeviceBatchNorm2d shortcutBn;
    private final DeviceReLU reluOut;
    private final Workspace sum;
    private final Workspace dIn;
    private int lastBatch;

    public DeviceBasicBlock(DeviceContext ctx, BasicBlock block, DeviceBuffer params, DeviceBuffer grads) {
        super(ctx, block);
        this.conv1 = new DeviceConv2d(ctx, block.conv1(), params, grads);
        this.bn1 = new DeviceBatchNorm2d(ctx, block.bn1(), params, grads);
        this.relu1 = new DeviceReLU(ctx, (org.badfl.engine.ReLU) block.children().get(2));
        this.conv2 = new DeviceConv2d(ctx, block.conv2(), params, grads);
        this.bn2 = new DeviceBatchNorm2d(ctx, block.bn2(), params, grads);
        if (block.hasProjection()) {
            this.shortcutConv = new DeviceConv2d(ctx, block.shortcutConv(), params, grads);
            this.shortcutBn = new DeviceBatchNorm2d(ctx, block.shortcutBn(), params, grads);
        } else {
            this.shortcutConv = null;
            this.shortcutBn = null;
        }
        this.reluOut = new DeviceReLU(ctx, (org.badfl.engine.ReLU) block.children().get(block.children().size() - 1));
        this.sum = ctx.workspace();
        this.dIn = ctx.workspace();
    }

    @Override
    public DeviceBuffer forward(DevicePass pass, DeviceBuffer in, int batch) {
        checkInput(in, batch);
        DeviceBuffer h = conv1.forward(pass, in, batch);
        h = bn1.forward(pass, h, batch);
        h = relu1.forward(pass, h, batch);
        h = conv2.forward(pass, h, batch);
        DeviceBuffer main = bn2.forward(pass, h, batch);
        DeviceBuffer skip = in;
        if (shortcutConv != null) {
            skip = shortcutBn.forward(pass, shortcutConv.forward(pass, in, batch), batch);
        }
        long n = (long) batch * outputShape().size();
        DeviceBuffer s = sum.floats(n);
        ctx.launch("residual_add_forward_kernel", n, KernelArgs.create().ptr(main).ptr(skip).ptr(s).i64(n));
        lastBatch = batch;
        return reluOut.forward(pass, s, batch);
    }

    @Override
    public DeviceBuffer backward(DevicePass pass, DeviceBuffer dOut, boolean needInputGrad) {
        checkGradient(dOut, lastBatch);
        DeviceBuffer dSum = reluOut.backward(pass, dOut, true);
        DeviceBuffer g = bn2.backward(pass, dSum, true);
        g = conv2.backward(pass, g, true);
        g = relu1.backward(pass, g, true);
        g = bn1.backward(pass, g, true);
        DeviceBuffer dMain = conv1.backward(pass, g, needInputGrad);
        DeviceBuffer dSkip = dSum;
        if (shortcutConv != null) {
            dSkip = shortcutConv.backward(pass, shortcutBn.backward(pass, dSum, true), needInputGrad);
        }
        if (!needInputGrad) {
            return null;
        }
        long n = (long) lastBatch * inputShape().size();
        DeviceBuffer dx = dIn.floats(n);
        ctx.launch("residual_add_backward_kernel", n, KernelArgs.create().ptr(dMain).ptr(dSkip).ptr(dx).i64(n));
        return dx;
    }

    @Override
    public void close() {
        for (DeviceLayer l : new DeviceLayer[] {conv1, bn1, relu1, conv2, bn2, shortcutConv, shortcutBn, reluOut}) {
            if (l != null) {
                l.close();
            }
        }
        sum.close();
        dIn.close();
    }
}
