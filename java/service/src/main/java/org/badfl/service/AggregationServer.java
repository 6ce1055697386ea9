package org.badfl.service;

import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The service on a network port (Netty): TLS when a certificate and key are given, a bearer token when one is
 * given, and without a token it listens on the loopback interface only, so that no other machine can reach an
 * unauthenticated service. {@code ./badfl serve} runs it.
 */
public final class AggregationServer implements AutoCloseable {

    /** Largest message the service accepts: a chunk of 1 MiB of values plus framing, with room to spare. */
    public static final int MAX_MESSAGE_BYTES = 8 << 20;

    private final Server server;
    private final AggregationService service;
    private final InetSocketAddress address;

    /**
     * @param host    interface to listen on; must be a loopback address when {@code token} is null
     * @param port    0 for any free port
     * @param tlsCert PEM certificate chain, or null (then {@code tlsKey} must be null too: plaintext)
     * @param tlsKey  PEM private key, or null
     * @param token   bearer token every call must present, or null
     */
    public AggregationServer(String host, int port, Path stateDir, ServiceLimits limits, int threads, Path tlsCert,
                             Path tlsKey, String token) throws IOException {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and a key, found only the "
                + (tlsCert != null ? "certificate" : "key"));
        }
        InetAddress bind = InetAddress.getByName(host);
        if (token == null && !bind.isLoopbackAddress()) {
            throw new IllegalArgumentException("host " + host + ": without a token the service listens on a loopback "
                + "address only (give a token file to listen on other interfaces)");
        }
        ServerCredentials credentials = tlsCert == null ? InsecureServerCredentials.create()
            : TlsServerCredentials.create(tlsCert.toFile(), tlsKey.toFile());
        this.service = new AggregationService(stateDir, limits, threads);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(bind, port), credentials)
            .maxInboundMessageSize(MAX_MESSAGE_BYTES);
        builder.addService(token == null ? ServerInterceptors.intercept(service)
            : ServerInterceptors.intercept(service, new BearerTokenInterceptor(token)));
        try {
            this.server = builder.build().start();
        } catch (IOException e) {
            service.close();
            throw e;
        }
        this.address = (InetSocketAddress) server.getListenSockets().get(0);
    }

    public InetSocketAddress address() {
        return address;
    }

    public AggregationService service() {
        return service;
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdown();
        if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
        service.close();
    }
}
