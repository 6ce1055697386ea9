package org.badfl.service;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.badfl.service.v1.SessionCheckpoint;

/**
 * Sessions on disk: one file {@code <id>.session} per session in the state directory, a {@link SessionCheckpoint}
 * written after the session opens and after every round (to a temporary file, then moved over the old one, so a
 * crash leaves the previous checkpoint or the new one, never half of one). Updates of a round not yet aggregated
 * are not written: after a restart the caller sends them again ({@code GetSession} says which the service holds).
 */
final class SessionStore {

    static final String SUFFIX = ".session";

    private final Path dir;

    SessionStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("state directory " + dir + ": cannot create (" + e.getMessage() + ")", e);
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException("state directory " + dir + ": not writable");
        }
    }

    Path dir() {
        return dir;
    }

    void write(Session session) {
        SessionCheckpoint.Builder c = SessionCheckpoint.newBuilder().setSessionId(session.id()).setSpec(session.spec());
        synchronized (session) {
            c.setNextRound(session.nextRound());
            float[] g = session.global();
            c.setGlobal(ChunkAssembler.encode(g, 0, g.length));
            String state = session.defenseState();
            if (state != null) {
                c.setDefenseState(state).setHasDefenseState(true);
            }
            if (session.lastOutcome() != null) {
                c.setLastOutcome(session.lastOutcome());
            }
        }
        Path target = dir.resolve(session.id() + SUFFIX);
        Path tmp = dir.resolve(session.id() + SUFFIX + ".tmp");
        try {
            Files.write(tmp, c.build().toByteArray());
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("session " + session.id() + ": cannot write checkpoint " + target, e);
        }
    }

    void delete(String id) {
        try {
            Files.deleteIfExists(dir.resolve(id + SUFFIX));
        } catch (IOException e) {
            throw new UncheckedIOException("session " + id + ": cannot delete its checkpoint", e);
        }
    }

    /** Every checkpoint in the directory; a file that does not parse is an error naming it. */
    List<SessionCheckpoint> readAll() {
        List<SessionCheckpoint> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                try {
                    out.add(SessionCheckpoint.parseFrom(Files.readAllBytes(f)));
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalArgumentException("state directory: " + f + " is not a session checkpoint ("
                        + e.getMessage() + ")", e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("state directory " + dir + ": cannot list", e);
        }
        out.sort(java.util.Comparator.comparing(SessionCheckpoint::getSessionId));
        return out;
    }

    static float[] decode(ByteString bytes) {
        float[] values = new float[bytes.size() / Float.BYTES];
        bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }
}
