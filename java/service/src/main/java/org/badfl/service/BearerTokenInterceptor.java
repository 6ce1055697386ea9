package org.badfl.service;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Admits a call only when its {@code authorization} header is {@code Bearer <token>} with the service's token.
 * The comparison is of SHA-256 digests with {@link MessageDigest#isEqual} (constant time in the digest), so neither
 * the time nor the length of the comparison tells a caller how much of its guess was right.
 * Refused calls end with UNAUTHENTICATED before any handler runs.
 */
public final class BearerTokenInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String PREFIX = "Bearer ";

    private final byte[] expectedDigest;

    /** @param token the shared secret (non-blank) */
    public BearerTokenInterceptor(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("bearer token is empty");
        }
        this.expectedDigest = sha256(token);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        String value = headers.get(AUTHORIZATION);
        String presented = value != null && value.startsWith(PREFIX) ? value.substring(PREFIX.length()) : "";
        if (!MessageDigest.isEqual(expectedDigest, sha256(presented))) {
            call.close(Status.UNAUTHENTICATED.withDescription(value == null ? "missing authorization header "
                + "(expected 'Bearer <token>')" : "wrong bearer token"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return next.startCall(call, headers);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
