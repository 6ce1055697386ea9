package org.badfl.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.badfl.evaluation.DetectionCounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir
    Path dir;

    private static RoundRecord record(String defense, int round, DetectionCounts d) {
        return new RoundRecord(defense, round, 0.875, new double[] {0.125, 0.5}, 6, 2, 1, d, 1.5, 0.25, 0.5,
            "a note, with a comma");
    }

    @Test
    void saveAndLoadRoundTripEverything() {
        float[] g = {1.5f, -0f, Float.MIN_VALUE, -3.25e10f, 7f};
        List<RoundRecord> records = List.of(record("fedavg", 1, null), record("flame", 1, new DetectionCounts(1, 2, 3, 0)));
        Checkpoint.save(dir, "abc", 1, 1, g, records, java.util.Map.of("fedavg",
            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("certified_acc", 0.5)), null);
        Checkpoint c = Checkpoint.load(dir);
        assertEquals("abc", c.fingerprint());
        assertEquals(1, c.defenseIndex());
        assertEquals(1, c.roundsDone());
        assertEquals(records, c.records());
        assertArrayEquals(g, c.loadGlobal(dir, 5));
        assertNull(c.defenseState());
        assertEquals(0.5, c.finals().get("fedavg").get("certified_acc").asDouble());
    }

    @Test
    void aNewCheckpointReplacesTheOldModelFile() throws Exception {
        Checkpoint.save(dir, "f", 0, 1, new float[] {1}, List.of(), null, null);
        Checkpoint.save(dir, "f", 0, 2, new float[] {2}, List.of(), null, null);
        assertFalse(Files.exists(dir.resolve("global-d0-r1.bin")));
        assertTrue(Files.exists(dir.resolve("global-d0-r2.bin")));
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary files left");
        }
        assertArrayEquals(new float[] {2}, Checkpoint.load(dir).loadGlobal(dir, 1));
        Checkpoint.save(dir, "f", 1, 0, null, List.of(), null, null);
        assertNull(Checkpoint.load(dir).loadGlobal(dir, 1), "round 0 of the next defense starts from the initial G");
    }

    @Test
    void damagedFilesAreReportedNotUsed() throws Exception {
        Checkpoint.save(dir, "f", 0, 1, new float[] {1, 2, 3}, List.of(), null, null);
        Path bin = dir.resolve("global-d0-r1.bin");
        byte[] b = Files.readAllBytes(bin);
        b[14] ^= 1;
        Files.write(bin, b);
        String m = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(dir).loadGlobal(dir, 3))
            .getMessage();
        assertTrue(m.contains("CRC"), m);
        Files.write(bin, java.util.Arrays.copyOf(b, b.length - 2));
        m = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(dir).loadGlobal(dir, 3)).getMessage();
        assertTrue(m.contains("bytes"), m);
        Files.writeString(dir.resolve("state.json"), "{\"format\": 99}");
        m = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(dir)).getMessage();
        assertTrue(m.contains("format"), m);
    }

    @Test
    void atomicWriteReplacesWholeFiles() throws Exception {
        Path f = dir.resolve("x.txt");
        AtomicFiles.write(f, "first");
        AtomicFiles.write(f, "second");
        assertEquals("second", Files.readString(f));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
    }
}
