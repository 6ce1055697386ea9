package org.badfl.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.HostRoundUpdates;
import org.badfl.server.RoundAggregator;
import org.badfl.server.ServerContext;
import org.badfl.server.catalog.Defenses;
import org.badfl.service.v1.Chunk;
import org.badfl.service.v1.SessionRef;
import org.badfl.service.v1.SessionSpec;
import org.badfl.service.v1.UpdateMessage;
import org.badfl.service.v1.UpdateReceived;
import org.badfl.service.v1.VerdictStatus;
import org.badfl.util.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AggregationServiceTest {

    private static final int[] SIZES = {40, 4, 30, 3};
    private static final int D = 77;

    @TempDir
    Path dir;

    /** Client i's update of a round: honest ones near 0.01, the last {@code attackers} scaled by 50. */
    private static float[] delta(int round, int client, int clients, int attackers) {
        SplittableRandom rng = new SplittableRandom(Seeds.derive(7, "test-update", round, client));
        float[] d = new float[D];
        for (int j = 0; j < D; j++) {
            d[j] = (float) (0.01 + 0.002 * rng.nextGaussian());
            if (client >= clients - attackers) {
                d[j] = -50 * d[j];
            }
        }
        return d;
    }

    private static float[] initial() {
        float[] g = new float[D];
        for (int j = 0; j < D; j++) {
            g[j] = 0.001f * j;
        }
        return g;
    }

    private static ParamLayout layout() {
        ParamLayout.Builder b = ParamLayout.builder();
        for (int i = 0; i < SIZES.length; i++) {
            b.add("p" + i + (i % 2 == 0 ? ".weight" : ".bias"), SIZES[i], i % 2 == 0 ? ParamKind.WEIGHT : ParamKind.BIAS);
        }
        return b.build();
    }

    private static StatusRuntimeException status(Status.Code code, org.junit.jupiter.api.function.Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().getDescription());
        return e;
    }

    @Test
    void roundsMatchTheInProcessAggregatorBitForBit() throws Exception {
        int clients = 8;
        int rounds = 3;
        SessionSpec spec = ServiceHarness.spec("multi-krum", Map.of(), SIZES, 11, rounds);
        float[] expected = initial();
        RoundAggregator direct = new RoundAggregator(Defenses.create("multi-krum"));
        try (ServiceHarness h = new ServiceHarness(dir); Compute compute = Compute.create(2)) {
            String id = h.open(spec, initial()).getSessionId();
            for (int round = 1; round <= rounds; round++) {
                // Sent in reverse client order: the service orders by client id, so arrival order does not matter.
                for (int c = clients - 1; c >= 0; c--) {
                    h.send(id, round, 100 + c, 50 + c, delta(round, c, clients, 2));
                }
                ServiceHarness.Aggregated got = h.aggregate(id, round);
                HostRoundUpdates updates = new HostRoundUpdates(layout(), clients);
                for (int c = 0; c < clients; c++) {
                    updates.receive(c, 100 + c, 50 + c, delta(round, c, clients, 2));
                }
                RoundAggregator.Outcome want = direct.aggregate(expected, layout(), updates, round, rounds,
                    Seeds.derive(11, "aggregation", round), ServerContext.of(compute));
                expected = want.result().global();
                assertArrayEquals(expected, got.global(), "round " + round);
                assertEquals(clients, got.outcome().getVerdictsCount());
                for (int c = 0; c < clients; c++) {
                    assertEquals(100 + c, got.outcome().getVerdicts(c).getClientId());
                    assertEquals(c >= clients - 2, got.outcome().getVerdicts(c).getFlagged(), "client " + c);
                    assertEquals(want.result().verdicts().get(c).reason(), got.outcome().getVerdicts(c).getReason());
                }
            }
            // A caller that lost the answer asks again and gets the same one.
            assertArrayEquals(expected, h.aggregate(id, rounds).global());
        }
    }

    @Test
    void aRestartedServiceResumesItsSessionsWithTheSameAggregates() throws Exception {
        // FoolsGold keeps every client's update history across rounds: resuming must restore it.
        int clients = 6;
        int rounds = 3;
        SessionSpec spec = ServiceHarness.spec("foolsgold", Map.of(), SIZES, 5, rounds);
        float[] uninterrupted;
        try (ServiceHarness h = new ServiceHarness(dir.resolve("a"))) {
            String id = h.open(spec, initial()).getSessionId();
            float[] g = null;
            for (int round = 1; round <= rounds; round++) {
                for (int c = 0; c < clients; c++) {
                    h.send(id, round, c, 10, delta(round, c, clients, 1));
                }
                g = h.aggregate(id, round).global();
            }
            uninterrupted = g;
        }
        String id;
        try (ServiceHarness h = new ServiceHarness(dir.resolve("b"))) {
            id = h.open(spec, initial()).getSessionId();
            for (int c = 0; c < clients; c++) {
                h.send(id, 1, c, 10, delta(1, c, clients, 1));
            }
            h.aggregate(id, 1);
        }
        float[] resumed = null;
        for (int round = 2; round <= rounds; round++) {
            try (ServiceHarness h = new ServiceHarness(dir.resolve("b"))) {
                assertEquals(round, h.blocking.getSession(SessionRef.newBuilder().setSessionId(id).build())
                    .getNextRound());
                for (int c = 0; c < clients; c++) {
                    h.send(id, round, c, 10, delta(round, c, clients, 1));
                }
                resumed = h.aggregate(id, round).global();
            }
        }
        assertArrayEquals(uninterrupted, resumed);
        assertFalse(java.util.Arrays.equals(initial(), resumed));
    }

    @Test
    void wrongTotalLengthIsRejectedNamingTheClient() throws Exception {
        try (ServiceHarness h = new ServiceHarness(dir)) {
            String id = h.open(ServiceHarness.spec("fedavg", Map.of(), SIZES, 1, 2), initial()).getSessionId();
            StatusRuntimeException header = status(Status.Code.INVALID_ARGUMENT,
                () -> h.send(id, 1, 3, 10, new float[D + 1]));
            assertTrue(header.getStatus().getDescription().contains("client 3: wrong total length"),
                header.getStatus().getDescription());
            List<UpdateMessage> shortStream = ServiceHarness.update(id, 1, 4, 10, delta(1, 4, 5, 0), 10);
            shortStream.remove(shortStream.size() - 1);
            StatusRuntimeException ended = status(Status.Code.INVALID_ARGUMENT, () -> h.send(shortStream));
            assertTrue(ended.getStatus().getDescription().contains("client 4: stream ended after 70 values, 77 declared"),
                ended.getStatus().getDescription());
            // Too many values in the last chunk.
            List<UpdateMessage> longStream = ServiceHarness.update(id, 1, 5, 10, delta(1, 5, 5, 0), 10);
            longStream.set(longStream.size() - 1, UpdateMessage.newBuilder().setChunk(Chunk.newBuilder()
                .setSequence(7).setData(ChunkAssembler.encode(new float[10], 0, 10))).build());
            StatusRuntimeException over = status(Status.Code.INVALID_ARGUMENT, () -> h.send(longStream));
            assertTrue(over.getStatus().getDescription().contains("client 5: chunk 7 brings the total to 80 values"),
                over.getStatus().getDescription());
            // The session still works, and the rejected clients may send again.
            h.send(id, 1, 3, 10, delta(1, 3, 5, 0));
            assertEquals(1, h.aggregate(id, 1).outcome().getVerdictsCount());
        }
    }

    @Test
    void chunksOutOfOrderAreRejected() throws Exception {
        try (ServiceHarness h = new ServiceHarness(dir)) {
            String id = h.open(ServiceHarness.spec("fedavg", Map.of(), SIZES, 1, 2), initial()).getSessionId();
            List<UpdateMessage> m = ServiceHarness.update(id, 1, 9, 10, delta(1, 9, 10, 0), 10);
            UpdateMessage second = m.get(2);
            m.set(2, m.get(3));
            m.set(3, second);
            StatusRuntimeException e = status(Status.Code.INVALID_ARGUMENT, () -> h.send(m));
            assertTrue(e.getStatus().getDescription().contains("client 9: chunk 2 arrived out of order (expected "
                + "chunk 1)"), e.getStatus().getDescription());
        }
    }

    @Test
    void aDuplicateClientIdIsRejected() throws Exception {
        try (ServiceHarness h = new ServiceHarness(dir)) {
            String id = h.open(ServiceHarness.spec("fedavg", Map.of(), SIZES, 1, 2), initial()).getSessionId();
            h.send(id, 1, 2, 10, delta(1, 2, 5, 0));
            StatusRuntimeException e = status(Status.Code.INVALID_ARGUMENT, () -> h.send(id, 1, 2, 10, delta(1, 2, 5, 0)));
            assertTrue(e.getStatus().getDescription().contains("client 2: duplicate client id"),
                e.getStatus().getDescription());
            assertEquals(1, h.aggregate(id, 1).outcome().getVerdictsCount());
        }
    }

    @Test
    void nonFiniteValuesAreRejectedNamingIndexAndLayer() throws Exception {
        try (ServiceHarness h = new ServiceHarness(dir)) {
            String id = h.open(ServiceHarness.spec("fedavg", Map.of(), SIZES, 1, 2), initial()).getSessionId();
            float[] nan = delta(1, 1, 5, 0);
            nan[45] = Float.NaN;
            StatusRuntimeException e = status(Status.Code.INVALID_ARGUMENT, () -> h.send(id, 1, 1, 10, nan));
            assertTrue(e.getStatus().getDescription().contains("client 1: NaN at index 45 (p2.weight[1])"),
                e.getStatus().getDescription());
            float[] inf = delta(1, 1, 5, 0);
            inf[76] = Float.NEGATIVE_INFINITY;
            e = status(Status.Code.INVALID_ARGUMENT, () -> h.send(id, 1, 1, 10, inf));
            assertTrue(e.getStatus().getDescription().contains("client 1: -Infinity at index 76 (p3.bias[2])"),
                e.getStatus().getDescription());
        }
    }

    @Test
    void anUnknownSessionIsNotFoundWhileOtherSessionsKeepWorking() throws Exception {
        try (ServiceHarness h = new ServiceHarness(dir)) {
            String id = h.open(ServiceHarness.spec("fedavg", Map.of(), SIZES, 1, 2), initial()).getSessionId();
            StatusRuntimeException e = status(Status.Code.NOT_FOUND, () -> h.send("no-such-session", 1, 1, 10,
                delta(1, 1, 5, 0)));
            assertTrue(e.getStatus().getDescription().contains("unknown session id 'no-such-session'"));
            status(Status.Code.NOT_FOUND, () -> h.aggregate("no-such-session", 1));
            h.send(id, 1, 1, 10, delta(1, 1, 5, 0));
            float[] g = h.aggregate(id, 1).global();
            float[] want = initial();
            float[] d = delta(1, 1, 5, 0);
            for (int j = 0; j < D; j++) {
                assertEquals(want[j] + d[j], g[j], 1e-6f);
            }
        }
    }

    @Test
    void aClientDisconnectingMidStreamLeavesNothingBehind() throws Exception {
        try (ServiceHarness h = new ServiceHarness(dir)) {
            String id = h.open(ServiceHarness.spec("fedavg", Map.of(), SIZES, 1, 2), initial()).getSessionId();
            List<UpdateMessage> m = ServiceHarness.update(id, 1, 6, 10, delta(1, 6, 8, 0), 10);
            CountDownLatch ended = new CountDownLatch(1);
            StreamObserver<UpdateMessage> requests = h.async.sendUpdate(new StreamObserver<UpdateReceived>() {
                @Override
                public void onNext(UpdateReceived value) {
                }

                @Override
                public void onError(Throwable t) {
                    ended.countDown();
                }

                @Override
                public void onCompleted() {
                    ended.countDown();
                }
            });
            requests.onNext(m.get(0));
            requests.onNext(m.get(1));
            requests.onError(new RuntimeException("client process died"));
            assertTrue(ended.await(10, TimeUnit.SECONDS));
            // The server learns of the cancellation asynchronously; the reservation must go away.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            UpdateReceived resent = null;
            while (resent == null) {
                try {
                    resent = h.send(m);
                } catch (StatusRuntimeException e) {
                    assertTrue(e.getStatus().getDescription().contains("already streaming"), e.getMessage());
                    assertTrue(System.nanoTime() < deadline, "the abandoned stream was never released");
                    Thread.sleep(20);
                }
            }
            assertEquals(1, resent.getUpdatesInRound());
            assertEquals(List.of(6), h.blocking.getSession(SessionRef.newBuilder().setSessionId(id).build())
                .getClientsReceivedList());
        }
    }

    @Test
    void limitsAreAnsweredWithResourceExhaustedAndTheReason() throws Exception {
        ServiceLimits limits = new ServiceLimits(2, 2, 100, 4L * D * 3);
        try (ServiceHarness h = new ServiceHarness(dir, limits, null, null)) {
            StatusRuntimeException dim = status(Status.Code.RESOURCE_EXHAUSTED,
                () -> h.open(ServiceHarness.spec("fedavg", Map.of(), new int[] {80, 30}, 1, 2), new float[110]));
            assertTrue(dim.getStatus().getDescription().contains("max dimension"));
            String id = h.open(ServiceHarness.spec("fedavg", Map.of(), SIZES, 1, 2), initial()).getSessionId();
            h.send(id, 1, 0, 10, delta(1, 0, 5, 0));
            h.send(id, 1, 1, 10, delta(1, 1, 5, 0));
            StatusRuntimeException clients = status(Status.Code.RESOURCE_EXHAUSTED,
                () -> h.send(id, 1, 2, 10, delta(1, 2, 5, 0)));
            assertTrue(clients.getStatus().getDescription().contains("client 2: the round already holds 2 updates"),
                clients.getStatus().getDescription());
            h.open(ServiceHarness.spec("fedavg", Map.of(), SIZES, 1, 2), initial());
            StatusRuntimeException sessions = status(Status.Code.RESOURCE_EXHAUSTED,
                () -> h.open(ServiceHarness.spec("fedavg", Map.of(), SIZES, 1, 2), initial()));
            assertTrue(sessions.getStatus().getDescription().contains("max sessions"));
        }
        try (ServiceHarness h = new ServiceHarness(dir.resolve("bytes"), new ServiceLimits(4, 10, 100, 4L * D * 2 + 3),
            null, null)) {
            String id = h.open(ServiceHarness.spec("fedavg", Map.of(), SIZES, 1, 2), initial()).getSessionId();
            h.send(id, 1, 0, 10, delta(1, 0, 5, 0));
            h.send(id, 1, 1, 10, delta(1, 1, 5, 0));
            StatusRuntimeException bytes = status(Status.Code.RESOURCE_EXHAUSTED,
                () -> h.send(id, 1, 2, 10, delta(1, 2, 5, 0)));
            assertTrue(bytes.getStatus().getDescription().contains("max bytes"), bytes.getStatus().getDescription());
        }
    }

    @Test
    void callsWithoutTheRightBearerTokenAreRefused() throws Exception {
        SessionSpec spec = ServiceHarness.spec("fedavg", Map.of(), SIZES, 1, 2);
        try (ServiceHarness h = new ServiceHarness(dir, ServiceLimits.DEFAULT, "s3cret-token", null)) {
            status(Status.Code.UNAUTHENTICATED, () -> h.open(spec, initial()));
        }
        try (ServiceHarness h = new ServiceHarness(dir, ServiceLimits.DEFAULT, "s3cret-token", "s3cret-tokem")) {
            StatusRuntimeException e = status(Status.Code.UNAUTHENTICATED, () -> h.open(spec, initial()));
            assertEquals("wrong bearer token", e.getStatus().getDescription());
        }
        try (ServiceHarness h = new ServiceHarness(dir, ServiceLimits.DEFAULT, "s3cret-token", "s3cret-token")) {
            assertEquals(D, h.open(spec, initial()).getDimension());
        }
    }

    @Test
    void badSpecsAreInvalidArguments() throws Exception {
        try (ServiceHarness h = new ServiceHarness(dir)) {
            StatusRuntimeException e = status(Status.Code.INVALID_ARGUMENT,
                () -> h.open(ServiceHarness.spec("no-such-defense", Map.of(), SIZES, 1, 2), initial()));
            assertTrue(e.getStatus().getDescription().contains("unknown defense 'no-such-defense'"));
            e = status(Status.Code.INVALID_ARGUMENT,
                () -> h.open(ServiceHarness.spec("flame", Map.of("lamda", "1"), SIZES, 1, 2), initial()));
            assertTrue(e.getStatus().getDescription().contains("unknown option lamda"));
            e = status(Status.Code.INVALID_ARGUMENT,
                () -> h.open(ServiceHarness.spec("fedavg", Map.of(), SIZES, 1, 2), new float[D - 1]));
            assertTrue(e.getStatus().getDescription().contains("initial global model: stream ended after 76 values"));
            assertTrue(h.service.sessionIds().isEmpty());
        }
    }

    @Test
    void aDefenseNeedingDataTheServiceLacksIsAFailedPreconditionAndKeepsTheRound() throws Exception {
        try (ServiceHarness h = new ServiceHarness(dir)) {
            String id = h.open(ServiceHarness.spec("fltrust", Map.of(), SIZES, 1, 2), initial()).getSessionId();
            h.send(id, 1, 0, 10, delta(1, 0, 5, 0));
            StatusRuntimeException e = status(Status.Code.FAILED_PRECONDITION, () -> h.aggregate(id, 1));
            assertTrue(e.getStatus().getDescription().contains("root set"), e.getStatus().getDescription());
            var status = h.blocking.getSession(SessionRef.newBuilder().setSessionId(id).build());
            assertEquals(1, status.getNextRound());
            assertEquals(List.of(0), status.getClientsReceivedList());
        }
    }

    @Test
    void badflWithoutInspectionSaysSoInEveryRoundsNote() throws Exception {
        try (ServiceHarness h = new ServiceHarness(dir)) {
            var opened = h.open(ServiceHarness.spec("badfl", Map.of(), SIZES, 1, 2), initial());
            assertTrue(opened.getNote().contains("without neuron inspection"));
            for (int round = 1; round <= 2; round++) {
                for (int c = 0; c < 6; c++) {
                    h.send(opened.getSessionId(), round, c, 10, delta(round, c, 6, 1));
                }
                ServiceHarness.Aggregated a = h.aggregate(opened.getSessionId(), round);
                assertTrue(a.outcome().getNote().contains("BADFL runs without neuron inspection"),
                    a.outcome().getNote());
                assertEquals(6, a.outcome().getVerdictsCount());
                a.outcome().getVerdictsList().forEach(v -> assertTrue(v.getStatus() != VerdictStatus.VERDICT_STATUS_UNSPECIFIED));
            }
            h.blocking.closeSession(SessionRef.newBuilder().setSessionId(opened.getSessionId()).build());
            assertTrue(h.service.sessionIds().isEmpty());
            assertEquals(0, java.nio.file.Files.list(dir).count());
        }
    }
}
