package org.badfl.gpu.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.badfl.engine.Layer;
import org.badfl.engine.Model;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Network;
import org.badfl.engine.NonFiniteException;
import org.badfl.engine.ParamLayout;
import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceBuffer;

/**
 * A device-resident model: the device counterpart of {@link Network}, built from the same {@link ModelSpec} (layer
 * hyperparameters and parameter offsets are read from the engine layers), with ONE flat parameter buffer, ONE
 * gradient buffer (and the optimiser's velocity, {@link DeviceSgd}) on the device, addressed by the engine's
 * {@link ParamLayout} offsets. Nothing crosses to the host unless asked: {@link #params()}/{@link #grads()}
 * download, {@link #trainStep(DeviceBuffer, DeviceBuffer, int, DeviceSgd)} returns only the loss.
 *
 * <h2>Calls (as in {@link Network})</h2>
 * <ul>
 * <li>{@link #forward(float[], int, boolean)}: logits (batch x classes) as a new host array;
 *     {@link #forward(DeviceBuffer, int, boolean)} leaves them on the device. A training forward updates BatchNorm
 *     running statistics in the parameter buffer and advances {@link #dropoutStep()}.</li>
 * <li>{@link #backward(float[])}: overwrites the gradient buffer (0 at BatchNorm statistics, never written).</li>
 * <li>{@link #lossAndGradients}, {@link #trainStep} (mean softmax cross-entropy, backward, SGD step),
 *     {@link #loss}, {@link #predict}, {@link #saliency} (eval mode, plain or guided; touches neither parameters
 *     nor gradients).</li>
 * </ul>
 * Results agree with {@link Network} within float reassociation (the GEMMs accumulate in float, the engine in
 * double); dropout masks, max-pool winners, ReLU, SGD and pooling are bit-identical
 * ({@link TrainingChecks} measures both on every device).
 * <p>Workspaces (activations, im2col, gradients) are allocated for the largest batch seen and reused. Not
 * thread-safe; one instance per model. Closing frees all its device memory (not the device).
 */
public final class GpuNetwork implements Model, AutoCloseable {

    private final ModelSpec spec;
    private final ParamLayout layout;
    private final DeviceContext ctx;
    private final DeviceBuffer params;
    private final DeviceBuffer grads;
    private final List<DeviceLayer> layers;
    private final DeviceSoftmaxCrossEntropy loss;
    private final Workspace input;
    private final Workspace labelBuffer;
    private final Workspace dLogitsBuffer;
    private final int inputSize;
    private final int classes;

    private long dropoutSeed;
    private long dropoutStep;
    private int lastBatch;

    /** A model of {@code spec} on {@code device} with all parameters 0 (set them with {@link #setParams}). */
    public GpuNetwork(Device device, ModelSpec spec) {
        this(new DeviceContext(device), spec);
    }

    /**
     * A model of {@code spec} on the context's device (which it then owns and closes), all parameters 0.
     *
     * @throws IllegalArgumentException when a layer of the spec has no device implementation
     */
    public GpuNetwork(DeviceContext ctx, ModelSpec spec) {
        this.ctx = Objects.requireNonNull(ctx, "device context");
        this.spec = Objects.requireNonNull(spec, "model spec");
        Network blueprint = spec.build(); // its layers carry the hyperparameters and offsets
        this.layout = blueprint.layout();
        this.inputSize = blueprint.inputSize();
        this.classes = blueprint.classes();
        Device device = ctx.device();
        List<DeviceLayer> built = new ArrayList<>();
        DeviceBuffer p = null;
        DeviceBuffer g = null;
        try {
            p = device.allocFloats(Math.max(1, layout.size()));
            g = device.allocFloats(Math.max(1, layout.size()));
            device.memset32(p, 0);
            device.memset32(g, 0); // BatchNorm statistics' gradients stay 0, as in the engine
            for (Layer layer : blueprint.layers()) {
                built.add(DeviceLayer.of(ctx, layer, p, g));
            }
        } catch (RuntimeException e) {
            built.forEach(DeviceLayer::close);
            if (p != null) {
                p.close();
            }
            if (g != null) {
                g.close();
            }
            throw e;
        }
        this.params = p;
        this.grads = g;
        this.layers = Collections.unmodifiableList(built);
        this.loss = new DeviceSoftmaxCrossEntropy(ctx);
        this.input = ctx.workspace();
        this.labelBuffer = ctx.workspace();
        this.dLogitsBuffer = ctx.workspace();
    }

