package org.badfl.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.badfl.service.v1.AggregateMessage;
import org.badfl.service.v1.AggregateRequest;
import org.badfl.service.v1.AggregationGrpc;
import org.badfl.service.v1.Chunk;
import org.badfl.service.v1.OpenSessionMessage;
import org.badfl.service.v1.RoundOutcome;
import org.badfl.service.v1.SessionCheckpoint;
import org.badfl.service.v1.SessionClosed;
import org.badfl.service.v1.SessionOpened;
import org.badfl.service.v1.SessionRef;
import org.badfl.service.v1.SessionStatus;
import org.badfl.service.v1.UpdateHeader;
import org.badfl.service.v1.UpdateMessage;
import org.badfl.service.v1.UpdateReceived;

/**
 * The {@code badfl.v1.Aggregation} service (java/service/src/main/proto/badfl/v1/aggregation.proto): sessions
 * of core's {@link org.badfl.server.RoundAggregator}, their updates received as chunked float32 streams, their
 * state checkpointed in a {@link SessionStore} after every round and restored when the service starts.
 * <p>Every defect of a call is answered on that call alone with a gRPC status whose description names the
 * session, round, client and defect (INVALID_ARGUMENT for a malformed stream, NOT_FOUND for an unknown session,
 * FAILED_PRECONDITION for a call out of turn, RESOURCE_EXHAUSTED for a limit); other calls and sessions go on.
 * A stream the caller abandons (disconnect, cancel) frees its reservation and leaves nothing in the session.
 */
