package org.badfl.server;

import org.badfl.engine.Compute;

/**
 * Server-side resources a {@link Defense} may use besides the updates. An FL server that links badfl
 * implements what its defenses need; the simulator implements all of it.
 */
public interface ServerContext {

    /** Threads for the aggregation kernels (owned by the caller). */
    Compute compute();

    /**
     * FLTrust's server update g_0: train a copy of {@code global} on the server's clean root set, return
     * W − G. Throws {@link UnsupportedOperationException} when this server holds no root set.
     */
    default float[] rootUpdate(float[] global, int round, long seed) {
        throw new UnsupportedOperationException("this server has no clean root set (needed by FLTrust)");
    }

    /** A context with only threads (for defenses that need nothing else). */
    static ServerContext of(Compute compute) {
        return () -> compute;
    }
}
