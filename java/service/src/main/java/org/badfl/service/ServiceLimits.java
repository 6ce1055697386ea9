package org.badfl.service;

/**
 * What one caller may make the service hold; each excess is answered with {@code RESOURCE_EXHAUSTED} naming the
 * limit.
 *
 * @param maxSessions  open sessions in the whole service
 * @param maxClients   updates one session may hold for one round
 * @param maxDimension parameters of a session's model
 * @param maxBytes     bytes one session may hold for one round's updates (clients × dimension × 4)
 */
public record ServiceLimits(int maxSessions, int maxClients, long maxDimension, long maxBytes) {

    /** 64 sessions, 1,000 clients, 50 M parameters, 4 GiB of updates per session. */
    public static final ServiceLimits DEFAULT = new ServiceLimits(64, 1_000, 50_000_000L, 4L << 30);

    public ServiceLimits {
        if (maxSessions < 1 || maxClients < 1 || maxDimension < 1 || maxBytes < 4) {
            throw new IllegalArgumentException("service limits must be positive, found sessions " + maxSessions
                + ", clients " + maxClients + ", dimension " + maxDimension + ", bytes " + maxBytes);
        }
        if (maxDimension > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("max dimension " + maxDimension + " exceeds a Java array's length");
        }
    }
}
