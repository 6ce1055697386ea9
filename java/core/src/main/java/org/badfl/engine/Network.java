package org.badfl.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.badfl.util.Seeds;

/**
 * A feed-forward model on one flat parameter buffer: the object every FL client trains, every defense
 * inspects and the GPU backend mirrors.
 *
 * <h2>Buffers</h2>
 * {@link #params()} is the live flat parameter buffer described by {@link #layout()} (PyTorch state_dict names
 * and order; BatchNorm running statistics included as kinds {@code BN_RUNNING_*}); {@link #grads()} is the
 * parallel gradient buffer (always 0 at running-statistic slices; allocated on first use). Both arrays keep
 * their identity for the life of the network.
 *
 * <h2>Tensors</h2>
 * An input batch is NCHW {@code float[]} whose first {@code batch * inputShape().size()} values are the images;
 * the array may be longer (a sampler's buffer holding a short last batch), values past the batch are ignored.
 * Labels likewise: the first {@code batch} entries. Logits are row-major {@code batch x classes()}.
 *
 * <h2>Calls</h2>
 * <ul>
 * <li>{@link #forward(float[], int, boolean)} returns the logits in an internal array that the next forward
 *     (or {@link #predict}, {@link #loss}, {@link #saliency}, {@link #trainStep}) overwrites; copy what you keep.
 *     The input array is referenced, not copied: do not modify it before the matching backward.</li>
 * <li>{@link #backward(float[])} back-propagates d(objective)/d(logits) of the last forward and overwrites
 *     {@link #grads()} (it does not accumulate).</li>
 * <li>{@link #trainStep} = train-mode forward, mean softmax cross-entropy, backward, {@link Sgd#step}.</li>
 * <li>{@link #saliency} = eval-mode forward and d logit_c / d input, plain or guided; it touches neither
 *     the parameters nor the gradients.</li>
 * </ul>
 * Training-mode forwards update BatchNorm running statistics in {@link #params()} and draw dropout masks from
 * ({@link #dropoutSeed()}, {@link #dropoutStep()}); the step advances by one per training forward.
 * <p>Workspaces (activations, im2col, gradients) are allocated for the largest batch seen and reused, so a
 * training loop allocates nothing per step. Memory grows with that batch; use {@link ModelSpec#build()} again
 * (or {@link #copy()}) to start small.
 * <p>Threads: an instance is not thread-safe, but instances share no mutable state, so different threads may
 * use different instances (e.g. from {@link #copy()}). Within one call, work is spread over {@link #compute()}
 * (default {@link Compute#serial()}); results are bit-identical for any thread count.
 * Errors: wrong lengths, labels or classes give {@link IllegalArgumentException} naming the model and the
 * expected and found values; a NaN/infinite loss gives {@link NonFiniteException}.
 */
public final class Network implements Model {

    private final ModelSpec spec;
    private final List<Layer> layers;
    private final ParamLayout layout;
    private final float[] params;
    /** Allocated on first use: networks only inspected (saliency, prediction) never need it. */
    private float[] grads;
    private final int inputSize;
    private final int classes;
    private final float[][] lastOutputs;

    private Compute compute = Compute.serial();
    private long dropoutSeed;
    private long dropoutStep;
    private int lastBatch;
    private float[] lastInput;
    private float[] logits = new float[0];
    private float[] dLogits = new float[0];
    private float[] staged;

    Network(ModelSpec spec, List<Layer> layers) {
        this.spec = spec;
        this.layers = Collections.unmodifiableList(new ArrayList<>(layers));
        ParamLayout.Builder builder = ParamLayout.builder();
        for (Layer layer : layers) {
            layer.declare(builder);
        }
        this.layout = builder.build();
        this.params = new float[layout.size()];
        for (Layer layer : layers) {
            layer.bind(params, null);
        }
        this.inputSize = spec.inputShape().size();
        this.classes = layers.get(layers.size() - 1).outputShape().size();
        this.lastOutputs = new float[layers.size()][];
    }

