package org.badfl.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.badfl.sim.AdversaryConfig;
import org.badfl.sim.ConfigLoader;
import org.badfl.sim.ScenarioConfig;

/** The spark module's test scenario and the comparisons of two runs' outputs. */
final class SparkRuns {

    /** Fields that differ between any two runs (as tools/golden/summary_diff.py ignores them). */
    static final Set<String> UNSTABLE = Set.of("seconds", "seconds_by_phase", "wall_seconds", "provenance", "started",
        "host_device_bytes");

    /** rounds.csv columns that are wall-clock times. */
    static final Set<String> TIME_COLUMNS = Set.of("train_s", "defense_s", "eval_s", "host_device_bytes");

    private SparkRuns() {
    }

    /**
     * Embedded MNIST, cnn-small, 10 clients of which 3 take part each round (attackers always), 2 rounds of one
     * local epoch, 2 constrain-and-scale attackers; FedAvg and FLAME.
     */
    static ScenarioConfig small() {
        ScenarioConfig c = new ScenarioConfig();
        c.rounds = 2;
        c.clients = 10;
        c.fraction = 0.3;
        c.epochs = 1;
        c.batchSize = 32;
        c.defenses = List.of("fedavg", "flame");
        c.primary = new AdversaryConfig();
        c.primary.attack = "constrain-and-scale";
        c.primary.attackers = 2;
        return c;
    }

    /** The same scenario as command-line flags. */
    static List<String> smallFlags() {
        return List.of("--rounds", "2", "--clients", "10", "--fraction", "0.3", "--epochs", "1", "--batch-size", "32",
            "--defenses", "fedavg,flame", "--attack", "constrain-and-scale", "--attackers", "2");
    }

    /** {@code summary} without the fields that differ between runs. */
    static JsonNode stable(JsonNode summary) {
        try { // through text, as summary.json holds it (number node types differ in memory)
            JsonNode copy = ConfigLoader.json().readTree(ConfigLoader.json().writeValueAsString(summary));
            strip(copy);
            return copy;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove(UNSTABLE);
            for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
                strip(it.next());
            }
        } else if (node.isArray()) {
            node.forEach(SparkRuns::strip);
        }
    }

    static JsonNode readSummary(Path file) throws IOException {
        return stable(ConfigLoader.json().readTree(Files.readString(file)));
    }

    /** rounds.csv without its time columns. */
    static List<String> roundsWithoutTimes(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        String[] header = lines.get(0).split(",");
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(",", header.length); // the note (last) may hold commas
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < header.length; i++) {
                if (!TIME_COLUMNS.contains(header[i])) {
                    sb.append(i < f.length ? f[i] : "<missing>").append('|');
                }
            }
            out.add(sb.toString());
        }
        return out;
    }
}
