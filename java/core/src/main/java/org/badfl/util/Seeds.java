package org.badfl.util;

import java.nio.charset.StandardCharsets;

/**
 * Derives independent seeds from one master seed, so that every random choice of a run flows from it and
 * does not depend on the order in which tasks run (unlike drawing from one shared generator).
 * Mixing is SplitMix64's finaliser (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", 2014).
 */
public final class Seeds {

    private Seeds() {
    }

    /** SplitMix64 finaliser: a bijective 64-bit mix. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Seed for a named purpose and optional indices, e.g. {@code derive(seed, "client", round, clientId)}. */
    public static long derive(long seed, String purpose, long... ids) {
        long h = mix(seed + 0x9E3779B97F4A7C15L);
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ (b & 0xFF));
        }
        for (long id : ids) {
            h = mix(h + 0x9E3779B97F4A7C15L ^ id);
        }
        return h;
    }
}
