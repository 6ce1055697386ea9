package org.badfl.clients;

import org.badfl.gpu.nn.DeviceSgd;
import org.badfl.gpu.nn.GpuNetwork;
import org.badfl.gpu.nn.Workspace;
import java.util.Objects;
import org.badfl.data.Batch;
import org.badfl.data.BatchSampler;
import org.badfl.data.Dataset;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Network;
import org.badfl.engine.Sgd;
import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.KernelArgs;
import org.badfl.util.Seeds;

/**
 * Local training of FL clients on a device: the seam the simulator's local trainer calls when a run uses
 * {@code --device gpu|emu}. One device model, optimiser and round global model, reused for every client:
 * <ol>
 * <li>{@link #setGlobal(float[])} uploads the round's global model G once;</li>
 * <li>{@link #train} per client: W := G on the device, a fresh optimiser (zero velocity), the dropout stream
 *     ({@code dropoutSeed}, step 0), one SGD step per batch, then the update Δ = W − G computed on the device and
 *     either left there ({@code deltaOut}, e.g. row i of the round's {@link org.badfl.gpu.DeviceRows} for the
 *     aggregation kernels) or downloaded ({@link #trainToHost}).</li>
 * </ol>
 * The CPU path it mirrors ({@link #trainOnCpu}) is {@link Network#trainStep} with an engine {@link Sgd} on the same
 * batches; results agree within float reassociation (checked by {@link TrainingChecks}). Not thread-safe: one trainer
 * per thread (a device may be shared by several).
 */
public final class GpuTrainer implements AutoCloseable {

    /** The client's batches: fills {@code batch} and returns true, or returns false when local training is over. */
    @FunctionalInterface
    public interface BatchSource {
        boolean next(Batch batch);
    }

    /**
     * What one client's local training did.
     *
     * @param steps    SGD steps (batches)
     * @param samples  images seen
     * @param meanLoss mean over the steps of each step's batch loss (before its update); NaN with no step
     * @param lastLoss the last step's batch loss; NaN with no step
     */
    public record Result(int steps, int samples, double meanLoss, double lastLoss) {
    }

    private final GpuNetwork network;
    private final DeviceSgd sgd;
    private final DeviceBuffer global;
    private final Workspace images;
    private final Workspace labels;
    private boolean globalSet;

    /** A trainer for models of {@code spec} on {@code device} with SGD hyperparameters as {@link Sgd}. */
    public GpuTrainer(Device device, ModelSpec spec, double learningRate, double momentum, double weightDecay) {
        this(new GpuNetwork(device, spec), new DeviceSgd(learningRate, momentum, weightDecay));
    }

    /** A trainer around an existing device model and optimiser (both then owned and closed by it). */
    public GpuTrainer(GpuNetwork network, DeviceSgd sgd) {
        this.network = Objects.requireNonNull(network, "network");
        this.sgd = Objects.requireNonNull(sgd, "sgd");
        this.global = network.device().allocFloats(Math.max(1, network.layout().size()));
        this.images = network.context().workspace();
        this.labels = network.context().workspace();
    }

    public GpuNetwork network() {
        return network;
    }

    public DeviceSgd sgd() {
        return sgd;
    }

    /** Uploads the round's global model G (layout size); later clients start from it. */
    public void setGlobal(float[] g) {
        network.layout().checkLength("global model", g);
        network.device().copyToDevice(g, 0, global, g.length);
        globalSet = true;
    }

    /** Copies a global model that is already on this device (layout-size floats). */
    public void setGlobal(DeviceBuffer g) {
        Objects.requireNonNull(g, "global model");
        if (g.floats() < network.layout().size()) {
            throw new IllegalArgumentException("global model: device buffer holds " + g.floats() + " floats, expected "
                + network.layout().size());
        }
        network.device().copy(g, global, 4L * network.layout().size());
        globalSet = true;
    }

    /** The round's global model on the device. */
    public DeviceBuffer global() {
        return global;
    }

