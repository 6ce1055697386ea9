package org.badfl.server;

import java.util.Objects;

/**
 * What a defense did with one client's update in one round.
 *
 * @param clientId the client
 * @param status   accepted as sent, clipped (scaled down, fully or per layer/coordinate), or rejected
 * @param flagged  whether the defense judged the client malicious (drives TPR/TNR); a defense may clip
 *                 without flagging (FLAME clips everybody to the median norm)
 * @param reason   short human-readable reason, e.g. "LOF 2.7 > 1.5" or "NaN at index 17"
 */
public record ClientVerdict(int clientId, Status status, boolean flagged, String reason) {

    /** Outcome for an update. */
    public enum Status { ACCEPTED, CLIPPED, REJECTED }

    public ClientVerdict {
        Objects.requireNonNull(status, "status");
        reason = reason == null ? "" : reason;
    }

    public static ClientVerdict accepted(int clientId) {
        return new ClientVerdict(clientId, Status.ACCEPTED, false, "");
    }

    public static ClientVerdict rejected(int clientId, boolean flagged, String reason) {
        return new ClientVerdict(clientId, Status.REJECTED, flagged, reason);
    }

    public static ClientVerdict clipped(int clientId, boolean flagged, String reason) {
        return new ClientVerdict(clientId, Status.CLIPPED, flagged, reason);
    }
}
