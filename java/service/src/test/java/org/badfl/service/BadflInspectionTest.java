package org.badfl.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Models;
import org.badfl.engine.ParamLayout;
import org.badfl.service.v1.Inspection;
import org.badfl.service.v1.ParamKind;
import org.badfl.service.v1.Parameter;
import org.badfl.service.v1.SessionSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BADFL with neuron inspection: a catalogue model and an inspection set on the service's disk. */
class BadflInspectionTest {

    @TempDir
    Path dir;

    private static Path writeSet(Path file, int count, int size, int classes) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(8 + 16 + 4 * count + 4 * count * size * size).order(ByteOrder.LITTLE_ENDIAN);
        b.put("BADFLINS".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.putInt(count).putInt(1).putInt(size).putInt(size);
        for (int i = 0; i < count; i++) {
            b.putInt(i % classes);
        }
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < count * size * size; i++) {
            b.putFloat((float) rng.nextGaussian());
        }
        return Files.write(file, b.array());
    }

    private static SessionSpec spec(ModelSpec model, Inspection inspection) {
        SessionSpec.Builder s = SessionSpec.newBuilder().setDefense("badfl").setSeed(4).setTotalRounds(3)
            .setInspection(inspection);
        for (ParamLayout.Entry e : model.layout().entries()) {
            s.addLayout(Parameter.newBuilder().setName(e.name()).setSize(e.length())
                .setKind(ParamKind.valueOf(e.kind().name())));
        }
        return s.build();
    }

    @Test
    void badflInspectsClientModelsWithTheServersSet() throws Exception {
        ModelSpec model = Models.spec("cnn-small", 1, 28, 28, 10);
        Path set = writeSet(dir.resolve("inspection.bin"), 20, 28, 10);
        float[] g = model.create(9).params().clone();
        try (ServiceHarness h = new ServiceHarness(dir.resolve("state"))) {
            var opened = h.open(spec(model, Inspection.newBuilder().setModel("cnn-small")
                .setInspectionSetPath(set.toString()).setClasses(10).build()), g);
            assertEquals("", opened.getNote());
            int clients = 6;
            for (int c = 0; c < clients; c++) {
                SplittableRandom rng = new SplittableRandom(100 + c);
                float[] d = new float[g.length];
                for (int j = 0; j < d.length; j++) {
                    d[j] = (float) (0.001 * rng.nextGaussian() * (c == clients - 1 ? 40 : 1));
                }
                h.send(opened.getSessionId(), 1, c, 50, d);
            }
            ServiceHarness.Aggregated a = h.aggregate(opened.getSessionId(), 1);
            assertFalse(a.outcome().getNote().contains("MNIA skipped"), a.outcome().getNote());
            assertFalse(a.outcome().getNote().contains("without neuron inspection"), a.outcome().getNote());
            assertTrue(a.outcome().getNote().contains("MNIA"), a.outcome().getNote());
            assertEquals(clients, a.outcome().getVerdictsCount());
        }
    }

    @Test
    void aModelWhoseLayoutDiffersFromTheSessionsIsRefused() throws Exception {
        ModelSpec model = Models.spec("cnn-small", 1, 28, 28, 10);
        Path set = writeSet(dir.resolve("inspection.bin"), 4, 28, 10);
        try (ServiceHarness h = new ServiceHarness(dir.resolve("state"))) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> h.open(spec(model,
                Inspection.newBuilder().setModel("cnn-small").setInspectionSetPath(set.toString()).setClasses(7)
                    .build()), new float[model.layout().size()]));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("the session's layout is"),
                e.getStatus().getDescription());
            Path truncated = Files.write(dir.resolve("short.bin"), new byte[] {'B', 'A', 'D'});
            e = assertThrows(StatusRuntimeException.class, () -> h.open(spec(model, Inspection.newBuilder()
                .setModel("cnn-small").setInspectionSetPath(truncated.toString()).setClasses(10).build()),
                new float[model.layout().size()]));
            assertTrue(e.getStatus().getDescription().contains("not a badfl inspection set"),
                e.getStatus().getDescription());
        }
    }
}
