package org.badfl.server;

/**
 * Stream ids for {@link org.badfl.server.noise.GaussianNoise}: one fixed id per purpose, so that two kinds of noise
 * drawn from the same round seed are independent, and a purpose's noise is the same on CPU and GPU. The key is
 * the round seed ({@link RoundInput#seed()}); element i of a stream is the noise of parameter i of the flat
 * buffer, whichever coordinates actually receive noise.
 */
public final class NoiseStreams {

    /** FLAME's N(0, (λ·S)²) on G (step 5). */
    public static final long FLAME = 1;
    /** CRFL's N(0, σ²) on G after evaluation. */
    public static final long CRFL = 2;
    /** Norm clipping's optional weak-DP noise on G. */
    public static final long NORM_CLIPPING = 3;
    /** BADFL's N(0, σ_t²) on G (docs/BADFL.md, step 7). */
    public static final long BADFL = 4;

    private NoiseStreams() {
    }
}
