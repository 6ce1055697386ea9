package org.badfl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.badfl.engine.Compute;
import org.badfl.service.AggregationServer;
import org.badfl.service.ServiceLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code badfl serve}: badfl as the aggregation backend of another FL server, over gRPC
 * (java/service/src/main/proto/badfl/v1/aggregation.proto). Runs until stopped (Ctrl-C, SIGTERM); sessions are
 * checkpointed in the state directory after every round and resumed by the next {@code serve} on it.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve robust aggregation to other FL servers over gRPC (badfl.v1.Aggregation).",
        "Without --token-file the service listens on a loopback address only."})
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1",
        description = "Interface to listen on (default ${DEFAULT-VALUE}); non-loopback needs --token-file.")
    String host;

    @Option(names = "--port", defaultValue = "50051", description = "TCP port, 0 = any free one (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--state-dir", defaultValue = "badfl-service-state",
        description = "Where sessions are checkpointed and resumed from (default ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "TLS certificate chain (with --tls-key).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "TLS private key, PKCS#8 (with --tls-cert).")
    Path tlsKey;

    @Option(names = "--token-file", paramLabel = "FILE",
        description = "File holding the bearer token every call must present ('authorization: Bearer <token>').")
    Path tokenFile;

    @Option(names = "--threads", description = "Aggregation threads per session (default: all cores).")
    Integer threads;

    @Option(names = "--max-sessions", defaultValue = "64", description = "Open sessions (default ${DEFAULT-VALUE}).")
    int maxSessions;

    @Option(names = "--max-clients", defaultValue = "1000",
        description = "Updates one session may hold per round (default ${DEFAULT-VALUE}).")
    int maxClients;

    @Option(names = "--max-dimension", defaultValue = "50000000",
        description = "Parameters of a session's model (default ${DEFAULT-VALUE}).")
    long maxDimension;

    @Option(names = "--max-bytes", defaultValue = "4294967296",
        description = "Bytes of updates one session may hold per round (default ${DEFAULT-VALUE}).")
    long maxBytes;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String token = null;
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("--token-file " + tokenFile + ": cannot read (" + e.getMessage() + ")");
            }
            if (token.isEmpty()) {
                throw new IllegalArgumentException("--token-file " + tokenFile + ": the file is empty");
            }
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        for (Path p : new Path[] {tlsCert, tlsKey}) {
            if (p != null && !Files.isReadable(p)) {
                throw new IllegalArgumentException("TLS file " + p + ": not readable");
            }
        }
        ServiceLimits limits = new ServiceLimits(maxSessions, maxClients, maxDimension, maxBytes);
        int t = threads == null ? Compute.availableCores() : threads;
        if (t < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, found " + t);
        }
        AggregationServer server = new AggregationServer(host, port, stateDir, limits, t, tlsCert, tlsKey, token);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "badfl-serve-shutdown"));
        out.printf("badfl serve: listening on %s:%d (%s), state dir %s, %d session(s) resumed%n",
            server.address().getAddress().getHostAddress(), server.address().getPort(),
            tlsCert == null ? "plaintext" : "TLS", stateDir, server.service().sessionIds().size());
        out.println(token == null
            ? "badfl serve: no --token-file: listening on loopback only; every user of this machine can call it"
            : "badfl serve: calls must present the bearer token of " + tokenFile
                + (tlsCert == null ? " (plaintext: the token crosses the network unencrypted; give --tls-cert/--tls-key)" : ""));
        out.printf("badfl serve: limits: %d sessions, %d clients, %d parameters, %d bytes per session and round%n",
            limits.maxSessions(), limits.maxClients(), limits.maxDimension(), limits.maxBytes());
        out.flush();
        server.awaitTermination();
        return 0;
    }
}
