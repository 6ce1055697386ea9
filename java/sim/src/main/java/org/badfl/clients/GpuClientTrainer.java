package org.badfl.clients;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.badfl.data.Dataset;
import org.badfl.engine.Compute;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.NonFiniteException;
import org.badfl.engine.ParamLayout;
import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceRoundUpdates;
import org.badfl.gpu.GpuAggregation;
import org.badfl.server.RoundUpdates;

/**
 * {@link ClientTrainer} on a device (a GPU, or its CPU emulation): honest clients train there one after another
 * ({@link GpuTrainer}, G uploaded once per round) and write Δ straight into their row of the round's
 * {@link DeviceRoundUpdates}, so the update stays on the device for the aggregation kernels. Attacking clients train
 * on the CPU ({@link CpuClientTrainer}), whose attack hooks edit gradients and parameters on the host; their rows
 * are uploaded once, when the kernels first need them. Results equal the CPU engine's within float reassociation.
 */
public final class GpuClientTrainer implements ClientTrainer {

    private final Device device;
    private final Dataset data;
    private final GpuTrainer trainer;
    private final GpuAggregation aggregation;
    private final CpuClientTrainer attackers;

    /**
     * @param device  where honest clients train and their updates stay (not closed by the trainer)
     * @param honest  the honest clients' settings
     * @param data    the training split the tasks' indices refer to
     * @param spec    the architecture
     * @param compute threads for the attacking clients on the CPU (not closed by the trainer)
     */
    public GpuClientTrainer(Device device, TrainingSettings honest, Dataset data, ModelSpec spec, Compute compute) {
        this.device = Objects.requireNonNull(device, "device");
        this.data = Objects.requireNonNull(data, "data");
        this.trainer = new GpuTrainer(device, spec, honest);
        this.aggregation = new GpuAggregation(device);
        this.attackers = new CpuClientTrainer(honest, data, spec, compute);
    }

    @Override
    public String device() {
        return device.name();
    }

    @Override
    public DeviceRoundUpdates newRound(ParamLayout layout, int slots) {
        return new DeviceRoundUpdates(aggregation, layout, slots);
    }

    @Override
    public void train(float[] global, List<ClientTask> tasks, RoundUpdates received, Progress progress) {
        if (!(received instanceof DeviceRoundUpdates rows) || rows.device() != device) {
            throw new IllegalArgumentException("GPU client trainer: the round's updates must be its own newRound "
                + "(rows on " + device.name() + "), found " + received.getClass().getSimpleName());
        }
        List<ClientTask> onCpu = new ArrayList<>();
        trainer.setGlobal(global);
        for (ClientTask task : tasks) {
            if (task.attacking()) {
                onCpu.add(task);
                continue;
            }
            String failure = null;
            try {
                trainer.trainClient(data, task.indices(), ClientSeeds.of(task.seed()), rows.slot(task.slot()));
                rows.receiveOnDevice(task.slot(), task.clientId(), task.samples());
            } catch (NonFiniteException e) {
                failure = CpuClientTrainer.diverged(task, e);
            }
            progress.clientDone(task, failure);
        }
        if (!onCpu.isEmpty()) {
            attackers.train(global, onCpu, received, progress);
        }
    }

    @Override
    public void close() {
        attackers.close();
        trainer.close();
    }
}