    /** Starts describing a network for images of shape {@code input}. */
    public static Builder builder(String name, Shape input) {
        return new Builder(name, input);
    }

    // ------------------------------------------------------------------ description

    /** The blueprint this network was built from (creates more instances of the same architecture). */
    public ModelSpec spec() {
        return spec;
    }

    /** Outputs (logits) per image. */
    public int classes() {
        return classes;
    }

    public ParamLayout layout() {
        return layout;
    }

    /** Top-level layers in execution order (composite layers list theirs in {@link Layer#children()}). */
    public List<Layer> layers() {
        return layers;
    }

    /** Multiply-accumulates of one forward pass for one image. */
    public long macsPerImage() {
        long macs = 0;
        for (Layer layer : layers) {
            macs += layer.macsPerImage();
        }
        return macs;
    }

    // ------------------------------------------------------------------ parameters

    /** The live flat parameter buffer (modifications take effect immediately). */
    public float[] params() {
        return params;
    }

    /**
     * The live flat gradient buffer, written by {@link #backward} (allocated, all 0, on the first call or
     * backward; a network used only for inference or saliency never allocates it).
     */
    public float[] grads() {
        if (grads == null) {
            grads = new float[layout.size()];
            for (Layer layer : layers) {
                layer.bind(params, grads);
            }
        }
        return grads;
    }

    /** Copies {@code source} (not modified) into the parameter buffer; its length must equal the layout size. */
    public void setParams(float[] source) {
        Objects.requireNonNull(source, "parameters");
        if (source.length != params.length) {
            throw new IllegalArgumentException("model " + name() + ": parameter vector has " + source.length
                + " values, expected " + params.length + " (" + layout + ")");
        }
        System.arraycopy(source, 0, params, 0, params.length);
    }

    /**
     * PyTorch's default initialisation from {@code seed}: conv/linear weights and biases
     * U(±1/sqrt(fan_in)) (kaiming_uniform_ with a = sqrt(5)), BatchNorm weight 1, bias 0, running mean 0,
     * running var 1. Each parameter tensor has its own stream {@code Seeds.derive(seed, "init:" + name)}.
     * Also sets the dropout stream to ({@code Seeds.derive(seed, "dropout")}, step 0).
     */
    public void initialise(long seed) {
        for (Layer layer : layers) {
            layer.initialise(seed);
        }
        setDropoutStream(Seeds.derive(seed, "dropout"), 0);
    }

    /** An independent network with the same architecture, a copy of the parameters and the same dropout stream and compute. */
    public Network copy() {
        Network copy = spec.withParams(params);
        copy.compute = compute;
        copy.dropoutSeed = dropoutSeed;
        copy.dropoutStep = dropoutStep;
        return copy;
    }

    // ------------------------------------------------------------------ configuration

    public Compute compute() {
        return compute;
    }

    /** Threads for this network's work (not owned: the caller closes it). Returns this. */
    public Network setCompute(Compute compute) {
        this.compute = Objects.requireNonNull(compute, "compute");
        return this;
    }

    public long dropoutSeed() {
        return dropoutSeed;
    }

    /** Step counter the next training forward will use for its dropout masks. */
    public long dropoutStep() {
        return dropoutStep;
    }

    /** Sets the dropout mask stream (e.g. {@code Seeds.derive(master, "client", round, id)}) and its step counter. */
    public void setDropoutStream(long seed, long step) {
        this.dropoutSeed = seed;
        this.dropoutStep = step;
    }

    // ------------------------------------------------------------------ forward / backward

