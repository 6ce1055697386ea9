package org.badfl.engine;

/**
 * Global average pooling ({@code torch.nn.AdaptiveAvgPool2d(1)}): C x H x W becomes C x 1 x 1,
 * {@code y[n][c] = mean over (h, w) of x[n][c][h][w]} (summed in double). For the 4x4 maps of a CIFAR ResNet
 * this equals kuangliu's {@code F.avg_pool2d(out, 4)}.
 * Backward: {@code dx[n][c][h][w] = dy[n][c] / (H*W)}.
 */
public final class GlobalAvgPool extends Layer {

    private float[] out;
    private float[] dIn;
    private int lastBatch;

    public GlobalAvgPool(String name, Shape in) {
        super(name, in, Shape.flat(in.channels()));
    }

    @Override
    public String describe() {
        return "GlobalAvgPool";
    }

    @Override
    public float[] forward(Pass pass, float[] input, int batch) {
        checkInput(input, batch);
        int planes = batch * inputShape().channels();
        int p = inputShape().plane();
        out = ensure(out, planes);
        pass.compute().parallelRange(planes, 256, (start, end) -> {
            for (int q = start; q < end; q++) {
                double sum = 0;
                int off = q * p;
                for (int i = 0; i < p; i++) {
                    sum += input[off + i];
                }
                out[q] = (float) (sum / p);
            }
        });
        lastBatch = batch;
        return out;
    }

    @Override
    public float[] backward(Pass pass, float[] dOut, boolean needInputGrad) {
        checkGradient(dOut, lastBatch);
        if (!needInputGrad) {
            return null;
        }
        int planes = lastBatch * inputShape().channels();
        int p = inputShape().plane();
        dIn = ensure(dIn, (long) planes * p);
        pass.compute().parallelRange(planes, 256, (start, end) -> {
            for (int q = start; q < end; q++) {
                float g = (float) ((double) dOut[q] / p);
                java.util.Arrays.fill(dIn, q * p, (q + 1) * p, g);
            }
        });
        return dIn;
    }
}
