package org.badfl.bench.service;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.badfl.engine.Compute;
import org.badfl.engine.Models;
import org.badfl.engine.ParamLayout;
import org.badfl.server.HostRoundUpdates;
import org.badfl.server.RoundAggregator;
import org.badfl.server.ServerContext;
import org.badfl.server.catalog.Defenses;
import org.badfl.service.AggregationServer;
import org.badfl.service.ChunkAssembler;
import org.badfl.service.ServiceLimits;
import org.badfl.service.v1.AggregateMessage;
import org.badfl.service.v1.AggregateRequest;
import org.badfl.service.v1.AggregationGrpc;
import org.badfl.service.v1.Chunk;
import org.badfl.service.v1.OpenSessionMessage;
import org.badfl.service.v1.ParamKind;
import org.badfl.service.v1.Parameter;
import org.badfl.service.v1.SessionOpened;
import org.badfl.service.v1.SessionSpec;
import org.badfl.service.v1.UpdateHeader;
import org.badfl.service.v1.UpdateMessage;
import org.badfl.service.v1.UpdateReceived;
import org.badfl.util.Seeds;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One aggregation round through {@code badfl serve}'s protocol over localhost (Netty, plaintext, no token) against
 * the same round in-process, and a gRPC baseline that streams the same bytes to a handler that only counts them.
 * n = 100 updates of cnn-paper's d = 1,199,882 parameters (480 MB of float32 per round), FedAvg so that the
 * difference is the service's cost (streaming, decoding, checks, checkpoint), not the defense's.
 * <ul>
 *   <li>{@code serviceRound}: n client streams (4 in flight) of 1 MiB chunks, then Aggregate, G streamed back;</li>
 *   <li>{@code inProcessRound}: {@link RoundAggregator} on the same rows (the call a Java server makes);</li>
 *   <li>{@code grpcSinkBaseline}: n client streams of the same chunk sizes to a method that discards them.</li>
 * </ul>
 * {@code java -jar benchmarks/target/benchmarks.jar ServiceRoundBench}
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
@State(Scope.Benchmark)
public class ServiceRoundBench {

    private static final int CHUNK_VALUES = 1 << 18;
    private static final int IN_FLIGHT = 4;

    @Param("100")
    int clients;

    private ParamLayout layout;
    private float[][] deltas;
    private float[] initial;
    private Path stateDir;
    private AggregationServer server;
    private Server sink;
    private ManagedChannel channel;
    private ManagedChannel sinkChannel;
    private AggregationGrpc.AggregationStub stub;
    private String session;
    private int round;
    private Compute compute;
    private RoundAggregator direct;

