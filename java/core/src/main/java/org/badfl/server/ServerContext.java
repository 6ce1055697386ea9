package org.badfl.server;

import java.util.Optional;
import org.badfl.engine.Compute;
import org.badfl.server.AggregationKernels;

/**
 * Server-side resources a {@link Defense} may use besides the updates. Everything that needs the server's own
 * model code or clean data is reached through here, as a default method that throws
 * {@link UnsupportedOperationException} until implemented, so that an FL server linking badfl implements only
 * what its chosen defense needs (FedAvg, FLAME, RLR, CRFL, Median, Trimmed mean, Krum, norm clipping: nothing
 * beyond {@link #compute()}; FLTrust: {@link #rootUpdate}; BADFL: {@link #inspector()}, or
 * {@link #inspectionImages()} with {@link #model}, from which BADFL builds its inspector; without either BADFL
 * still runs, with its clustering step only). The simulator implements all of it.
 */
public interface ServerContext {

    /** Threads for the aggregation kernels (owned by the caller, not closed by defenses). */
    Compute compute();

    /**
     * Where the defenses' heavy steps run (Gram, dots, median, trimmed mean, sign votes, weighted sums, noise):
     * by default the CPU kernels on {@link #compute()}; a server that holds a GPU returns its device kernels
     * (the simulator's {@code --device gpu|emu}). Cheap to call: defenses ask for it once per step.
     */
    default AggregationKernels kernels() {
        return AggregationKernels.cpu(compute());
    }

    /**
     * FLTrust's server update g_0 (Cao et al., NDSS 2021, Alg. 1): train a copy of {@code global} on the
     * server's clean root set (docs/DEFENSES.md, FLTrust: 100 class-balanced samples, disjoint from the clients) with the
     * clients' local-training settings, and return W − G, of the layout's length. {@code global} must not be
     * modified. {@code seed} drives the training's randomness (batch order). Throws
     * {@link UnsupportedOperationException} when this server holds no root set.
     */
    default float[] rootUpdate(float[] global, int round, long seed) {
        throw new UnsupportedOperationException("this server has no clean root set (needed by FLTrust): implement "
            + "ServerContext.rootUpdate");
    }

    /**
     * BADFL's clean inspection images (docs/BADFL.md, "Interpretation choices": 64, class-balanced, disjoint
     * from the clients' data), NCHW, preprocessed exactly as the model's training inputs (normalised when the
     * clients normalise), {@code inspectionLabels().length} images of {@code model(..).inputSize()} values.
     * A fresh copy on every call. Throws {@link UnsupportedOperationException} when this server holds none.
     */
    default float[] inspectionImages() {
        throw new UnsupportedOperationException("this server has no clean inspection set (needed by BADFL): "
            + "implement ServerContext.inspectionImages");
    }

    /** True labels of {@link #inspectionImages()}, one per image (a copy). */
    default int[] inspectionLabels() {
        throw new UnsupportedOperationException("this server has no clean inspection set (needed by BADFL): "
            + "implement ServerContext.inspectionLabels");
    }

    /**
     * A new model of the federation's architecture holding {@code params} (copied, not modified; the layout's
     * length), for inspecting client models (BADFL's neuron inspection: {@code params = G + Δ_i}). The caller
     * owns the instance; it runs on {@link Compute#serial()} unless the caller sets otherwise.
     */
    default org.badfl.engine.Network model(float[] params) {
        throw new UnsupportedOperationException("this server cannot build models (needed by BADFL): implement "
            + "ServerContext.model");
    }

    /**
     * BADFL's neuron inspection (guided-backprop saliency on the server's clean inspection set, see
     * {@link ModelInspector}) for a server whose models are not badfl engine networks; empty by default. BADFL
     * uses it when present, else builds one from {@link #inspectionImages()} and {@link #model}, else detects
     * with its clustering step only and says so in the round's note.
     */
    default Optional<ModelInspector> inspector() {
        return Optional.empty();
    }

    /**
     * Where defenses report their per-round details ({@link DefenseObserver}; BADFL: per-client LOF, MNIA and
     * patch-deviation values and memories); {@link DefenseObserver#NONE} by default. Only read, never needed for
     * a result.
     */
    default DefenseObserver observer() {
        return DefenseObserver.NONE;
    }

    /** A context with only threads (for defenses that need nothing else). */
    static ServerContext of(Compute compute) {
        return () -> compute;
    }
}
