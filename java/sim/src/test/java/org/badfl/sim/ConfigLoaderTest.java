package org.badfl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void defaultsResolveToTheEmbeddedScenario() {
        ScenarioConfig c = new ScenarioConfig().resolved();
        assertEquals("mnist-embedded", c.dataset);
        assertEquals(20, c.clients);
        assertEquals(List.of("no-attack", "fedavg", "flame", "rlr", "crfl", "fltrust", "badfl"), c.defenses);
        assertEquals("constrain-and-scale", c.primary.attack);
        assertEquals(4, c.primary.attackers);
        assertEquals(0, c.primary.target);
        assertEquals("backdoors101", c.primary.trigger);
        assertEquals(0.5, c.primary.poisonRatio);
        assertEquals("auto", c.primary.scale);
        assertEquals(1.0, c.primary.anomalyAlpha);
        assertNull(c.primary.pgdEps, "edge-case keys are null for constrain-and-scale");
    }

    @Test
    void yamlAndJsonFilesGiveTheSameConfig() throws Exception {
        Path yaml = dir.resolve("s.yaml");
        Files.writeString(yaml, """
            rounds: 3
            clients: 10
            attack: dba
            attackers: 2
            defenses: [fedavg, flame]
            defense-options:
              flame: {lambda: 0.002}
            more-adversaries:
              - {attack: pixel-pattern, attackers: 1, target: 5, trigger: "square:size=3"}
            """);
        Path json = dir.resolve("s.json");
        Files.writeString(json, """
            {"rounds": 3, "clients": 10, "attack": "dba", "attackers": 2, "defenses": ["fedavg", "flame"],
             "defense-options": {"flame": {"lambda": "0.002"}},
             "more-adversaries": [{"attack": "pixel-pattern", "attackers": 1, "target": 5, "trigger": "square:size=3"}]}
            """);
        ScenarioConfig a = ConfigLoader.load(yaml).resolved();
        ScenarioConfig b = ConfigLoader.load(json).resolved();
        assertEquals(a, b);
        assertEquals(3, a.rounds);
        assertEquals("dba", a.primary.attack);
        assertEquals("dba", a.primary.trigger);
        assertEquals(Map.of("lambda", "0.002"), a.defenseOptions.get("flame"));
        assertEquals(5, a.moreAdversaries.get(0).target);
        assertEquals(20, new ScenarioConfig().clients, "defaults untouched");
    }

    @Test
    void resolvedConfigRoundTripsThroughJsonAndYaml() {
        ScenarioConfig c = new ScenarioConfig();
        c.primary.attack = "edge-case";
        c.primary.attackers = 3;
        AdversaryConfig more = new AdversaryConfig();
        more.attack = "constrain-and-scale";
        more.attackers = 2;
        more.target = 4;
        more.anomalyAlpha = 0.7;
        c.moreAdversaries.add(more);
        c.defenseOptions.put("rlr", Map.of("threshold", "6"));
        c.defenses = List.of("fedavg", "rlr");
        ScenarioConfig r = c.resolved();
        assertEquals(r, ConfigLoader.parse(ConfigLoader.toJson(r), "json").resolved());
        assertEquals(r, ConfigLoader.parse(ConfigLoader.toYaml(r), "yaml").resolved());
        assertEquals(r, r.resolved(), "resolving is idempotent");
        assertEquals(1, r.primary.target, "edge-case default target");
        assertEquals(0.25, r.primary.pgdEps);
    }

    @Test
    void maxUpdateNormIsWrittenOnlyWhenSetAndChecked() {
        ScenarioConfig c = new ScenarioConfig().resolved();
        assertFalse(ConfigLoader.toJson(c).contains("max-update-norm"), "the default run's config must not change");
        ScenarioConfig set = ConfigLoader.parse("max-update-norm: 25.5\n", "test");
        assertEquals(25.5, set.resolved().maxUpdateNorm);
        assertTrue(ConfigLoader.toJson(set).contains("\"max-update-norm\" : 25.5"), ConfigLoader.toJson(set));
        ScenarioConfig negative = ConfigLoader.parse("max-update-norm: -1\n", "test");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, negative::resolved);
        assertTrue(e.getMessage().contains("max-update-norm"), e.getMessage());
    }

    @Test
    void unknownKeysAreRejectedWithTheValidOnes() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "rounds: 3\nlearning-rate: 0.1\n");
        String m = error(() -> ConfigLoader.load(f));
        assertTrue(m.contains("unknown config key 'learning-rate'") && m.contains("valid keys: name, out, seed")
            && m.contains("poison-ratio") && m.contains(f.toString()), m);
        Files.writeString(f, "more-adversaries: [{attack: dba, size: 3}]\n");
        m = error(() -> ConfigLoader.load(f));
        assertTrue(m.contains("unknown key 'size' in more-adversaries[0]") && m.contains("attackers"), m);
    }

    @Test
    void wrongTypesNameTheKey() {
        String m = error(() -> ConfigLoader.parse("rounds: many", "test"));
        assertTrue(m.contains("key 'rounds'") && m.contains("expected an integer") && m.contains("'many'"), m);
        m = error(() -> ConfigLoader.parse("poison-ratio: half", "test"));
        assertTrue(m.contains("key 'poison-ratio'") && m.contains("a number"), m);
    }

    @Test
    void badValuesNameTheKeyAndTheExpectation() {
        ScenarioConfig c = new ScenarioConfig();
        c.primary.attackers = 21;
        String m = error(c::resolved);
        assertTrue(m.contains("21 attackers") && m.contains("only 20 clients"), m);

        ScenarioConfig d = new ScenarioConfig();
        d.primary.attack = "trojan";
        m = error(d::resolved);
        assertTrue(m.contains("unknown attack 'trojan'") && m.contains("pixel-pattern, constrain-and-scale, dba, edge-case"), m);

        ScenarioConfig e = new ScenarioConfig();
        e.primary.pgdEps = 0.1;
        m = error(e::resolved);
        assertTrue(m.contains("'pgd-eps' does not apply to attack constrain-and-scale"), m);

        ScenarioConfig f = new ScenarioConfig();
        f.fraction = 0;
        m = error(f::resolved);
        assertTrue(m.contains("'fraction'") && m.contains("(0, 1]"), m);

        ScenarioConfig g = new ScenarioConfig();
        g.defenses = List.of("fedavg", "FedAvg");
        m = error(g::resolved);
        assertTrue(m.contains("'fedavg' twice"), m);
    }

    @Test
    void attackNoneAloneMeansNoAttackers() {
        ScenarioConfig c = ConfigLoader.parse("attack: none", "test").resolved();
        assertEquals(0, c.primary.attackers);
        assertTrue(c.adversaries().stream().allMatch(a -> a.attack.equals("none")));
    }

    @Test
    void mergeReplacesScalarsAndListsAndMergesObjects() {
        var base = ConfigLoader.toTree(ConfigLoader.parse("rounds: 3\ndefenses: [fedavg]\ndefense-options: {flame: "
            + "{lambda: 1}}", "base"));
        var over = ConfigLoader.toTree(new ScenarioConfig()).removeAll();
        over.put("rounds", "5");
        over.putObject("defense-options").putObject("flame").put("median-over", "admitted");
        ScenarioConfig m = ConfigLoader.fromTree(ConfigLoader.merge(base, over), "merged");
        assertEquals(5, m.rounds);
        assertEquals(List.of("fedavg"), m.defenses);
        assertEquals(Map.of("lambda", "1", "median-over", "admitted"), m.defenseOptions.get("flame"));
    }
}
