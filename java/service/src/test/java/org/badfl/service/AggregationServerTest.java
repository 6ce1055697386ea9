package org.badfl.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.badfl.service.v1.AggregationGrpc;
import org.badfl.service.v1.SessionRef;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service on a real socket (Netty over loopback): token, TLS, and the loopback-only rule. */
class AggregationServerTest {

    @TempDir
    Path dir;

    private static AggregationGrpc.AggregationBlockingStub stub(ManagedChannel channel, String token) {
        AggregationGrpc.AggregationBlockingStub stub = AggregationGrpc.newBlockingStub(channel);
        if (token != null) {
            Metadata m = new Metadata();
            m.put(BearerTokenInterceptor.AUTHORIZATION, "Bearer " + token);
            stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
        }
        return stub.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static Status.Code codeOf(AggregationGrpc.AggregationBlockingStub stub) {
        try {
            stub.getSession(SessionRef.newBuilder().setSessionId("x").build());
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void plaintextWithTokenOnLoopback() throws Exception {
        try (AggregationServer server = new AggregationServer("127.0.0.1", 0, dir, ServiceLimits.DEFAULT, 1, null,
            null, "tok-123")) {
            ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.address().getPort(),
                InsecureChannelCredentials.create()).build();
            try {
                assertEquals(Status.Code.UNAUTHENTICATED, codeOf(stub(channel, null)));
                assertEquals(Status.Code.UNAUTHENTICATED, codeOf(stub(channel, "tok-124")));
                assertEquals(Status.Code.NOT_FOUND, codeOf(stub(channel, "tok-123"))); // admitted: unknown session
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Test
    void tlsWithASelfSignedCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p;
        try {
            p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("openssl is not installed: TLS not tested (" + e.getMessage() + ")");
            return;
        }
        p.getInputStream().readAllBytes();
        Assumptions.assumeTrue(p.waitFor() == 0 && Files.exists(key), "openssl could not make a certificate");
        try (AggregationServer server = new AggregationServer("127.0.0.1", 0, dir.resolve("state"),
            ServiceLimits.DEFAULT, 1, cert, key, null)) {
            ChannelCredentials tls = TlsChannelCredentials.newBuilder().trustManager(cert.toFile()).build();
            ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", server.address().getPort(), tls)
                .build();
            ManagedChannel plain = Grpc.newChannelBuilderForAddress("127.0.0.1", server.address().getPort(),
                InsecureChannelCredentials.create()).build();
            try {
                assertEquals(Status.Code.NOT_FOUND, codeOf(stub(channel, null)));
                assertEquals(Status.Code.UNAVAILABLE, codeOf(stub(plain, null)));
            } finally {
                channel.shutdownNow();
                plain.shutdownNow();
            }
        }
    }

    @Test
    void withoutATokenOnlyLoopbackIsAllowed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new AggregationServer("0.0.0.0", 0, dir, ServiceLimits.DEFAULT, 1, null, null, null));
        assertTrue(e.getMessage().contains("without a token the service listens on a loopback address only"));
        assertThrows(IllegalArgumentException.class,
            () -> new AggregationServer("127.0.0.1", 0, dir, ServiceLimits.DEFAULT, 1, dir.resolve("c.pem"), null,
                "t"));
    }
}
