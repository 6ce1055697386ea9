package org.badfl.engine;

/**
 * {@code torch.flatten(x, 1)}: C x H x W becomes (C*H*W) x 1 x 1. NCHW storage is already flat, so forward returns
 * its input and backward its output gradient (no copy).
 */
public final class Flatten extends Layer {

    private int lastBatch;

    public Flatten(String name, Shape in) {
        super(name, in, Shape.flat(in.size()));
    }

    @Override
    public String describe() {
        return "Flatten";
    }

    @Override
    public float[] forward(Pass pass, float[] input, int batch) {
        checkInput(input, batch);
        lastBatch = batch;
        return input;
    }

    @Override
    public float[] backward(Pass pass, float[] dOut, boolean needInputGrad) {
        checkGradient(dOut, lastBatch);
        return needInputGrad ? dOut : null;
    }
}