    /**
     * Forward pass. {@code x} holds at least {@code batch * inputSize()} values, the batch's images first (not
     * modified, referenced until the next forward; values past the batch are ignored, so a short last batch is
     * passed in its full-size buffer). Returns logits {@code batch x classes()} in an internal array overwritten
     * by the next call.
     * A training forward updates BatchNorm running statistics and advances {@link #dropoutStep()}.
     */
    public float[] forward(float[] x, int batch, boolean training) {
        checkBatch(batch);
        Objects.requireNonNull(x, "input");
        if (x.length < (long) batch * inputSize) {
            throw new IllegalArgumentException("model " + name() + ": input has " + x.length + " values, expected at "
                + "least " + ((long) batch * inputSize) + " (batch " + batch + " x " + inputShape() + ")");
        }
        return run(x, batch, training);
    }

    /**
     * Forward pass on images {@code [offset/inputSize(), ...)} of a larger array: the {@code batch * inputSize()}
     * values from {@code offset} are copied into an internal buffer first. Otherwise as {@link #forward(float[], int, boolean)}.
     */
    public float[] forward(float[] x, int offset, int batch, boolean training) {
        checkBatch(batch);
        Objects.requireNonNull(x, "input");
        long needed = (long) batch * inputSize;
        if (offset < 0 || offset + needed > x.length) {
            throw new IllegalArgumentException("model " + name() + ": input range [" + offset + ", " + (offset + needed)
                + ") for batch " + batch + " x " + inputShape() + " does not fit an array of " + x.length + " values");
        }
        staged = Layer.ensure(staged, needed);
        System.arraycopy(x, offset, staged, 0, (int) needed);
        return run(staged, batch, training);
    }

    private float[] run(float[] x, int batch, boolean training) {
        Pass pass = new Pass(compute, training, true, false, dropoutSeed, dropoutStep);
        lastBatch = 0;
        float[] a = x;
        for (int i = 0; i < layers.size(); i++) {
            a = layers.get(i).forward(pass, a, batch);
            lastOutputs[i] = a;
        }
        if (training) {
            dropoutStep++;
        }
        int n = batch * classes;
        if (logits.length != n) {
            logits = new float[n];
        }
        System.arraycopy(a, 0, logits, 0, n);
        lastInput = x;
        lastBatch = batch;
        return logits;
    }

    /**
     * Back-propagates {@code dLogits} (d objective / d logits of the last forward, {@code batch x classes()}, not
     * modified) and overwrites {@link #grads()}.
     */
    public void backward(float[] dLogits) {
        backward(dLogits, null);
    }

    /**
     * As {@link #backward(float[])}, and also writes d objective / d input ({@code batch * inputSize()} values)
     * into {@code dInput} when it is not null.
     */
    public void backward(float[] dLogits, float[] dInput) {
        propagate(new Pass(compute, false, true, false, dropoutSeed, dropoutStep), dLogits, dInput);
    }

    private void propagate(Pass pass, float[] dLogits, float[] dInput) {
        if (lastBatch == 0) {
            throw new IllegalStateException("model " + name() + ": backward called before forward");
        }
        Objects.requireNonNull(dLogits, "dLogits");
        if (dLogits.length != lastBatch * classes) {
            throw new IllegalArgumentException("model " + name() + ": dLogits has " + dLogits.length + " values, expected "
                + (lastBatch * classes) + " (batch " + lastBatch + " x " + classes + " classes)");
        }
        if (dInput != null && dInput.length < (long) lastBatch * inputSize) {
            throw new IllegalArgumentException("model " + name() + ": input-gradient array has " + dInput.length
                + " values, expected at least " + ((long) lastBatch * inputSize));
        }
        if (pass.paramGrads()) {
            grads();
        }
        float[] g = dLogits;
        for (int i = layers.size() - 1; i >= 0; i--) {
            g = layers.get(i).backward(pass, g, i > 0 || dInput != null);
        }
        if (dInput != null) {
            System.arraycopy(g, 0, dInput, 0, lastBatch * inputSize);
        }
    }

    // ------------------------------------------------------------------ training and inference

