package org.badfl.engine;

/**
 * Rectified linear unit {@code y = max(x, 0)} (NaN propagates, as in PyTorch).
 * <p>Backward: {@code dx = dy} where {@code x > 0}, else 0 (PyTorch's {@code threshold_backward}).
 * In a {@link Pass#guided() guided} pass: {@code dx = dy} where {@code x > 0 && dy > 0}, else 0
 * (guided backpropagation, Springenberg et al., "Striving for simplicity", 2015, sec. 3.4).
 */
public final class ReLU extends Layer {


    private float[] out;
    private float[] dIn;
    private float[] lastIn;
    private int lastBatch;

    public ReLU(String name, Shape shape) {
        super(name, shape, shape);
    }

    @Override
    public String describe() {
        return "ReLU";
    }

    @Override
    public float[] forward(Pass pass, float[] input, int batch) {
        checkInput(input, batch);
        int n = batch * inputShape().size();
        out = ensure(out, n);
        pass.compute().parallelRange(n, ELEMENT_GRAIN, (start, end) -> forward(input, out, start, end));
        lastIn = input;
        lastBatch = batch;
        return out;
    }

    /** {@code out[i] = max(in[i], 0)} for i in [start, end). */
    public static void forward(float[] in, float[] out, int start, int end) {
        Loops.relu(in, out, start, end);
    }

    @Override
    public float[] backward(Pass pass, float[] dOut, boolean needInputGrad) {
        checkGradient(dOut, lastBatch);
        if (!needInputGrad) {
            return null;
        }
        int n = lastBatch * inputShape().size();
        dIn = ensure(dIn, n);
        boolean guided = pass.guided();
        float[] in = lastIn;
        pass.compute().parallelRange(n, ELEMENT_GRAIN, (start, end) -> backward(in, dOut, dIn, start, end, guided));
        return dIn;
    }

    /** Backward over [start, end): plain or guided (see the class comment). {@code in} is the forward input. */
    public static void backward(float[] in, float[] dOut, float[] dIn, int start, int end, boolean guided) {
        if (guided) {
            for (int i = start; i < end; i++) {
                float g = dOut[i];
                dIn[i] = in[i] > 0f && g > 0f ? g : 0f;
            }
        } else {
            Loops.reluBackward(in, dOut, dIn, start, end);
        }
    }
}
