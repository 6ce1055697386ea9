package org.badfl.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExperimentTableTest {

    @Test
    void theIntervalIsStudentsT() {
        // mean 2, s = 1, t(0.975, 2) = 4.302652729911275 -> half-width 4.3027 / sqrt(3)
        ExperimentTable.Stat s = ExperimentTable.Stat.of(List.of(1.0, 2.0, 3.0));
        assertEquals(2.0, s.mean(), 1e-12);
        assertEquals(4.302652729911275 / Math.sqrt(3), s.halfWidth(), 1e-9);
        // two values 0.9, 1.0: s = 0.0707..., t(0.975, 1) = 12.7062
        ExperimentTable.Stat two = ExperimentTable.Stat.of(List.of(0.9, 1.0));
        assertEquals(12.706204736174698 * Math.sqrt(0.005) / Math.sqrt(2), two.halfWidth(), 1e-9);
    }

    @Test
    void oneValueHasNoIntervalAndUndefinedValuesAreLeftOut() {
        ExperimentTable.Stat one = ExperimentTable.Stat.of(List.of(0.5));
        assertEquals(0.5, one.mean());
        assertNull(one.halfWidth());
        ExperimentTable.Stat withNull = ExperimentTable.Stat.of(Arrays.asList(0.2, null, 0.4));
        assertEquals(0.3, withNull.mean(), 1e-12);
        assertEquals(2, withNull.values().size());
        assertNull(ExperimentTable.Stat.of(Arrays.asList((Double) null)).mean());
    }

    @Test
    void percentMetricsAndRatesAreFormattedWithTheirInterval() {
        assertEquals("50.00 ± 10.00", ExperimentTable.format(new ExperimentTable.Stat(0.5, 0.1, List.of()), "asr"));
        assertEquals("0.950", ExperimentTable.format(new ExperimentTable.Stat(0.95, null, List.of()), "paper_tpr"));
        assertEquals("-", ExperimentTable.format(new ExperimentTable.Stat(null, null, List.of()), "acc"));
    }

    /** A cell summary with one adversary measured on {@code asrImages} images and (defense, acc, asr) results. */
    private static ObjectNode summary(int asrImages, Object... defenseAccAsr) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode s = f.objectNode();
        ObjectNode scenario = s.putObject("scenario");
        scenario.putObject("data").put("source", "synthetic").put("description", "tiny synthetic");
        scenario.putObject("model").put("name", "cnn-small").put("parameters", 10);
        scenario.putArray("adversaries").addObject().put("asr_images", asrImages);
        var results = s.putArray("results");
        for (int k = 0; k < defenseAccAsr.length; k += 3) {
            results.addObject().put("defense", (String) defenseAccAsr[k]).put("acc", (Double) defenseAccAsr[k + 1])
                .put("asr", (Double) defenseAccAsr[k + 2]);
        }
        return s;
    }

    @Test
    void everyRowStatesItsAsrImagesAndFedAvgsAsrInTheSameCells() {
        ExperimentSpec spec = ExperimentSpec.parse("tiny", Path.of("tiny.yaml"),
            ExperimentSpecTest.yaml("grid:\n  attackers: [1, 2]\n", ""));
        List<ExperimentCell> cells = spec.cells("quick", 1, null);   // attackers 1, 2 x seeds 1, 2
        Map<String, ObjectNode> summaries = new LinkedHashMap<>();
        double[] fedavgAsr = {0.9, 0.7, 0.5, 0.3};
        for (int i = 0; i < 4; i++) {
            summaries.put(cells.get(i).id(), summary(30 + 10 * (i / 2), "fedavg", 0.95, fedavgAsr[i], "flame", 0.9,
                0.01 * i));
        }
        ExperimentTable t = ExperimentTable.of(spec, "quick", cells, summaries,
            JsonNodeFactory.instance.objectNode().put("badfl_version", "test"));

        assertEquals(4, t.rows().size());
        ExperimentTable.Row flame2 = t.rows().get(3);
        assertEquals("flame", flame2.defense());
        assertEquals("2", flame2.labels().get("attackers"));
        assertEquals(List.of(40), flame2.asrImages());
        // FedAvg's ASR of attackers=2 (0.5, 0.3), not of attackers=1 (0.9, 0.7)
        assertEquals(0.4, t.fedavgAsr(flame2).mean(), 1e-12);
        assertEquals(0.8, t.fedavgAsr(t.rows().get(1)).mean(), 1e-12);

        String md = t.markdown();
        assertTrue(md.contains("| ASR images | FedAvg ASR (%) |"), md);
        String flame2Line = md.lines().filter(l -> l.startsWith("| 2 | flame |")).findFirst().orElseThrow();
        assertTrue(flame2Line.endsWith("| 40 | 40.00 ± " + ExperimentTable.format(ExperimentTable.Stat.of(
            List.of(0.5, 0.3)), "asr").split(" ± ")[1] + " |"), flame2Line);
        assertTrue(t.caption().contains("'ASR images'") && t.caption().contains("'FedAvg ASR'"), t.caption());

        List<String> csv = t.csv().lines().toList();
        List<String> header = List.of(csv.get(0).split(","));
        int images = header.indexOf("asr_images");
        int fedavg = header.indexOf("fedavg_asr_mean");
        assertTrue(images > 0 && fedavg == images + 1, csv.get(0));
        assertEquals("40", csv.get(4).split(",")[images]);
        assertEquals(0.4, Double.parseDouble(csv.get(4).split(",")[fedavg]), 1e-12);

        JsonNode row = t.json().path("rows").get(3);
        assertEquals(40, row.path("asr_images").get(0).asInt());
        assertEquals(0.4, row.path("fedavg_asr").path("mean").asDouble(), 1e-12);
    }

    @Test
    void withoutFedAvgTheColumnSaysSo() {
        ExperimentSpec spec = ExperimentSpec.parse("tiny", Path.of("tiny.yaml"),
            ExperimentSpecTest.yaml("grid:\n  attackers: [1]\n", ""));
        List<ExperimentCell> cells = spec.cells("quick", 1, null);
        Map<String, ObjectNode> summaries = new LinkedHashMap<>();
        cells.forEach(c -> summaries.put(c.id(), summary(21, "flame", 0.9, 0.1)));
        ExperimentTable t = ExperimentTable.of(spec, "quick", cells, summaries,
            JsonNodeFactory.instance.objectNode());
        assertNull(t.fedavgAsr(t.rows().get(0)));
        assertTrue(t.markdown().contains("| flame | 2 |") && t.markdown().contains("| 21 | - |"), t.markdown());
        assertTrue(t.json().path("rows").get(0).path("fedavg_asr").path("mean").isNull());
    }
}
