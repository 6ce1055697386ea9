package org.badfl.engine;

import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.badfl.util.Seeds;

/**
 * One layer of a {@link Network}: a forward map from an NCHW batch of {@link #inputShape()} to an NCHW batch of
 * {@link #outputShape()}, and its backward (vector-Jacobian product).
 * <p>Contract of the compute methods (the CPU specification the CUDA kernels follow):
 * <ul>
 * <li>{@link #forward} reads {@code batch * inputShape().size()} values of {@code in} (not modified) and returns
 *     the output, in a buffer owned by the layer (or {@code in} itself for shape-only layers such as
 *     {@link Flatten}). The returned buffer may be longer than {@code batch * outputShape().size()}; only that
 *     prefix is meaningful. It is overwritten by the next forward. The layer keeps a reference to {@code in}
 *     for the backward, so {@code in} must stay unchanged until then.</li>
 * <li>{@link #backward} takes the gradient of the objective with respect to the last forward's output
 *     ({@code dOut}, not modified), writes (overwrites, never accumulates) this layer's slices of the
 *     gradient buffer when {@link Pass#paramGrads()}, and returns the gradient with respect to {@code in}
 *     (in a layer-owned buffer) when {@code needInputGrad}, else {@code null}.</li>
 * </ul>
 * Parameters live in the model's flat buffer: {@link #declare} appends this layer's named slices to the layout
 * (PyTorch state_dict names), {@link #bind} hands over the model's parameter and gradient buffers.
 * Workspaces grow to the largest batch seen and are then reused, so training allocates nothing per step.
 * <p>A layer instance belongs to one network and is not thread-safe; parallelism comes from {@link Pass#compute()}.
 */
public abstract class Layer {

    /** Elementwise loops are cut into chunks of this many values (fixed, so the split never depends on threads). */
    static final int ELEMENT_GRAIN = 1 << 14;

    private final String name;
    private final Shape in;
    private final Shape out;
    /** The model's flat parameter buffer (after {@link #bind}). */
    protected float[] params;
    /** The model's flat gradient buffer, parallel to {@link #params}. */
    protected float[] grads;

    protected Layer(String name, Shape in, Shape out) {
        this.name = Objects.requireNonNull(name, "name");
        this.in = Objects.requireNonNull(in, "input shape");
        this.out = Objects.requireNonNull(out, "output shape");
    }

    /** Name of the layer; parameter names are this name plus ".weight", ".bias", ... (as in PyTorch). */
    public final String name() {
        return name;
    }

    /** Shape of one input image. */
    public final Shape inputShape() {
        return in;
    }

    /** Shape of one output image. */
    public final Shape outputShape() {
        return out;
    }

    /** Human-readable type and hyperparameters, e.g. {@code Conv2d(1, 32, k=3, s=1, p=0)}. */
    public abstract String describe();

    /** Multiply-accumulates of one forward pass for one image (convolutions and linear layers; 0 for others). */
    public long macsPerImage() {
        return 0;
    }

    /** Sub-layers of a composite layer (e.g. {@link BasicBlock}), in execution order; empty otherwise. */
    public List<Layer> children() {
        return List.of();
    }

    /** Appends this layer's parameter slices to {@code layout} (none by default). */
    protected void declare(ParamLayout.Builder layout) {
        for (Layer child : children()) {
            child.declare(layout);
        }
    }

    /** Points this layer (and its children) at the model's parameter and gradient buffers. */
    protected void bind(float[] params, float[] grads) {
        this.params = params;
        this.grads = grads;
        for (Layer child : children()) {
            child.bind(params, grads);
        }
    }

    /**
     * Writes PyTorch's default initial values into this layer's slices; the random ones flow from
     * {@code seed} via {@link #initRandom(long, String)} (one stream per parameter name, so adding a layer does
     * not change the others).
     */
    protected void initialise(long seed) {
        for (Layer child : children()) {
            child.initialise(seed);
        }
    }

    /** Forward pass, see the class comment. */
    public abstract float[] forward(Pass pass, float[] in, int batch);

    /** Backward pass of the last forward, see the class comment. */
    public abstract float[] backward(Pass pass, float[] dOut, boolean needInputGrad);

    /** The random stream that initialises the parameter named {@code parameterName}. */
    protected static SplittableRandom initRandom(long seed, String parameterName) {
        return new SplittableRandom(Seeds.derive(seed, "init:" + parameterName));
    }

    /**
     * PyTorch's default for conv/linear weights (kaiming_uniform_ with a = sqrt(5)) and biases: both are
     * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (torch/nn/modules/conv.py, linear.py {@code reset_parameters}).
     */
    protected static void fillUniform(float[] buffer, int offset, int length, int fanIn, SplittableRandom rng) {
        double bound = 1.0 / Math.sqrt(fanIn);
        for (int i = 0; i < length; i++) {
            buffer[offset + i] = (float) ((rng.nextDouble() * 2.0 - 1.0) * bound);
        }
    }

    /** {@code buffer} if it holds at least {@code needed} values, else a new buffer of that size. */
    protected static float[] ensure(float[] buffer, long needed) {
        if (needed > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("workspace of " + needed + " floats exceeds the Java array limit");
        }
        return buffer != null && buffer.length >= needed ? buffer : new float[(int) needed];
    }

    /** Checks the forward input (internal consistency of the network, or direct callers). */
    protected final void checkInput(float[] input, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("layer " + name + ": batch must be >= 1, got " + batch);
        }
        long needed = (long) batch * in.size();
        if (input == null || input.length < needed) {
            throw new IllegalArgumentException("layer " + name + ": input of batch " + batch + " x " + in
                + " needs " + needed + " values, found " + (input == null ? "null" : input.length));
        }
    }

    /** Checks the backward input against the last forward. */
    protected final void checkGradient(float[] dOut, int batch) {
        if (batch < 1) {
            throw new IllegalStateException("layer " + name + ": backward called before forward");
        }
        long needed = (long) batch * out.size();
        if (dOut == null || dOut.length < needed) {
            throw new IllegalArgumentException("layer " + name + ": output gradient of batch " + batch + " x " + out
                + " needs " + needed + " values, found " + (dOut == null ? "null" : dOut.length));
        }
    }

    @Override
    public String toString() {
        return name + ": " + describe() + " -> " + out;
    }
}
