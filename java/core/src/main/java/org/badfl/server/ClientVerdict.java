package org.badfl.server;

import java.util.Objects;

/**
 * What happened to one client's update in one round: the judgement of the {@link UpdateValidator} (malformed
 * updates) or of a {@link Defense}.
 *
 * @param clientId the client
 * @param status   {@link Status#ACCEPTED accepted} as sent, {@link Status#CLIPPED clipped} (used after a
 *                 rescaling: norm clipping, per-layer clipping, FLTrust's norm alignment), or
 *                 {@link Status#REJECTED rejected} (not used in G at all)
 * @param flagged  whether the defense judged the client malicious (drives detection metrics such as recall and
 *                 specificity). A defense may clip without flagging (FLAME clips everybody to the median norm);
 *                 a malformed update rejected by the validator is not flagged (malformed is not a judgement of
 *                 intent)
 * @param reason   short human-readable reason, e.g. "LOF 2.7 > 1.5" or "NaN at index 17 (fc.weight[3])";
 *                 empty when there is nothing to say
 */
public record ClientVerdict(int clientId, Status status, boolean flagged, String reason) {

    /** Outcome for an update. */
    public enum Status { ACCEPTED, CLIPPED, REJECTED }

    public ClientVerdict {
        Objects.requireNonNull(status, "status");
        reason = reason == null ? "" : reason;
    }

    /** Used as sent, not flagged. */
    public static ClientVerdict accepted(int clientId) {
        return new ClientVerdict(clientId, Status.ACCEPTED, false, "");
    }

    /** Used as sent, not flagged, with a reason (e.g. the score that let it pass). */
    public static ClientVerdict accepted(int clientId, String reason) {
        return new ClientVerdict(clientId, Status.ACCEPTED, false, reason);
    }

    public static ClientVerdict rejected(int clientId, boolean flagged, String reason) {
        return new ClientVerdict(clientId, Status.REJECTED, flagged, reason);
    }

    public static ClientVerdict clipped(int clientId, boolean flagged, String reason) {
        return new ClientVerdict(clientId, Status.CLIPPED, flagged, reason);
    }
}
