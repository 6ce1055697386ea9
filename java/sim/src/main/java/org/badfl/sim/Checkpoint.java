package org.badfl.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * The state a run saves after every completed round, in {@code <run>/checkpoint/}:
 * <ul>
 *   <li>{@code global-d<i>-r<t>.bin}: G of defense i after round t (magic {@code BADFLG01}, value count,
 *       little-endian float32 values, CRC-32 of the values), written first;</li>
 *   <li>{@code state.json}: the position (defense index, rounds done), the name of that G file, every round
 *       record so far and a fingerprint of the scenario, written second — its atomic replacement is the commit
 *       point. Older G files are deleted after it.</li>
 * </ul>
 * Both writes are atomic ({@link AtomicFiles}), so a kill at any moment leaves the previous or the new
 * checkpoint, and a resumed run repeats at most the interrupted round. Everything else a round needs (data,
 * partition, attackers, client seeds, server noise) is derived from the config and the master seed.
 *
 * @param fingerprint   hash of the scenario the state belongs to (resume refuses a different scenario)
 * @param defenseIndex  index (in the config's defense list) of the defense in progress
 * @param roundsDone    rounds of that defense completed (0..T)
 * @param globalFile    file name of its G after {@code roundsDone} rounds, null when {@code roundsDone == 0}
 * @param records       every round record so far, all defenses, in the order produced
 * @param finals        fields added by a {@link FinalEvaluation} per completed defense (may be empty)
 * @param defenseState  saved state of a defense that keeps state across rounds (null for stateless ones)
 */
public record Checkpoint(String fingerprint, int defenseIndex, int roundsDone, String globalFile,
                         List<RoundRecord> records, Map<String, ObjectNode> finals, String defenseState) {

    /** Current format; a state file of another format is refused. */
    public static final int FORMAT = 1;

    private static final byte[] MAGIC = "BADFLG01".getBytes(StandardCharsets.US_ASCII);
    private static final String STATE = "state.json";

    public Checkpoint {
        Objects.requireNonNull(fingerprint, "fingerprint");
        records = List.copyOf(records);
        finals = finals == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(finals));
    }

    /** The JSON form (with a format number). */
    private record StateFile(int format, String fingerprint, int defenseIndex, int roundsDone, String globalFile,
                             List<RoundRecord> records, Map<String, ObjectNode> finals, String defenseState) {
    }

    /** Saves {@code global} (not modified) and this state atomically into {@code dir} (created if absent). */
    public static Checkpoint save(Path dir, String fingerprint, int defenseIndex, int roundsDone, float[] global,
                                  List<RoundRecord> records, Map<String, ObjectNode> finals, String defenseState) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create checkpoint folder " + dir, e);
        }
        String globalFile = null;
        if (roundsDone > 0) {
            globalFile = "global-d" + defenseIndex + "-r" + roundsDone + ".bin";
            AtomicFiles.write(dir.resolve(globalFile), encode(global));
        }
        Checkpoint c = new Checkpoint(fingerprint, defenseIndex, roundsDone, globalFile, records, finals, defenseState);
        try {
            byte[] json = ConfigLoader.json().writeValueAsBytes(new StateFile(FORMAT, fingerprint, defenseIndex,
                roundsDone, globalFile, c.records, c.finals, defenseState));
            AtomicFiles.write(dir.resolve(STATE), json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        deleteOtherGlobals(dir, globalFile);
        return c;
    }

    /** True when {@code dir} holds a state file. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(STATE));
    }

    /**
     * Loads the state of {@code dir}.
     *
     * @throws IllegalArgumentException missing, unreadable or corrupt state (named)
     */
    public static Checkpoint load(Path dir) {
        Path file = dir.resolve(STATE);
        StateFile s;
        try {
            com.fasterxml.jackson.databind.JsonNode tree = ConfigLoader.json().readTree(Files.readAllBytes(file));
            int format = tree.path("format").asInt(-1);
            if (format != FORMAT) {
                throw new IllegalArgumentException("checkpoint " + file + ": expected format " + FORMAT + ", found "
                    + tree.path("format"));
            }
            s = ConfigLoader.json().treeToValue(tree, StateFile.class);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("checkpoint " + file + ": expected a state file, found nothing");
        } catch (IOException e) {
            throw new IllegalArgumentException("checkpoint " + file + ": cannot be read (" + e.getMessage() + ")");
        }
        if (s.roundsDone() > 0 && s.globalFile() == null) {
            throw new IllegalArgumentException("checkpoint " + file + ": " + s.roundsDone() + " rounds done but no "
                + "global model file named");
        }
        return new Checkpoint(s.fingerprint(), s.defenseIndex(), s.roundsDone(), s.globalFile(),
            s.records() == null ? List.of() : s.records(), s.finals(), s.defenseState());
    }

    /** G saved with this state (checked against its CRC), or null when no round of the defense is done. */
    public float[] loadGlobal(Path dir, int expectedLength) {
        if (globalFile == null) {
            return null;
        }
        Path file = dir.resolve(globalFile);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("checkpoint " + file + ": cannot be read (" + e.getMessage() + ")");
        }
        float[] g = decode(bytes, file.toString());
        if (g.length != expectedLength) {
            throw new IllegalArgumentException("checkpoint " + file + ": expected " + expectedLength
                + " parameters (the scenario's model), found " + g.length);
        }
        return g;
    }

    static byte[] encode(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + 4 * values.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(values.length);
        for (float v : values) {
            b.putFloat(v);
        }
        CRC32 crc = new CRC32();
        crc.update(b.array(), MAGIC.length + 4, 4 * values.length);
        b.putLong(crc.getValue());
        return b.array();
    }

    static float[] decode(byte[] bytes, String name) {
        if (bytes.length < MAGIC.length + 12) {
            throw new IllegalArgumentException("checkpoint " + name + ": truncated (" + bytes.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        b.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException("checkpoint " + name + ": not a badfl model file (bad magic)");
        }
        int n = b.getInt();
        if (n < 0 || bytes.length != MAGIC.length + 4 + 4L * n + 8) {
            throw new IllegalArgumentException("checkpoint " + name + ": expected " + (MAGIC.length + 4 + 4L * n + 8)
                + " bytes for " + n + " values, found " + bytes.length);
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = b.getFloat();
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, MAGIC.length + 4, 4 * n);
        if (b.getLong() != crc.getValue()) {
            throw new IllegalArgumentException("checkpoint " + name + ": CRC mismatch (file damaged)");
        }
        return v;
    }

    private static void deleteOtherGlobals(Path dir, String keep) {
        List<Path> old = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "global-*.bin")) {
            for (Path p : ds) {
                if (!p.getFileName().toString().equals(keep)) {
                    old.add(p);
                }
            }
            for (Path p : old) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // stale model files only cost disk space; the state file names the current one
        }
    }
}