    private static final MethodDescriptor<byte[], byte[]> SINK = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.CLIENT_STREAMING).setFullMethodName("bench.Sink/Consume")
        .setRequestMarshaller(BytesMarshaller.INSTANCE).setResponseMarshaller(BytesMarshaller.INSTANCE).build();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        layout = Models.spec("cnn-paper", 1, 28, 28, 10).layout();
        int d = layout.size();
        deltas = new float[clients][d];
        for (int c = 0; c < clients; c++) {
            SplittableRandom rng = new SplittableRandom(Seeds.derive(1, "bench-update", c));
            for (int j = 0; j < d; j++) {
                deltas[c][j] = (float) (0.001 * rng.nextGaussian());
            }
        }
        initial = new float[d];
        stateDir = Files.createTempDirectory("badfl-bench-service");
        server = new AggregationServer("127.0.0.1", 0, stateDir, ServiceLimits.DEFAULT, 2, null, null, null);
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.address().getPort(),
            InsecureChannelCredentials.create()).maxInboundMessageSize(AggregationServer.MAX_MESSAGE_BYTES).build();
        stub = AggregationGrpc.newStub(channel);
        SessionSpec.Builder spec = SessionSpec.newBuilder().setDefense("fedavg").setSeed(1).setTotalRounds(1_000_000);
        for (ParamLayout.Entry e : layout.entries()) {
            spec.addLayout(Parameter.newBuilder().setName(e.name()).setSize(e.length())
                .setKind(ParamKind.valueOf(e.kind().name())));
        }
        CompletableFuture<SessionOpened> opened = new CompletableFuture<>();
        StreamObserver<OpenSessionMessage> open = stub.openSession(observer(opened));
        open.onNext(OpenSessionMessage.newBuilder().setSpec(spec).build());
        int seq = 0;
        for (int from = 0; from < d; from += CHUNK_VALUES) {
            open.onNext(OpenSessionMessage.newBuilder().setInitialGlobal(Chunk.newBuilder().setSequence(seq++)
                .setData(ChunkAssembler.encode(initial, from, Math.min(CHUNK_VALUES, d - from)))).build());
        }
        open.onCompleted();
        session = opened.get(60, TimeUnit.SECONDS).getSessionId();
        round = 1;

        sink = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .maxInboundMessageSize(AggregationServer.MAX_MESSAGE_BYTES)
            .addService(ServerServiceDefinition.builder("bench.Sink").addMethod(SINK,
                ServerCalls.asyncClientStreamingCall(response -> new StreamObserver<byte[]>() {
                    private long bytes;

                    @Override
                    public void onNext(byte[] value) {
                        bytes += value.length;
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        response.onNext(java.nio.ByteBuffer.allocate(8).putLong(bytes).array());
                        response.onCompleted();
                    }
                })).build()).build().start();
        sinkChannel = Grpc.newChannelBuilderForAddress("127.0.0.1", ((InetSocketAddress) sink.getListenSockets()
            .get(0)).getPort(), InsecureChannelCredentials.create()).build();
        compute = Compute.create(2);
        direct = new RoundAggregator(Defenses.create("fedavg"));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        channel.shutdownNow();
        sinkChannel.shutdownNow();
        sink.shutdownNow();
        server.close();
        compute.close();
        try (var files = Files.list(stateDir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(stateDir);
    }

    @Benchmark
    public float serviceRound() throws Exception {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        CompletableFuture<?>[] done = new CompletableFuture<?>[clients];
        for (int c = 0; c < clients; c++) {
            slots.acquire();
            CompletableFuture<UpdateReceived> received = new CompletableFuture<>();
            received.whenComplete((r, t) -> slots.release());
            done[c] = received;
            StreamObserver<UpdateMessage> out = stub.sendUpdate(observer(received));
            out.onNext(UpdateMessage.newBuilder().setHeader(UpdateHeader.newBuilder().setSessionId(session)
                .setRound(round).setClientId(c).setNumSamples(100).setTotalValues(layout.size())).build());
            float[] delta = deltas[c];
            int seq = 0;
            for (int from = 0; from < delta.length; from += CHUNK_VALUES) {
                out.onNext(UpdateMessage.newBuilder().setChunk(Chunk.newBuilder().setSequence(seq++)
                    .setData(ChunkAssembler.encode(delta, from, Math.min(CHUNK_VALUES, delta.length - from)))).build());
            }
            out.onCompleted();
        }
        CompletableFuture.allOf(done).get(600, TimeUnit.SECONDS);
        Iterator<AggregateMessage> answer = AggregationGrpc.newBlockingStub(channel).aggregate(AggregateRequest
            .newBuilder().setSessionId(session).setRound(round++).build());
        float checksum = 0;
        while (answer.hasNext()) {
            AggregateMessage m = answer.next();
            if (m.hasGlobal()) {
                checksum += m.getGlobal().getData().byteAt(0);
            }
        }
        return checksum;
    }

    @Benchmark
    public float inProcessRound() {
        HostRoundUpdates updates = new HostRoundUpdates(layout, clients);
        for (int c = 0; c < clients; c++) {
            updates.receive(c, c, 100, deltas[c]);
        }
        RoundAggregator.Outcome outcome = direct.aggregate(initial, layout, updates, 1, 1_000_000,
            Seeds.derive(1, "aggregation", 1), ServerContext.of(compute));
        return outcome.result().global()[0];
    }

    @Benchmark
    public long grpcSinkBaseline() throws Exception {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        CompletableFuture<?>[] done = new CompletableFuture<?>[clients];
        for (int c = 0; c < clients; c++) {
            slots.acquire();
            CompletableFuture<byte[]> received = new CompletableFuture<>();
            received.whenComplete((r, t) -> slots.release());
            done[c] = received;
            StreamObserver<byte[]> out = ClientCalls.asyncClientStreamingCall(
                sinkChannel.newCall(SINK, CallOptions.DEFAULT), observer(received));
            float[] delta = deltas[c];
            for (int from = 0; from < delta.length; from += CHUNK_VALUES) {
                out.onNext(ChunkAssembler.encode(delta, from, Math.min(CHUNK_VALUES, delta.length - from))
                    .toByteArray());
            }
            out.onCompleted();
        }
        CompletableFuture.allOf(done).get(600, TimeUnit.SECONDS);
        return done.length;
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> result) {
        return new StreamObserver<>() {
            private T value;

            @Override
            public void onNext(T v) {
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
        };
    }

    private enum BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