public final class AggregationService extends AggregationGrpc.AggregationImplBase implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AggregationService.class.getName());

    /** Values per returned chunk when the request leaves it to the service: 1 MiB of float32. */
    public static final int DEFAULT_CHUNK_VALUES = 1 << 18;

    private final SessionStore store;
    private final ServiceLimits limits;
    private final int threads;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    /**
     * Restores every session checkpointed in {@code store}'s directory.
     *
     * @param threads threads of each session's aggregation
     */
    public AggregationService(java.nio.file.Path stateDir, ServiceLimits limits, int threads) {
        this.store = new SessionStore(stateDir);
        this.limits = limits;
        this.threads = threads;
        for (SessionCheckpoint c : store.readAll()) {
            Session s;
            try {
                s = new Session(c.getSessionId(), c.getSpec(), limits, threads);
            } catch (StatusRuntimeException e) {
                throw new IllegalArgumentException("state directory " + stateDir + ": session " + c.getSessionId()
                    + " cannot be restored: " + e.getStatus().getDescription(), e);
            }
            float[] global = SessionStore.decode(c.getGlobal());
            if (global.length != s.layout().size()) {
                s.close();
                throw new IllegalArgumentException("state directory " + stateDir + ": session " + c.getSessionId()
                    + " holds " + global.length + " values of G, its layout has " + s.layout().size());
            }
            s.restore(global, c.getNextRound(), c.getHasDefenseState() ? c.getDefenseState() : null,
                c.hasLastOutcome() ? c.getLastOutcome() : null);
            sessions.put(s.id(), s);
        }
    }

    /** Ids of the open sessions. */
    public java.util.Set<String> sessionIds() {
        return java.util.Set.copyOf(sessions.keySet());
    }

    @Override
    public StreamObserver<OpenSessionMessage> openSession(StreamObserver<SessionOpened> response) {
        return new StreamObserver<>() {
            private Session session;
            private ChunkAssembler global;
            private boolean failed;

            @Override
            public void onNext(OpenSessionMessage message) {
                if (failed) {
                    return;
                }
                try {
                    if (session == null) {
                        if (!message.hasSpec()) {
                            throw Status.INVALID_ARGUMENT.withDescription("open session: the first message must be "
                                + "the session spec").asRuntimeException();
                        }
                        if (sessions.size() >= limits.maxSessions()) {
                            throw Status.RESOURCE_EXHAUSTED.withDescription("open session: " + sessions.size()
                                + " sessions are open, the service's limit (max sessions)").asRuntimeException();
                        }
                        session = new Session(UUID.randomUUID().toString(), message.getSpec(), limits, threads);
                        global = new ChunkAssembler("session " + session.id() + ", initial global model",
                            session.layout());
                    } else if (message.hasInitialGlobal()) {
                        global.accept(message.getInitialGlobal());
                    } else {
                        throw Status.INVALID_ARGUMENT.withDescription("session " + session.id() + ": the spec was "
                            + "sent twice").asRuntimeException();
                    }
                } catch (StatusRuntimeException e) {
                    fail(e);
                }
            }

            @Override
            public void onError(Throwable t) {
                discard();
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                try {
                    if (session == null) {
                        throw Status.INVALID_ARGUMENT.withDescription("open session: no spec sent").asRuntimeException();
                    }
                    session.restore(global.finish(), 1, null, null);
                    store.write(session);
                    sessions.put(session.id(), session);
                } catch (StatusRuntimeException e) {
                    fail(e);
                    return;
                } catch (java.io.UncheckedIOException e) {
                    fail(Status.INTERNAL.withDescription(e.getMessage() + " (" + e.getCause().getMessage() + ")")
                        .asRuntimeException());
                    return;
                }
                LOG.info(() -> "session " + session.id() + " opened: " + session.spec().getDefense() + ", "
                    + session.layout().size() + " parameters");
                response.onNext(SessionOpened.newBuilder().setSessionId(session.id())
                    .setDimension(session.layout().size()).setNextRound(1).setNote(session.inspectionNote()).build());
                response.onCompleted();
            }

            private void fail(StatusRuntimeException e) {
                failed = true;
                discard();
                response.onError(e);
            }

            private void discard() {
                if (session != null && !sessions.containsKey(session.id())) {
                    session.close();
                }
            }
        };
    }

    @Override
    public StreamObserver<UpdateMessage> sendUpdate(StreamObserver<UpdateReceived> response) {
        return new StreamObserver<>() {
            private Session session;
            private UpdateHeader header;
            private ChunkAssembler values;
            private boolean done;

            @Override
            public void onNext(UpdateMessage message) {
                if (done) {
                    return;
                }
                try {
                    if (header == null) {
                        if (!message.hasHeader()) {
                            throw Status.INVALID_ARGUMENT.withDescription("update: the first message must be the "
                                + "header (session, round, client, samples, length)").asRuntimeException();
                        }
                        UpdateHeader h = message.getHeader();
                        Session s = find(h.getSessionId());
                        s.reserve(h.getRound(), h.getClientId(), h.getNumSamples(), h.getTotalValues());
                        session = s;
                        header = h;
                        values = new ChunkAssembler(s.owner(h.getRound(), h.getClientId()), s.layout());
                    } else if (message.hasChunk()) {
                        values.accept(message.getChunk());
                    } else {
                        throw Status.INVALID_ARGUMENT.withDescription(session.owner(header.getRound(),
                            header.getClientId()) + ": a second header in one update stream").asRuntimeException();
                    }
                } catch (StatusRuntimeException e) {
                    fail(e);
                }
            }

            @Override
            public void onError(Throwable t) {
                // The caller went away mid-stream: the partial update is dropped, the client may send it again.
                if (!done && session != null) {
                    LOG.info(() -> session.owner(header.getRound(), header.getClientId()) + ": stream abandoned after "
                        + values.received() + " values (" + Status.fromThrowable(t).getCode() + "); update dropped");
                    session.release(header.getClientId());
                }
                done = true;
            }

            @Override
            public void onCompleted() {
                if (done) {
                    return;
                }
                try {
                    if (header == null) {
                        throw Status.INVALID_ARGUMENT.withDescription("update: stream ended before its header")
                            .asRuntimeException();
                    }
                    float[] delta = values.finish();
                    int held = session.commit(header.getClientId(), header.getNumSamples(), delta);
                    done = true;
                    response.onNext(UpdateReceived.newBuilder().setClientId(header.getClientId())
                        .setRound(header.getRound()).setUpdatesInRound(held).build());
                    response.onCompleted();
                } catch (StatusRuntimeException e) {
                    fail(e);
                }
            }

            private void fail(StatusRuntimeException e) {
                done = true;
                if (session != null) {
                    session.release(header.getClientId());
                }
                response.onError(e);
            }
        };
    }

    @Override
    public void aggregate(AggregateRequest request, StreamObserver<AggregateMessage> response) {
        try {
            Session s = find(request.getSessionId());
            RoundOutcome outcome;
            float[] global;
            synchronized (s) {
                outcome = s.aggregate(request.getRound());
                global = s.global();
                store.write(s);
            }
            int chunkValues = request.getChunkValues() == 0 ? DEFAULT_CHUNK_VALUES : request.getChunkValues();
            if (chunkValues < 1 || chunkValues > (1 << 22)) {
                throw Status.INVALID_ARGUMENT.withDescription("session " + s.id() + ": chunk_values must be in [1, "
                    + (1 << 22) + "], found " + Integer.toUnsignedString(request.getChunkValues())).asRuntimeException();
            }
            ServerCallStreamObserver<AggregateMessage> out = (ServerCallStreamObserver<AggregateMessage>) response;
            out.onNext(AggregateMessage.newBuilder().setOutcome(outcome).build());
            int sequence = 0;
            for (int from = 0; from < global.length && !out.isCancelled(); from += chunkValues) {
                int count = Math.min(chunkValues, global.length - from);
                out.onNext(AggregateMessage.newBuilder().setGlobal(Chunk.newBuilder().setSequence(sequence++)
                    .setData(ChunkAssembler.encode(global, from, count))).build());
            }
            out.onCompleted();
        } catch (StatusRuntimeException e) {
            response.onError(e);
        } catch (IllegalArgumentException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("session " + request.getSessionId() + ", round "
                + request.getRound() + ": " + e.getMessage()).asRuntimeException());
        } catch (UnsupportedOperationException e) {
            // e.g. FLTrust, whose root-set update a service without the federation's data cannot compute
            response.onError(Status.FAILED_PRECONDITION.withDescription("session " + request.getSessionId()
                + ", round " + request.getRound() + ": " + e.getMessage()).asRuntimeException());
        } catch (java.io.UncheckedIOException e) {
            response.onError(Status.INTERNAL.withDescription("session " + request.getSessionId() + ", round "
                + request.getRound() + ": aggregated, but " + e.getMessage() + " (" + e.getCause().getMessage()
                + ")").asRuntimeException());
        }
    }

    @Override
    public void getSession(SessionRef request, StreamObserver<SessionStatus> response) {
        try {
            Session s = find(request.getSessionId());
            response.onNext(SessionStatus.newBuilder().setSessionId(s.id()).setDefense(s.spec().getDefense())
                .setNextRound(s.nextRound()).addAllClientsReceived(s.clientsReceived())
                .setDimension(s.layout().size()).build());
            response.onCompleted();
        } catch (StatusRuntimeException e) {
            response.onError(e);
        }
    }

    @Override
    public void closeSession(SessionRef request, StreamObserver<SessionClosed> response) {
        Session s = sessions.remove(request.getSessionId());
        if (s == null) {
            response.onError(notFound(request.getSessionId()));
            return;
        }
        synchronized (s) {
            store.delete(s.id());
            s.close();
        }
        response.onNext(SessionClosed.newBuilder().setSessionId(s.id()).build());
        response.onCompleted();
    }

    private Session find(String id) {
        Session s = sessions.get(id);
        if (s == null) {
            throw notFound(id);
        }
        return s;
    }

    private static StatusRuntimeException notFound(String id) {
        return Status.NOT_FOUND.withDescription("unknown session id '" + id + "'").asRuntimeException();
    }

    /** Releases the sessions' threads; their checkpoints stay on disk. */
    @Override
    public void close() {
        for (Session s : sessions.values()) {
            s.close();
        }
        sessions.clear();
    }
}
