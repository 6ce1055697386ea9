package org.badfl.cli;

import org.badfl.sim.DefenseResult;
import org.badfl.sim.RoundRecord;
import org.badfl.sim.RunReport;
import org.badfl.cli.Plots;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.badfl.evaluation.DetectionCounts;
import org.junit.jupiter.api.Test;

class RunReportTest {

    private static final List<RoundRecord> RECORDS = List.of(
        new RoundRecord("fedavg", 1, 0.5, new double[] {0.25}, 4, 1, 0, null, 1, 0.5, 0.25, ""),
        new RoundRecord("fedavg", 2, 0.75, new double[] {0.5}, 4, 1, 0, null, 1, 0.5, 0.25, ""),
        new RoundRecord("flame", 1, 0.5, new double[] {0.0}, 4, 1, 1, new DetectionCounts(1, 0, 2, 0), 1, 0.5, 0.25,
            "1 of 4 updates rejected as invalid"),
        new RoundRecord("flame", 2, 0.625, new double[] {0.125}, 4, 1, 0, new DetectionCounts(0, 1, 2, 1), 1, 0.5,
            0.25, ""));

    @Test
    void roundsCsvHasOneRowPerDefenseAndRound() {
        String csv = RunReport.roundsCsv(RECORDS, 1);
        List<String> lines = csv.lines().toList();
        assertEquals("defense,round,acc,asr,selected,attacking,rejected,defense_on,flagged,tp,fp,tn,fn,paper_tpr,"
            + "paper_tnr,recall,specificity,train_s,defense_s,eval_s,host_device_bytes,note", lines.get(0));
        assertEquals("fedavg,1,0.5,0.25,4,1,0,true,,,,,,,,,,1.000,0.500,0.250,0,", lines.get(1));
        assertEquals("flame,1,0.5,0.0,4,1,1,true,1,1,0,2,0,1.0,1.0,1.0,1.0,1.000,0.500,0.250,0,"
            + "1 of 4 updates rejected as invalid", lines.get(3));
        assertEquals(5, lines.size());
    }

    @Test
    void summaryTakesTheLastRoundAndSumsDetectionOverRounds() {
        List<DefenseResult> results = List.of(DefenseResult.of("fedavg", RECORDS.subList(0, 2)),
            DefenseResult.of("flame", RECORDS.subList(2, 4)));
        ObjectNode scenario = JsonNodeFactory.instance.objectNode().put("x", 1);
        ObjectNode s = RunReport.summary(scenario, results);
        var fedavg = s.get("results").get(0);
        assertEquals(0.75, fedavg.get("acc").asDouble());
        assertEquals(0.5, fedavg.get("asr").asDouble());
        assertTrue(fedavg.get("paper_tpr").isNull() && fedavg.get("specificity").isNull());
        var flame = s.get("results").get(1);
        // summed counts tp 1, fp 1, tn 4, fn 1
        assertEquals(0.5, flame.get("paper_tpr").asDouble());
        assertEquals(0.8, flame.get("paper_tnr").asDouble());
        assertEquals(0.5, flame.get("recall").asDouble());
        assertEquals(0.8, flame.get("specificity").asDouble());
        assertEquals(1, flame.get("rejected_updates").asInt());
        assertEquals(3.5, flame.get("seconds").asDouble());
        assertEquals(1, s.get("scenario").get("x").asInt());
        assertTrue(!RunReport.withoutTimes(s).get("results").get(0).has("seconds"));
    }

    @Test
    void tablesShowPercentagesAndDashes() {
        List<DefenseResult> results = List.of(DefenseResult.of("fedavg", RECORDS.subList(0, 2)),
            DefenseResult.of("flame", RECORDS.subList(2, 4)));
        String table = RunReport.consoleTable(results);
        assertTrue(table.lines().toList().get(2).matches(
            "fedavg\\s+75\\.00%\\s+-\\s+50\\.00%\\s+-\\s+-\\s+-\\s+-\\s+3\\.5"), table);
        String md = RunReport.markdownTable(results);
        assertTrue(md.contains("| flame | 62.50% | - | 12.50% | 0.500 | 0.800 | 0.500 | 0.800 | 3.5 |"), md);
        // with a no-attack run, ACC drop = its ACC minus each defense's
        List<DefenseResult> withBaseline = List.of(DefenseResult.of("no-attack", RECORDS.subList(0, 2)),
            DefenseResult.of("flame", RECORDS.subList(2, 4)));
        assertTrue(RunReport.markdownTable(withBaseline).contains("| flame | 62.50% | 12.50% | 12.50% |"),
            RunReport.markdownTable(withBaseline));
        byte[] png = Plots.accuracy(RECORDS, "test");
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
    }
}
