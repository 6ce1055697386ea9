package org.badfl.clients;

import java.util.Objects;
import org.badfl.data.BatchSampler;
import org.badfl.data.Dataset;
import org.badfl.engine.ModelSpec;
import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.KernelArgs;
import org.badfl.gpu.nn.DeviceSgd;
import org.badfl.gpu.nn.GpuNetwork;

/**
 * One client's honest local training on a device, as {@link LocalTrainer} does it on the CPU (the same
 * {@link ClientSeeds}, the same {@link TrainingLoop}): one device model, optimiser and round global model, reused
 * for every client.
 * <ol>
 * <li>{@link #setGlobal(float[])} uploads the round's global model G once;</li>
 * <li>{@link #trainClient} per client: W := G on the device, a fresh optimiser (zero velocity), the dropout stream
 *     (step 0), one SGD step per batch (images and labels uploaded per batch), then Δ = W − G computed on the
 *     device into {@code deltaOut} (e.g. row i of the round's device rows), so the update stays on the device.</li>
 * </ol>
 * Results agree with the CPU path within float reassociation. Not thread-safe: one trainer per thread.
 */
public final class GpuTrainer implements AutoCloseable {

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
    private final TrainingSettings settings;
    private final DeviceBuffer global;
    private boolean globalSet;

    /** A trainer for models of {@code spec} on {@code device} with the honest clients' {@code settings}. */
    public GpuTrainer(Device device, ModelSpec spec, TrainingSettings settings) {
        this.settings = Objects.requireNonNull(settings, "training settings");
        this.network = new GpuNetwork(device, spec);
        this.sgd = new DeviceSgd(settings.lr(), settings.momentum(), settings.weightDecay());
        this.global = network.device().allocFloats(Math.max(1, network.layout().size()));
    }

    public GpuNetwork network() {
        return network;
    }

    public TrainingSettings settings() {
        return settings;
    }

    /** Uploads the round's global model G (layout size); later clients start from it. */
    public void setGlobal(float[] g) {
        network.layout().checkLength("global model", g);
        network.device().copyToDevice(g, 0, global, g.length);
        globalSet = true;
    }

    /** The round's global model on the device. */
    public DeviceBuffer global() {
        return global;
    }

    /**
     * Trains one client from G on its {@code indices} of {@code data} and writes Δ = W − G into the first
     * layout-size floats of {@code deltaOut} on this trainer's device.
     *
     * @throws org.badfl.engine.NonFiniteException when training diverges (NaN/Inf loss)
     */
    public Result trainClient(Dataset data, int[] indices, ClientSeeds seeds, DeviceBuffer deltaOut) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(indices, "client indices");
        Objects.requireNonNull(deltaOut, "delta output");
        int d = network.layout().size();
        if (deltaOut.floats() < d) {
            throw new IllegalArgumentException("delta output: device buffer holds " + deltaOut.floats()
                + " floats, expected " + d);
        }
        if (!globalSet) {
            throw new IllegalStateException("GPU trainer: setGlobal must be called before trainClient");
        }
        if (indices.length == 0) {
            throw new IllegalArgumentException("client training: expected at least one sample, found 0");
        }
        if (data.imageSize() != network.inputSize()) {
            throw new IllegalArgumentException("data " + data.name() + ": images of " + data.imageSize()
                + " values, model " + network.name() + " expects " + network.inputSize() + " ("
                + network.inputShape() + ")");
        }
        network.setParams(global);
        network.setDropoutStream(seeds.dropout(), 0);
        sgd.reset();
        BatchSampler sampler = new BatchSampler(data, indices, settings.batchSize(), seeds.batches());
        TrainingLoop.Result r = TrainingLoop.run(sampler, settings.epochs(), settings.normalize(), batch -> {
            double loss = network.lossAndGradients(batch.x(), batch.y(), batch.size());
            sgd.step(network);
            return loss;
        });
        network.context().launch("vector_sub_forward_kernel", d,
            KernelArgs.create().ptr(network.paramsBuffer()).ptr(global).ptr(deltaOut).i64(d));
        return new Result(r.steps(), r.samples(), r.meanLoss(), r.lastLoss());
    }

    /** Frees the device model, optimiser and buffers. */
    @Override
    public void close() {
        global.close();
        sgd.close();
        network.close();
    }
}