    /**
     * Train-mode forward, mean softmax cross-entropy and backward: leaves the gradient of the mean loss in
     * {@link #grads()} and returns the loss. {@code x} at least {@code batch * inputSize()} values, {@code labels}
     * at least {@code batch} class indices (the first {@code batch} images and labels are the batch). Throws {@link NonFiniteException} if the loss is NaN or infinite.
     */
    public double lossAndGradients(float[] x, int[] labels, int batch) {
        checkLabels(labels, batch);
        float[] z = forward(x, batch, true);
        int n = batch * classes;
        if (dLogits.length != n) {
            dLogits = new float[n];
        }
        double loss = SoftmaxCrossEntropy.lossAndGradient(z, labels, batch, classes, dLogits);
        if (!Double.isFinite(loss)) {
            throw new NonFiniteException(diagnoseNonFinite(loss, batch));
        }
        backward(dLogits);
        return loss;
    }

    /** One SGD step on a batch ({@link #lossAndGradients} then {@link Sgd#step(Network)}); returns the loss before the step. */
    public double trainStep(float[] x, int[] labels, int batch, Sgd sgd) {
        Objects.requireNonNull(sgd, "sgd");
        double loss = lossAndGradients(x, labels, batch);
        sgd.step(this);
        return loss;
    }

