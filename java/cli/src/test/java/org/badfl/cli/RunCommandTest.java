package org.badfl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.badfl.sim.ConfigLoader;
import org.badfl.sim.RunReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {

    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void helpListsEveryAttack() {
        assertEquals(0, run("run", "--help"));
        String help = out.toString().replaceAll("\\s+", " ");
        for (String attack : org.badfl.sim.AdversaryConfig.ATTACKS) {
            assertTrue(help.contains(attack), "--help names attack " + attack + ":\n" + help);
        }
        for (String key : List.of("--alie-z", "--ipm-eps", "--perturbation", "--gamma-init", "--flip-mode",
            "--noise-std", "--mimic-client", "--base-attack")) {
            assertTrue(help.contains(key), key);
        }
    }

    /** A tiny scenario as flags (runs in about a second); {@code more} adds or replaces flags. */
    private List<String> tiny(String name, String... more) {
        java.util.LinkedHashMap<String, String> flags = new java.util.LinkedHashMap<>();
        String[] base = {"--dataset", "synthetic:n=240,test=60,classes=4,size=16", "--clients", "6", "--rounds", "2",
            "--epochs", "1", "--lr", "0.05", "--batch-size", "8", "--momentum", "0.5", "--root-set", "8",
            "--inspection-set", "4", "--min-samples", "5", "--attack", "pixel-pattern", "--attackers", "2",
            "--trigger", "square", "--out", dir.toString(), "--name", name, "--progress", "plain"};
        for (int i = 0; i < base.length; i += 2) {
            flags.put(base[i], base[i + 1]);
        }
        List<String> switches = new ArrayList<>();
        for (int i = 0; i < more.length; i++) {
            if (more[i].equals("--force")) {
                switches.add(more[i]);
            } else {
                flags.put(more[i], more[++i]);
            }
        }
        List<String> a = new ArrayList<>(List.of("run"));
        flags.forEach((k, v) -> {
            a.add(k);
            a.add(v);
        });
        a.addAll(switches);
        return a;
    }

    private static String[] args(List<String> a) {
        return a.toArray(new String[0]);
    }

    private Set<String> filesIn(Path p) throws Exception {
        if (!Files.exists(p)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.map(p::relativize).map(Path::toString).collect(Collectors.toSet());
        }
    }

    @Test
    void aTinyRunWritesEveryOutputAndPrintsTheTable() throws Exception {
        assertEquals(0, run(args(tiny("t", "--defense", "no-attack,fedavg,flame"))), err.toString());
        Path run = dir.resolve("t");
        for (String f : List.of("config.json", "rounds.csv", "summary.json", "acc.png", "asr.png", "report.md",
            "checkpoint/state.json")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        String text = out.toString();
        assertTrue(text.contains("[2/3] fedavg round 2/2: acc"), text);
        assertTrue(text.contains("defense") && text.contains("paper_tpr") && text.lines().anyMatch(l ->
            l.startsWith("flame ")), text);
        JsonNode summary = ConfigLoader.json().readTree(Files.readString(run.resolve("summary.json")));
        assertEquals(3, summary.get("results").size());
        assertTrue(summary.get("results").get(1).get("paper_tpr").isNull());
        assertEquals(1 + 3 * 2, Files.readAllLines(run.resolve("rounds.csv")).size(), "header + 3 defenses x 2 rounds");
        assertTrue(Files.readString(run.resolve("report.md")).contains("| flame |"));
        // the resolved config runs the same scenario again
        assertEquals(0, run("run", "--config", run.resolve("config.json").toString(), "--name", "again",
            "--progress", "none"), err.toString());
        JsonNode again = ConfigLoader.json().readTree(Files.readString(dir.resolve("again/summary.json")));
        assertEquals(RunReport.withoutTimes((com.fasterxml.jackson.databind.node.ObjectNode) summary),
            RunReport.withoutTimes((com.fasterxml.jackson.databind.node.ObjectNode) again));
        // resuming a finished run only rewrites its outputs
        assertEquals(0, run("run", "--resume", run.toString(), "--threads", "1", "--progress", "none"), err.toString());
    }

    @Test
    void badInputExitsWithTwoAndWritesNothing() throws Exception {
        Object[][] cases = {
            {tiny("a", "--defense", "fedavg,krumm"), "unknown defense 'krumm'; valid defenses: no-attack, fedavg"},
            {tiny("b", "--attack", "trojan"), "unknown attack 'trojan'; valid attacks: none, pixel-pattern"},
            {tiny("c", "--model", "vgg"), "unknown model 'vgg'"},
            {tiny("d", "--attackers", "7"), "7 attackers in all adversaries but only 6 clients"},
            {tiny("e", "--dataset", "idx:" + dir.resolve("nowhere")), dir.resolve("nowhere").toString()},
            {tiny("f", "--rounds", "many"), "key 'rounds': expected an integer, found 'many'"},
            {tiny("g", "--learning-rate", "0.1"), "Unknown option"},
            {tiny("h", "--defense-option", "flame:lamda=1", "--defense", "flame"), "unknown option lamda"},
            {tiny("i", "--target", "9"), "target label 9 does not exist"},
            {tiny("j", "--schedule", "often"), "attack schedule: expected every-round"},
        };
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            List<String> a = (List<String>) c[0];
            assertEquals(2, run(args(a)), a + " -> " + err);
            assertTrue(err.toString().contains((String) c[1]), a + " -> " + err);
        }
        assertEquals(Set.of(), filesIn(dir).stream().filter(s -> !s.isEmpty()).collect(Collectors.toSet()),
            "nothing written");

        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "rounds: 2\nclient: 4\n");
        assertEquals(2, run("run", "--config", config.toString(), "--out", dir.resolve("runs").toString()));
        assertTrue(err.toString().contains("unknown config key 'client'") && err.toString().contains("valid keys: "),
            err.toString());
        assertFalse(Files.exists(dir.resolve("runs")));
    }

    @Test
    void anExistingRunIsNeverWrittenOverWithoutForce() throws Exception {
        assertEquals(0, run(args(tiny("keep", "--defense", "fedavg", "--rounds", "1"))), err.toString());
        Path keep = dir.resolve("keep");
        String summary = Files.readString(keep.resolve("summary.json"));
        assertEquals(2, run(args(tiny("keep", "--defense", "fedavg", "--rounds", "2"))));
        assertTrue(err.toString().contains("already exists") && err.toString().contains("--resume"), err.toString());
        assertEquals(summary, Files.readString(keep.resolve("summary.json")));
        assertEquals(2, run("run", "--resume", keep.toString(), "--rounds", "3"));
        assertTrue(err.toString().contains("remove --rounds"), err.toString());
        assertEquals(2, run("run", "--resume", dir.resolve("none").toString()));
        assertEquals(0, run(args(tiny("keep", "--defense", "fedavg", "--rounds", "2", "--force"))), err.toString());
        assertEquals(2, ConfigLoader.load(keep.resolve("config.json")).rounds);
    }

    @Test
    void printConfigShowsTheResolvedConfigAndRunsNothing() {
        assertEquals(0, run("run", "--print-config", "--attack", "edge-case", "--out", dir.toString()));
        String yaml = out.toString();
        assertTrue(yaml.contains("attack: edge-case") && yaml.contains("target: 1") && yaml.contains("pgd-eps: 0.25"),
            yaml);
        assertTrue(ConfigLoader.parse(yaml, "printed").resolved().primary.attack.equals("edge-case"));
        assertFalse(Files.exists(dir.resolve("runs")));
    }

    @Test
    void printConfigChecksDefenseOptions() {
        assertEquals(2, run("run", "--print-config", "--defense", "fedavg,badfl", "--defense-option",
            "badfl:patch-guard=3.5", "--out", dir.toString()));
        assertTrue(err.toString().contains("defense badfl: unknown option patch-guard; valid options: preset, "),
            err.toString());
        assertEquals("", out.toString(), "no config printed");
        assertEquals(2, run("run", "--print-config", "--defense", "badfl", "--defense-option", "badfl:preset=seeds",
            "--out", dir.toString()));
        assertTrue(err.toString().contains("defense badfl: option preset must be one of default, paper, found 'seeds'"),
            err.toString());
        assertEquals(0, run("run", "--print-config", "--defense", "badfl,badfl-paper", "--defense-option",
            "badfl:preset=paper", "--out", dir.toString()), err.toString());
        assertTrue(out.toString().contains("preset: paper"), out.toString());
    }

    @Test
    void everyConfigKeyIsAFlag() {
        CommandLine cl = new CommandLine(new Main()).getSubcommands().get("run");
        Set<String> flags = cl.getCommandSpec().options().stream().flatMap(o -> Stream.of(o.names()))
            .collect(Collectors.toSet());
        for (ConfigLoader.Key k : ConfigLoader.keys()) {
            assertTrue(flags.contains("--" + k.name()), "--" + k.name());
        }
        assertTrue(flags.containsAll(Set.of("--defense", "--defense-option", "--adversary", "--config", "--resume")));
    }
}
