package org.badfl.service;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.badfl.service.v1.AggregateMessage;
import org.badfl.service.v1.AggregateRequest;
import org.badfl.service.v1.AggregationGrpc;
import org.badfl.service.v1.Chunk;
import org.badfl.service.v1.OpenSessionMessage;
import org.badfl.service.v1.ParamKind;
import org.badfl.service.v1.Parameter;
import org.badfl.service.v1.RoundOutcome;
import org.badfl.service.v1.SessionOpened;
import org.badfl.service.v1.SessionSpec;
import org.badfl.service.v1.UpdateHeader;
import org.badfl.service.v1.UpdateMessage;
import org.badfl.service.v1.UpdateReceived;

/** An in-process service with a client for tests: open, send, aggregate as a calling FL server would. */
final class ServiceHarness implements AutoCloseable {

    final AggregationService service;
    final Server server;
    final ManagedChannel channel;
    final AggregationGrpc.AggregationStub async;
    final AggregationGrpc.AggregationBlockingStub blocking;

    ServiceHarness(Path stateDir, ServiceLimits limits, String serverToken, String clientToken) throws Exception {
        String name = InProcessServerBuilder.generateName();
        service = new AggregationService(stateDir, limits, 2);
        server = InProcessServerBuilder.forName(name).addService(serverToken == null
            ? ServerInterceptors.intercept(service)
            : ServerInterceptors.intercept(service, new BearerTokenInterceptor(serverToken))).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        AggregationGrpc.AggregationStub a = AggregationGrpc.newStub(channel);
        AggregationGrpc.AggregationBlockingStub b = AggregationGrpc.newBlockingStub(channel);
        if (clientToken != null) {
            Metadata m = new Metadata();
            m.put(BearerTokenInterceptor.AUTHORIZATION, "Bearer " + clientToken);
            a = a.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
            b = b.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
        }
        async = a;
        blocking = b;
    }

    ServiceHarness(Path stateDir) throws Exception {
        this(stateDir, ServiceLimits.DEFAULT, null, null);
    }

    static SessionSpec spec(String defense, Map<String, String> options, int[] sizes, long seed, int rounds) {
        SessionSpec.Builder s = SessionSpec.newBuilder().setDefense(defense).putAllOptions(options).setSeed(seed)
            .setTotalRounds(rounds);
        for (int i = 0; i < sizes.length; i++) {
            s.addLayout(Parameter.newBuilder().setName("p" + i + (i % 2 == 0 ? ".weight" : ".bias")).setSize(sizes[i])
                .setKind(i % 2 == 0 ? ParamKind.WEIGHT : ParamKind.BIAS));
        }
        return s.build();
    }

    static List<Chunk> chunks(float[] values, int perChunk) {
        List<Chunk> out = new ArrayList<>();
        for (int from = 0, seq = 0; from < values.length; from += perChunk, seq++) {
            out.add(Chunk.newBuilder().setSequence(seq)
                .setData(ChunkAssembler.encode(values, from, Math.min(perChunk, values.length - from))).build());
        }
        return out;
    }

    /** Runs a client stream to its end; the response, or the StatusRuntimeException it ended with. */
    static <Q, R> R stream(java.util.function.Function<StreamObserver<R>, StreamObserver<Q>> call, List<Q> messages)
        throws Exception {
        CompletableFuture<R> result = new CompletableFuture<>();
        StreamObserver<Q> requests = call.apply(new StreamObserver<>() {
            private R value;

            @Override
            public void onNext(R v) {
                value = v;
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.complete(value);
            }
        });
        for (Q m : messages) {
            requests.onNext(m);
        }
        requests.onCompleted();
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StatusRuntimeException s) {
                throw s;
            }
            throw e;
        }
    }

    SessionOpened open(SessionSpec spec, float[] global) throws Exception {
        List<OpenSessionMessage> m = new ArrayList<>();
        m.add(OpenSessionMessage.newBuilder().setSpec(spec).build());
        for (Chunk c : chunks(global, 1000)) {
            m.add(OpenSessionMessage.newBuilder().setInitialGlobal(c).build());
        }
        return stream(async::openSession, m);
    }

    static List<UpdateMessage> update(String session, int round, int client, long samples, float[] delta, int per) {
        List<UpdateMessage> m = new ArrayList<>();
        m.add(UpdateMessage.newBuilder().setHeader(UpdateHeader.newBuilder().setSessionId(session).setRound(round)
            .setClientId(client).setNumSamples(samples).setTotalValues(delta.length)).build());
        for (Chunk c : chunks(delta, per)) {
            m.add(UpdateMessage.newBuilder().setChunk(c).build());
        }
        return m;
    }

    UpdateReceived send(List<UpdateMessage> messages) throws Exception {
        return stream(async::sendUpdate, messages);
    }

    UpdateReceived send(String session, int round, int client, long samples, float[] delta) throws Exception {
        return send(update(session, round, client, samples, delta, 37));
    }

    record Aggregated(RoundOutcome outcome, float[] global) {
    }

    Aggregated aggregate(String session, int round) {
        Iterator<AggregateMessage> it = blocking.aggregate(AggregateRequest.newBuilder().setSessionId(session)
            .setRound(round).setChunkValues(100).build());
        RoundOutcome outcome = it.next().getOutcome();
        float[] global = new float[(int) outcome.getTotalValues()];
        int at = 0;
        while (it.hasNext()) {
            float[] part = SessionStore.decode(it.next().getGlobal().getData());
            System.arraycopy(part, 0, global, at, part.length);
            at += part.length;
        }
        if (at != global.length) {
            throw new AssertionError("received " + at + " of " + global.length + " values");
        }
        return new Aggregated(outcome, global);
    }

    @Override
    public void close() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
        service.close();
    }
}