    /** Mean softmax cross-entropy of an eval-mode forward (no gradients, no state change). */
    public double loss(float[] x, int[] labels, int batch) {
        checkLabels(labels, batch);
        float[] z = forward(x, batch, false);
        return SoftmaxCrossEntropy.lossAndGradient(z, labels, batch, classes, null);
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
                float v = z[b * classes + j];
                if (v > max) {
                    max = v;
                    best = j;
                }
            }
            out[b] = best;
        }
    }

    /**
     * Saliency maps d logit_c / d x for every image (eval mode: BatchNorm uses running statistics, dropout is
     * off). Guided: every ReLU, including those after residual adds, passes gradient only where its forward input
     * is &gt; 0 and the upstream gradient is &gt; 0 (Springenberg et al. 2015); otherwise the plain gradient.
     * Neither {@link #params()} nor {@link #grads()} is modified.
     *
     * @return a new array of {@code batch * inputSize()} values (NCHW, like {@code x})
     */
    public float[] saliency(float[] x, int batch, int classIndex, boolean guided) {
        int[] targets = new int[batch];
        java.util.Arrays.fill(targets, classIndex);
        float[] out = new float[Math.multiplyExact(batch, inputSize)];
        saliency(x, batch, targets, guided, out);
        return out;
    }

    /**
     * As {@link #saliency(float[], int, int, boolean)} with one target class per image ({@code classIndices[b]}),
     * writing into {@code out} (at least {@code batch * inputSize()} values).
     */
    public void saliency(float[] x, int batch, int[] classIndices, boolean guided, float[] out) {
        checkBatch(batch);
        Objects.requireNonNull(classIndices, "class indices");
        if (classIndices.length < batch) {
            throw new IllegalArgumentException("model " + name() + ": " + classIndices.length
                + " saliency class indices for a batch of " + batch);
        }
        for (int b = 0; b < batch; b++) {
            if (classIndices[b] < 0 || classIndices[b] >= classes) {
                throw new IllegalArgumentException("model " + name() + ": saliency class index " + classIndices[b]
                    + " for image " + b + ", expected one in [0, " + classes + ")");
            }
        }
        Objects.requireNonNull(out, "saliency output");
        if (out.length < (long) batch * inputSize) {
            throw new IllegalArgumentException("model " + name() + ": saliency output has " + out.length
                + " values, expected at least " + ((long) batch * inputSize));
        }
        forward(x, batch, false);
        int n = batch * classes;
        if (dLogits.length != n) {
            dLogits = new float[n];
        }
        java.util.Arrays.fill(dLogits, 0f);
        for (int b = 0; b < batch; b++) {
            dLogits[b * classes + classIndices[b]] = 1f;
        }
        propagate(new Pass(compute, false, false, guided, dropoutSeed, dropoutStep), dLogits, out);
    }

    /**
     * Saliency maps of every class on the same images: {@code out[c]} = {@link #saliency(float[], int, int,
     * boolean) saliency(x, batch, c, guided)}, bit-identical, but with one eval-mode forward shared by all classes
     * (the backward passes read the forward's activations and never write them), so a model's inspection costs
     * one forward and {@code classes()} backwards instead of {@code classes()} of each.
     *
     * @param x      images, at least {@code batch * inputSize()} values (NCHW; not modified)
     * @param batch  number of images, &ge; 1
     * @param guided guided backprop (true) or the plain gradient
     * @return {@code classes()} new arrays of {@code batch * inputSize()} values
     */
    public float[][] saliencyPerClass(float[] x, int batch, boolean guided) {
        checkBatch(batch);
        forward(x, batch, false);
        int n = batch * classes;
        if (dLogits.length != n) {
            dLogits = new float[n];
        }
        float[][] out = new float[classes][];
        Pass pass = new Pass(compute, false, false, guided, dropoutSeed, dropoutStep);
        for (int c = 0; c < classes; c++) {
            java.util.Arrays.fill(dLogits, 0f);
            for (int b = 0; b < batch; b++) {
                dLogits[b * classes + c] = 1f;
            }
            out[c] = new float[Math.multiplyExact(batch, inputSize)];
            propagate(pass, dLogits, out[c]);
        }
        return out;
    }

    // ------------------------------------------------------------------ checks and diagnosis

    private void checkBatch(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("model " + name() + ": batch must be >= 1, got " + batch);
        }
    }

    private void checkLabels(int[] labels, int batch) {
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
    }

    /** Names the first non-finite value along the last forward: input, parameters, then layer outputs. */
    private String diagnoseNonFinite(double loss, int batch) {
        String head = "model " + name() + ": loss is " + loss + " at training step " + (dropoutStep - 1)
            + " (batch " + batch + "); ";
        int bad = firstNonFinite(lastInput, batch * inputSize);
        if (bad >= 0) {
            return head + "input value " + lastInput[bad] + " in image " + (bad / inputSize) + " at index "
                + (bad % inputSize);
        }
        for (ParamLayout.Entry e : layout.entries()) {
            for (int i = e.offset(); i < e.end(); i++) {
                if (!Float.isFinite(params[i])) {
                    return head + "parameter " + e.name() + "[" + (i - e.offset()) + "] is " + params[i];
                }
            }
        }
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            bad = firstNonFinite(lastOutputs[i], batch * layer.outputShape().size());
            if (bad >= 0) {
                return head + "first non-finite activation " + lastOutputs[i][bad] + " in the output of layer "
                    + layer.name() + " (" + layer.describe() + "), image " + (bad / layer.outputShape().size())
                    + "; the parameters are finite, so training diverged (learning rate too high?)";
            }
        }
        return head + "all activations finite: the logits are too large for the loss";
    }

    private static int firstNonFinite(float[] values, int n) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(values[i])) {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ summary

    /** Number of parameters in the slices whose names start with {@code layer.name() + "."}. */
    public int parameterCount(Layer layer) {
        String prefix = layer.name() + ".";
        int n = 0;
        for (ParamLayout.Entry e : layout.entries()) {
            if (e.name().startsWith(prefix) && e.kind().trainable()) {
                n += e.length();
            }
        }
        return n;
    }

    /**
     * The layer table: name, type, output shape, trainable parameters, forward MACs per image (composite layers
     * followed by their children, indented), then the totals.
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s: input %s, %d classes%n", name(), inputShape(), classes));
        sb.append(String.format(Locale.ROOT, "  %-24s %-42s %-12s %12s %14s%n", "layer", "type", "output", "params", "MACs"));
        for (Layer layer : layers) {
            appendRow(sb, layer, "");
            for (Layer child : layer.children()) {
                appendRow(sb, child, "  ");
            }
        }
        sb.append(String.format(Locale.ROOT, "  trainable parameters %,d; total %,d (incl. %,d BatchNorm running statistics);"
                + " forward %,d MACs per image%n", layout.trainableSize(), layout.size(),
            layout.size() - layout.trainableSize(), macsPerImage()));
        return sb.toString();
    }

    private void appendRow(StringBuilder sb, Layer layer, String indent) {
        sb.append(String.format(Locale.ROOT, "  %-24s %-42s %-12s %,12d %,14d%n", indent + layer.name(), layer.describe(),
            layer.outputShape(), parameterCount(layer), layer.macsPerImage()));
    }

    @Override
    public String toString() {
        return "Network[" + name() + ", input " + inputShape() + ", " + classes + " classes, " + layout + "]";
    }

    // ------------------------------------------------------------------ builder

    /**
     * Describes a sequential network layer by layer; each call checks that the layer fits the current shape
     * (errors name the model and layer). Parameterless layers get automatic names (relu1, pool1, dropout1, ...).
     */
    public static final class Builder {
        private final String name;
        private final Shape input;
        private final List<Function<Shape, Layer>> factories = new ArrayList<>();
        private final Map<String, Integer> counters = new HashMap<>();
        private final java.util.Set<String> names = new java.util.HashSet<>();
        private Shape current;
        private int dropouts;

        Builder(String name, Shape input) {
            this.name = Objects.requireNonNull(name, "name");
            this.input = Objects.requireNonNull(input, "input shape");
            this.current = input;
        }

        /** Shape after the layers added so far. */
        public Shape currentShape() {
            return current;
        }

        private String autoName(String kind) {
            int n = counters.merge(kind, 1, Integer::sum);
            return kind + n;
        }

        /** Appends a layer made by {@code factory} from the current shape (for custom layers). */
        public Builder add(Function<Shape, Layer> factory) {
            Layer probe;
            try {
                probe = factory.apply(current);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model " + name + " (input " + input + "): " + e.getMessage(), e);
            }
            if (!probe.inputShape().equals(current)) {
                throw new IllegalArgumentException("model " + name + ": layer " + probe.name() + " expects input "
                    + probe.inputShape() + ", the previous layer gives " + current);
            }
            if (!names.add(probe.name())) {
                throw new IllegalArgumentException("model " + name + ": two layers are named '" + probe.name() + "'");
            }
            factories.add(factory);
            current = probe.outputShape();
            return this;
        }

        public Builder conv(String layerName, int outChannels, int kernel, int stride, int padding, boolean bias) {
            return add(s -> new Conv2d(layerName, s, outChannels, kernel, stride, padding, bias));
        }

        public Builder batchNorm(String layerName) {
            return add(s -> new BatchNorm2d(layerName, s));
        }

        public Builder relu() {
            String n = autoName("relu");
            return add(s -> new ReLU(n, s));
        }

        /** Max pooling with stride = kernel (PyTorch's default). */
        public Builder maxPool(int kernel) {
            return maxPool(kernel, kernel);
        }

        public Builder maxPool(int kernel, int stride) {
            String n = autoName("pool");
            return add(s -> new MaxPool2d(n, s, kernel, stride));
        }

        public Builder dropout(double p) {
            String n = autoName("dropout");
            int stream = dropouts++;
            return add(s -> new Dropout(n, s, p, stream));
        }

        public Builder flatten() {
            String n = autoName("flatten");
            return add(s -> new Flatten(n, s));
        }

        public Builder globalAvgPool() {
            String n = autoName("avgpool");
            return add(s -> new GlobalAvgPool(n, s));
        }

        public Builder linear(String layerName, int outFeatures) {
            return add(s -> new Linear(layerName, s, outFeatures, true));
        }

        public Builder basicBlock(String layerName, int planes, int stride) {
            return add(s -> new BasicBlock(layerName, s, planes, stride));
        }

        /** The immutable blueprint of the layers added so far. */
        public ModelSpec spec() {
            return new ModelSpec(name, input, factories, current);
        }

        /** {@code spec().build()}: a network with all parameters 0. */
        public Network build() {
            return spec().build();
        }
    }
}