    /** A device copy of {@code network}: same spec, parameters and dropout stream. */
    public static GpuNetwork of(Device device, Network network) {
        GpuNetwork g = new GpuNetwork(device, network.spec());
        try {
            g.setParams(network.params());
            g.setDropoutStream(network.dropoutSeed(), network.dropoutStep());
            return g;
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------ description

    public ModelSpec spec() {
        return spec;
    }

    public ParamLayout layout() {
        return layout;
    }

    public Device device() {
        return ctx.device();
    }

    public DeviceContext context() {
        return ctx;
    }

    public int classes() {
        return classes;
    }

    /** Top-level device layers in execution order. */
    public List<DeviceLayer> layers() {
        return layers;
    }

    /** Runs the convolution and linear GEMMs on TF32 tensor cores (GPU, compute capability 8.0+ only) or in fp32. */
    public GpuNetwork setTf32(boolean on) {
        ctx.gemm().setTf32(on);
        return this;
    }

    public boolean tf32() {
        return ctx.gemm().tf32();
    }

    // ------------------------------------------------------------------ parameters

    /** The live flat parameter buffer on the device ({@link #layout()} order). */
    public DeviceBuffer paramsBuffer() {
        return params;
    }

    /** The live flat gradient buffer on the device. */
    public DeviceBuffer gradsBuffer() {
        return grads;
    }

    /** Uploads {@code source} (length = layout size) into the parameter buffer. */
    public void setParams(float[] source) {
        layout.checkLength("model " + name() + ": parameter vector", source);
        ctx.device().copyToDevice(source, 0, params, source.length);
    }

    /** Copies the first layout-size floats of a device buffer (e.g. the round's global model) into the parameters. */
    public void setParams(DeviceBuffer source) {
        Objects.requireNonNull(source, "parameters");
        if (source.floats() < layout.size()) {
            throw new IllegalArgumentException("model " + name() + ": device parameter buffer holds " + source.floats()
                + " floats, expected " + layout.size());
        }
        ctx.device().copy(source, params, 4L * layout.size());
    }

    /** Downloads the parameters (a new array). */
    public float[] params() {
        return ctx.device().downloadFloats(params, layout.size());
    }

    /** Downloads the gradients of the last backward (a new array). */
    public float[] grads() {
        return ctx.device().downloadFloats(grads, layout.size());
    }

    public long dropoutSeed() {
        return dropoutSeed;
    }

    public long dropoutStep() {
        return dropoutStep;
    }

    /** Sets the dropout mask stream and its step counter (as {@link Network#setDropoutStream}). */
    public void setDropoutStream(long seed, long step) {
        this.dropoutSeed = seed;
        this.dropoutStep = step;
    }

    // ------------------------------------------------------------------ forward / backward

    /** Forward pass from host images ({@code batch·inputSize()} floats exactly); returns the logits as a new array. */
    public float[] forward(float[] x, int batch, boolean training) {
        DeviceBuffer z = forward(upload(x, batch), batch, training);
        return ctx.device().downloadFloats(z, batch * classes);
    }

    /**
     * Forward pass from device images (at least {@code batch·inputSize()} floats, not modified, referenced until the
     * next forward); returns the device logits (batch x classes), overwritten by the next forward.
     */
    public DeviceBuffer forward(DeviceBuffer x, int batch, boolean training) {
        checkBatch(batch);
        Objects.requireNonNull(x, "input");
        if (x.floats() < (long) batch * inputSize) {
            throw new IllegalArgumentException("model " + name() + ": device input holds " + x.floats() + " floats, expected "
                + ((long) batch * inputSize) + " (batch " + batch + " x " + inputShape() + ")");
        }
        DevicePass pass = new DevicePass(training, true, false, dropoutSeed, dropoutStep);
        lastBatch = 0;
        DeviceBuffer a = x;
        for (DeviceLayer layer : layers) {
            a = layer.forward(pass, a, batch);
        }
        if (training) {
            dropoutStep++;
        }
        lastBatch = batch;
        return a;
    }

    /** Back-propagates host {@code dLogits} (batch x classes of the last forward); overwrites the gradients. */
    public void backward(float[] dLogits) {
        backward(dLogits, null);
    }

    /** As {@link #backward(float[])}, also writing d objective / d input into {@code dInput} when not null. */
    public void backward(float[] dLogits, float[] dInput) {
        Objects.requireNonNull(dLogits, "dLogits");
        checkBackward();
        if (dLogits.length != lastBatch * classes) {
            throw new IllegalArgumentException("model " + name() + ": dLogits has " + dLogits.length + " values, expected "
                + (lastBatch * classes) + " (batch " + lastBatch + " x " + classes + " classes)");
        }
        DeviceBuffer d = dLogitsBuffer.floats(dLogits.length);
        ctx.device().copyToDevice(dLogits, 0, d, dLogits.length);
        propagate(new DevicePass(false, true, false, dropoutSeed, dropoutStep), d, dInput);
    }

    private void propagate(DevicePass pass, DeviceBuffer dLogits, float[] dInput) {
        if (dInput != null && dInput.length < (long) lastBatch * inputSize) {
            throw new IllegalArgumentException("model " + name() + ": input-gradient array has " + dInput.length
                + " values, expected at least " + ((long) lastBatch * inputSize));
        }
        DeviceBuffer g = dLogits;
        for (int i = layers.size() - 1; i >= 0; i--) {
            g = layers.get(i).backward(pass, g, i > 0 || dInput != null);
        }
        if (dInput != null) {
            ctx.device().copyToHost(g, dInput, 0, lastBatch * inputSize);
        }
    }

    // ------------------------------------------------------------------ training and inference

    /** Train-mode forward, mean softmax cross-entropy, backward (gradients on the device); returns the loss. */
    public double lossAndGradients(float[] x, int[] labels, int batch) {
        return lossAndGradients(upload(x, batch), uploadLabels(labels, batch), batch);
    }

    /**
     * As {@link #lossAndGradients(float[], int[], int)} from device images and device labels (batch ints, each in
     * [0, classes); not checked on the device). Throws {@link NonFiniteException} if the loss is NaN or infinite.
     */
    public double lossAndGradients(DeviceBuffer x, DeviceBuffer labels, int batch) {
        DeviceBuffer z = forward(x, batch, true);
        DeviceBuffer d = dLogitsBuffer.floats((long) batch * classes);
        double value = loss.lossAndGradient(z, labels, batch, classes, d);
        if (!Double.isFinite(value)) {
            throw new NonFiniteException(diagnoseNonFinite(value, batch));
        }
        propagate(new DevicePass(false, true, false, dropoutSeed, dropoutStep), d, null);
        return value;
    }

    /** One SGD step on a host batch; returns the loss before the step. */
    public double trainStep(float[] x, int[] labels, int batch, DeviceSgd sgd) {
        Objects.requireNonNull(sgd, "sgd");
        double value = lossAndGradients(x, labels, batch);
        sgd.step(this);
        return value;
    }

    /** One SGD step on a device batch (images and labels already on the device); returns the loss before the step. */
    public double trainStep(DeviceBuffer x, DeviceBuffer labels, int batch, DeviceSgd sgd) {
        Objects.requireNonNull(sgd, "sgd");
        double value = lossAndGradients(x, labels, batch);
        sgd.step(this);
        return value;
    }

    /**
     * Queues one SGD step on a device batch without waiting for the device: the loss stays on the device
     * ({@link #lastLoss()} fetches it) and a non-finite loss is not detected here. For throughput loops (benchmarks,
     * many local steps) that look at the loss now and then; results are those of {@link #trainStep}.
     */
    public void trainStepQueued(DeviceBuffer x, DeviceBuffer labels, int batch, DeviceSgd sgd) {
        Objects.requireNonNull(sgd, "sgd");
        DeviceBuffer z = forward(x, batch, true);
        DeviceBuffer d = dLogitsBuffer.floats((long) batch * classes);
        loss.launch(z, labels, batch, classes, d);
        propagate(new DevicePass(false, true, false, dropoutSeed, dropoutStep), d, null);
        sgd.step(this);
    }

    /** The mean loss of the last training or loss computation (waits for the device); NaN before any. */
    public double lastLoss() {
        return loss.lastLoss();
    }

    /** Mean softmax cross-entropy of an eval-mode forward (no gradients, no state change). */
    public double loss(float[] x, int[] labels, int batch) {
        DeviceBuffer lb = uploadLabels(labels, batch);
        DeviceBuffer z = forward(upload(x, batch), batch, false);
        return loss.lossAndGradient(z, lb, batch, classes, null);
    }

    /** Eval-mode forward; writes the arg-max class of each image (first maximum on ties) into {@code out[0..batch)}. */
    public void predict(float[] x, int batch, int[] out) {
        Objects.requireNonNull(out, "predictions");
        if (out.length < batch) {
            throw new IllegalArgumentException("model " + name() + ": predictions array has " + out.length
                + " entries, expected at least " + batch);
        }
        float[] z = forward(x, batch, false);
        for (int b = 0; b < batch; b++) {
            int best = 0;
            float max = z[b * classes];
            for (int j = 1; j < classes; j++) {
                if (z[b * classes + j] > max) {
                    max = z[b * classes + j];
                    best = j;
                }
            }
            out[b] = best;
        }
    }

    /** Saliency maps d logit_c / d x (eval mode), plain or guided, as {@link Network#saliency(float[], int, int, boolean)}. */
    public float[] saliency(float[] x, int batch, int classIndex, boolean guided) {
        int[] targets = new int[Math.max(0, batch)];
        java.util.Arrays.fill(targets, classIndex);
        float[] out = new float[Math.multiplyExact(Math.max(0, batch), inputSize)];
        saliency(x, batch, targets, guided, out);
        return out;
    }

    /** One target class per image; writes {@code batch·inputSize()} values into {@code out}. */
    public void saliency(float[] x, int batch, int[] classIndices, boolean guided, float[] out) {
        checkBatch(batch);
        Objects.requireNonNull(classIndices, "class indices");
        Objects.requireNonNull(out, "saliency output");
        if (classIndices.length < batch) {
            throw new IllegalArgumentException("model " + name() + ": " + classIndices.length
                + " saliency class indices for a batch of " + batch);
        }
        float[] dLogits = new float[batch * classes];
        for (int b = 0; b < batch; b++) {
            if (classIndices[b] < 0 || classIndices[b] >= classes) {
                throw new IllegalArgumentException("model " + name() + ": saliency class index " + classIndices[b]
                    + " for image " + b + ", expected one in [0, " + classes + ")");
            }
            dLogits[b * classes + classIndices[b]] = 1f;
        }
        if (out.length < (long) batch * inputSize) {
            throw new IllegalArgumentException("model " + name() + ": saliency output has " + out.length
                + " values, expected at least " + ((long) batch * inputSize));
        }
        forward(upload(x, batch), batch, false);
        DeviceBuffer d = dLogitsBuffer.floats(dLogits.length);
        ctx.device().copyToDevice(dLogits, 0, d, dLogits.length);
        propagate(new DevicePass(false, false, guided, dropoutSeed, dropoutStep), d, out);
    }

    // ------------------------------------------------------------------ helpers

    private DeviceBuffer upload(float[] x, int batch) {
        checkBatch(batch);
        Objects.requireNonNull(x, "input");
        long values = (long) batch * inputSize;
        if (x.length < values) {
            throw new IllegalArgumentException("model " + name() + ": input has " + x.length + " values, expected at "
                + "least " + values + " (batch " + batch + " x " + inputShape() + ")");
        }
        DeviceBuffer b = input.floats(values);
        ctx.device().copyToDevice(x, 0, b, (int) values); // a short batch in a larger buffer: only its images
        return b;
    }

    private DeviceBuffer uploadLabels(int[] labels, int batch) {
        checkBatch(batch);
        Objects.requireNonNull(labels, "labels");
        if (labels.length < batch) {
            throw new IllegalArgumentException("model " + name() + ": " + labels.length + " labels for a batch of " + batch);
        }
        for (int b = 0; b < batch; b++) {
            if (labels[b] < 0 || labels[b] >= classes) {
                throw new IllegalArgumentException("model " + name() + ": label " + labels[b] + " of image " + b
                    + ", expected a class in [0, " + classes + ")");
            }
        }
        DeviceBuffer b = labelBuffer.ints(batch);
        ctx.device().copyToDevice(labels, 0, b, batch);
        return b;
    }

    private void checkBatch(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("model " + name() + ": batch must be >= 1, got " + batch);
        }
    }

    private void checkBackward() {
        if (lastBatch == 0) {
            throw new IllegalStateException("model " + name() + ": backward called before forward");
        }
    }

    /** Names the first non-finite parameter, else says the activations diverged. */
    private String diagnoseNonFinite(double value, int batch) {
        String head = "model " + name() + " on " + ctx.device().name() + ": loss is " + value + " at training step "
            + (dropoutStep - 1) + " (batch " + batch + "); ";
        float[] p = params();
        for (ParamLayout.Entry e : layout.entries()) {
            for (int i = e.offset(); i < e.end(); i++) {
                if (!Float.isFinite(p[i])) {
                    return head + "parameter " + e.name() + "[" + (i - e.offset()) + "] is " + p[i];
                }
            }
        }
        return head + "the parameters are finite: the input holds non-finite values or training diverged "
            + "(learning rate too high?)";
    }

    /** Frees every device buffer of this model and its context's workspaces. */
    @Override
    public void close() {
        layers.forEach(DeviceLayer::close);
        loss.close();
        input.close();
        labelBuffer.close();
        dLogitsBuffer.close();
        params.close();
        grads.close();
        ctx.close();
    }
}