    /**
     * Trains one client from G on {@code batches} (filled into {@code buffer}) and writes Δ = W − G into the first
     * layout-size floats of {@code deltaOut} on this trainer's device.
     */
    public Result train(BatchSource batches, Batch buffer, long dropoutSeed, DeviceBuffer deltaOut) {
        Objects.requireNonNull(batches, "batches");
        Objects.requireNonNull(buffer, "batch buffer");
        Objects.requireNonNull(deltaOut, "delta output");
        int d = network.layout().size();
        if (deltaOut.floats() < d) {
            throw new IllegalArgumentException("delta output: device buffer holds " + deltaOut.floats() + " floats, expected "
                + d);
        }
        if (!globalSet) {
            throw new IllegalStateException("GPU trainer: setGlobal must be called before train");
        }
        if (buffer.imageSize() != network.inputSize()) {
            throw new IllegalArgumentException("batch buffer: images of " + buffer.imageSize() + " values, model "
                + network.name() + " expects " + network.inputSize() + " (" + network.inputShape() + ")");
        }
        network.setParams(global);
        network.setDropoutStream(dropoutSeed, 0);
        sgd.reset();
        int steps = 0;
        int samples = 0;
        double lossSum = 0;
        double last = Double.NaN;
        Device device = network.device();
        while (batches.next(buffer)) {
            int b = buffer.size();
            if (b < 1) {
                continue;
            }
            checkLabels(buffer, b);
            DeviceBuffer x = images.floats((long) b * network.inputSize());
            DeviceBuffer y = labels.ints(b);
            device.copyToDevice(buffer.x(), 0, x, b * network.inputSize());
            device.copyToDevice(buffer.y(), 0, y, b);
            last = network.trainStep(x, y, b, sgd);
            lossSum += last;
            steps++;
            samples += b;
        }
        network.context().launch("vector_sub_forward_kernel", d,
            KernelArgs.create().ptr(network.paramsBuffer()).ptr(global).ptr(deltaOut).i64(d));
        return new Result(steps, samples, steps == 0 ? Double.NaN : lossSum / steps, last);
    }

    /**
     * One client's honest local training as the simulator's CPU {@code LocalTrainer} does it, on the device: dropout
     * stream {@code Seeds.derive(seed, "dropout")}, a fresh optimiser, {@code epochs} passes over the client's
     * {@code indices} with {@code BatchSampler(data, indices, batchSize, Seeds.derive(seed, "batches"))} (epoch e's
     * order from its seed, the last batch short), images normalised when {@code normalize}; Δ = W − G written to
     * {@code deltaOut} on this trainer's device.
     *
     * @param seed the client's seed for this round (the simulator's {@code Seeds.derive(master, "client", round, id)})
     */
    public Result trainClient(Dataset data, int[] indices, long seed, int epochs, int batchSize, boolean normalize,
                              DeviceBuffer deltaOut) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(indices, "client indices");
        if (indices.length == 0) {
            throw new IllegalArgumentException("client training: expected at least one sample, found 0");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("local epochs: expected >= 1, found " + epochs);
        }
        BatchSampler sampler = new BatchSampler(data, indices, batchSize, Seeds.derive(seed, "batches"));
        int[] epoch = {0};
        sampler.startEpoch(0);
        BatchSource source = b -> {
            while (true) {
                if (sampler.next(b, normalize)) {
                    return true;
                }
                if (++epoch[0] >= epochs) {
                    return false;
                }
                sampler.startEpoch(epoch[0]);
            }
        };
        return train(source, sampler.newBatch(), Seeds.derive(seed, "dropout"), deltaOut);
    }

    /** As {@link #train}, returning Δ = W − G on the host (a new array). */
    public float[] trainToHost(BatchSource batches, Batch buffer, long dropoutSeed) {
        int d = network.layout().size();
        try (DeviceBuffer delta = network.device().allocFloats(Math.max(1, d))) {
            train(batches, buffer, dropoutSeed, delta);
            return network.device().downloadFloats(delta, d);
        }
    }

    private void checkLabels(Batch batch, int b) {
        int classes = network.classes();
        for (int i = 0; i < b; i++) {
            int label = batch.y()[i];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("model " + network.name() + ": label " + label + " of image " + i
                    + ", expected a class in [0, " + classes + ")");
            }
        }
    }

    /**
     * The CPU path this trainer mirrors: {@code spec.withParams(global)}, dropout stream ({@code dropoutSeed}, 0), a
     * fresh {@link Sgd}, {@link Network#trainStep} per batch; returns Δ = W − G.
     */
    public static float[] trainOnCpu(ModelSpec spec, float[] global, BatchSource batches, Batch buffer, long dropoutSeed,
                                     double learningRate, double momentum, double weightDecay) {
        Network net = spec.withParams(global);
        net.setDropoutStream(dropoutSeed, 0);
        Sgd sgd = new Sgd(learningRate, momentum, weightDecay);
        while (batches.next(buffer)) {
            int b = buffer.size();
            float[] x = java.util.Arrays.copyOf(buffer.x(), b * net.inputSize());
            int[] y = java.util.Arrays.copyOf(buffer.y(), b);
            net.trainStep(x, y, b, sgd);
        }
        float[] w = net.params();
        float[] delta = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            delta[i] = w[i] - global[i];
        }
        return delta;
    }

    /** Frees the device model, optimiser and buffers. */
    @Override
    public void close() {
        images.close();
        labels.close();
        global.close();
        sgd.close();
        network.close();
    }
}
