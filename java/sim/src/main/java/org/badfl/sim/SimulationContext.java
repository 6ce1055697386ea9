package org.badfl.sim;

import org.badfl.clients.LocalTrainer;
import org.badfl.data.Dataset;
import org.badfl.engine.Compute;
import org.badfl.engine.Network;
import org.badfl.server.DefenseObserver;
import org.badfl.server.ServerContext;
import org.badfl.server.AggregationKernels;

/**
 * The simulator's server: threads, FLTrust's root-set training and BADFL's inspection images and model factory,
 * all from the {@link Scenario}'s held-out sets.
 * <ul>
 *   <li>{@link #rootUpdate}: a copy of G trained on the root set with the clients' honest local-training
 *       settings (epochs, batch size, SGD), seeded by the defense's seed; returns W − G.</li>
 *   <li>{@link #inspectionImages()} / {@link #inspectionLabels()}: the inspection set, normalised like the
 *       clients' inputs.</li>
 *   <li>{@link #model}: a model of the scenario's architecture holding the given parameters.</li>
 *   <li>{@link #kernels()}: the CPU kernels, or the device's ({@code --device gpu|emu}).</li>
 *   <li>{@link #observer()}: where defenses report their per-round details (none unless given).</li>
 * </ul>
 */
public final class SimulationContext implements ServerContext {

    /** Client id used for the server in messages of its own training. */
    public static final int SERVER_ID = -1;

    private final Scenario scenario;
    private final Compute compute;
    private final LocalTrainer trainer;
    private final AggregationKernels kernels;
    private final DefenseObserver observer;

    /** A context whose defenses aggregate on the CPU (on {@code compute}). */
    public SimulationContext(Scenario scenario, Compute compute) {
        this(scenario, compute, null);
    }

    /**
     * @param kernels where the defenses' heavy steps run ({@code --device gpu|emu}: the device's kernels); null
     *                for the CPU kernels on {@code compute}
     */
    public SimulationContext(Scenario scenario, Compute compute, AggregationKernels kernels) {
        this(scenario, compute, kernels, DefenseObserver.NONE);
    }

    /**
     * @param kernels  as above (null for the CPU kernels)
     * @param observer receives the defenses' per-round details (e.g. BADFL's per-client values for a trace)
     */
    public SimulationContext(Scenario scenario, Compute compute, AggregationKernels kernels, DefenseObserver observer) {
        if (observer == null) {
            throw new IllegalArgumentException("simulation context: observer must be given (DefenseObserver.NONE for none)");
        }
        this.observer = observer;
        this.scenario = scenario;
        this.compute = compute;
        this.trainer = new LocalTrainer(scenario.training());
        this.kernels = kernels == null ? AggregationKernels.cpu(compute) : kernels;
    }

    @Override
    public AggregationKernels kernels() {
        return kernels;
    }

    @Override
    public DefenseObserver observer() {
        return observer;
    }

    @Override
    public Compute compute() {
        return compute;
    }

    @Override
    public float[] rootUpdate(float[] global, int round, long seed) {
        int[] root = scenario.rootIndices();
        if (root.length == 0) {
            throw new UnsupportedOperationException("the scenario holds no root set (config key root-set is 0)");
        }
        Network net = scenario.modelSpec().build();
        net.setCompute(compute);
        return trainer.train(net, global, scenario.train(), SERVER_ID, root, seed).delta();
    }

    @Override
    public float[] inspectionImages() {
        int[] idx = requireInspection();
        Dataset train = scenario.train();
        float[] x = new float[idx.length * train.imageSize()];
        train.fillBatch(idx, 0, idx.length, x, null, scenario.config().normalize);
        return x;
    }

    @Override
    public int[] inspectionLabels() {
        int[] idx = requireInspection();
        int[] y = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            y[i] = scenario.train().label(idx[i]);
        }
        return y;
    }

    @Override
    public Network model(float[] params) {
        return scenario.modelSpec().withParams(params);
    }

    private int[] requireInspection() {
        int[] idx = scenario.inspectionIndices();
        if (idx.length == 0) {
            throw new UnsupportedOperationException("the scenario holds no inspection set (config key inspection-set "
                + "is 0)");
        }
        return idx;
    }
}
