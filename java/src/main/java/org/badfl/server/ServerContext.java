package org.badfl.server;

import java.util.Optional;
import org.badfl.engine.Compute;

/**
 * Server-side resources a {@link Defense} may use besides the updates. Everything that needs the server's own
 * model code or clean data is reached through here, as a default method that throws
 * {@link UnsupportedOperationException} until implemented, so that an FL server linking badfl implements only
 * what its chosen defense needs (FedAvg, FLAME, RLR, CRFL, Median, Trimmed mean, Krum, norm clipping: nothing
 * beyond {@link #compute()}; FLTrust: {@link #rootUpdate}; BADFL: {@link #inspector()}, which returns empty
 * rather than throwing, so that BADFL can still run without it). The simulator
 * implements all of it.
 */
public interface ServerContext {

    /** Threads for the aggregation kernels (owned by the caller, not closed by defenses). */
    Compute compute();

    /**
     * FLTrust's server update g_0 (Cao et al., NDSS 2021, Alg. 1): train a copy of {@code global} on the
     * server's clean root set (BASELINES.md: 100 class-balanced samples, disjoint from the clients) with the
     * clients' local-training settings, and return W − G, of the layout's length. {@code global} must not be
     * modified. {@code seed} drives the training's randomness (batch order). Throws
     * {@link UnsupportedOperationException} when this server holds no root set.
     */
    default float[] rootUpdate(float[] global, int round, long seed) {
        throw new UnsupportedOperationException("this server has no clean root set (needed by FLTrust): implement "
            + "ServerContext.rootUpdate");
    }

    /**
     * BADFL's neuron inspection (guided-backprop saliency on the server's clean inspection set, see
     * {@link ModelInspector}), or empty when this server holds no inspection data or cannot rebuild models. BADFL
     * then detects with its clustering step only and says so in the round's note.
     */
    default Optional<ModelInspector> inspector() {
        return Optional.empty();
    }

    /** A context with only threads (for defenses that need nothing else). */
    static ServerContext of(Compute compute) {
        return () -> compute;
    }
}
