package org.badfl.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.badfl.evaluation.DetectionCounts;

/**
 * The text outputs of a run: {@code rounds.csv}, {@code summary.json}, the final table (console and Markdown)
 * and {@code report.md}. Pure functions of the records; the files are written by {@link RunFolder}.
 */
public final class RunReport {

    private RunReport() {
    }

    // ------------------------------------------------------------------ rounds.csv

    /**
     * One row per defense × round: defense, round, acc, asr (mean over adversaries), asr_1..asr_k (one per
     * adversary when there are several), selected, attacking, rejected, defense_on, flagged, tp, fp, tn, fn,
     * paper_tpr, paper_tnr, recall, specificity, train_s, defense_s, eval_s, host_device_bytes, note. Empty cells
     * for undefined values.
     */
    public static String roundsCsv(List<RoundRecord> records, int adversaries) {
        StringBuilder sb = new StringBuilder("defense,round,acc,asr");
        if (adversaries > 1) {
            for (int k = 1; k <= adversaries; k++) {
                sb.append(",asr_").append(k);
            }
        }
        sb.append(",selected,attacking,rejected,defense_on,flagged,tp,fp,tn,fn,paper_tpr,paper_tnr,recall,specificity,"
            + "train_s,defense_s,eval_s,host_device_bytes,note\n");
        for (RoundRecord r : records) {
            sb.append(csv(r.defense())).append(',').append(r.round()).append(',').append(num(r.acc()))
                .append(',').append(num(r.meanAsr()));
            double[] asr = r.asr();
            if (adversaries > 1) {
                for (int k = 0; k < adversaries; k++) {
                    sb.append(',').append(k < asr.length && !Double.isNaN(asr[k]) ? num(asr[k]) : "");
                }
            }
            sb.append(',').append(r.selected()).append(',').append(r.attacking()).append(',').append(r.rejected())
                .append(',').append(r.defenseOn());
            DetectionCounts d = r.detection();
            if (d == null) {
                sb.append(",,,,,,,,,");
            } else {
                sb.append(',').append(d.flagged()).append(',').append(d.tp()).append(',').append(d.fp()).append(',')
                    .append(d.tn()).append(',').append(d.fn()).append(',').append(num(d.paperTpr())).append(',')
                    .append(num(d.paperTnr())).append(',').append(num(d.recall())).append(',')
                    .append(num(d.specificity()));
            }
            sb.append(',').append(secs(r.trainSeconds())).append(',').append(secs(r.defenseSeconds())).append(',')
                .append(secs(r.evalSeconds())).append(',').append(r.hostDeviceBytes()).append(',')
                .append(csv(r.note())).append('\n');
        }
        return sb.toString();
    }

    private static String num(Double v) {
        return v == null || v.isNaN() ? "" : Double.toString(v);
    }

    private static String secs(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String csv(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    // ------------------------------------------------------------------ summary.json

    /**
     * {@code {"scenario": {...}, "results": [{"defense", "acc", "asr", "asr_by_adversary", "paper_tpr",
     * "paper_tnr", "recall", "specificity", "tp", "fp", "tn", "fn", "rejected_updates", "rounds", "seconds",
     * "seconds_by_phase", "accuracy_drop"}], "accuracy_drop_note"}}. {@code asr} is the mean over the adversaries
     * that have one (the ASR itself with one adversary), null without attack or with untargeted attacks only
     * ({@code asr_by_adversary} holds null for an untargeted adversary); detection fields are null for defenses
     * that flag nobody. {@code accuracy_drop} = ACC of the no-attack run − this defense's ACC (how untargeted
     * attacks are measured), null when the run has no no-attack defense ({@code accuracy_drop_note} says so).
     */
    public static ObjectNode summary(JsonNode scenario, List<DefenseResult> results) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.set("scenario", scenario.deepCopy());
        Double baseline = noAttackAcc(results);
        ArrayNode list = root.putArray("results");
        for (DefenseResult r : results) {
            ObjectNode o = list.addObject();
            o.put("defense", r.defense());
            o.put("acc", r.acc());
            putNullable(o, "asr", r.meanAsr());
            ArrayNode per = o.putArray("asr_by_adversary");
            for (double a : r.asr()) {
                if (Double.isNaN(a)) {
                    per.addNull();
                } else {
                    per.add(a);
                }
            }
            putNullable(o, "paper_tpr", r.paperTpr());
            putNullable(o, "paper_tnr", r.paperTnr());
            putNullable(o, "recall", r.recall());
            putNullable(o, "specificity", r.specificity());
            DetectionCounts d = r.detection();
            for (String k : new String[] {"tp", "fp", "tn", "fn"}) {
                if (d == null) {
                    o.putNull(k);
                } else {
                    o.put(k, switch (k) {
                        case "tp" -> d.tp();
                        case "fp" -> d.fp();
                        case "tn" -> d.tn();
                        default -> d.fn();
                    });
                }
            }
            o.put("rejected_updates", r.rejected());
            o.put("rounds", r.rounds());
            o.put("seconds", round3(r.seconds()));
            ObjectNode phases = o.putObject("seconds_by_phase");
            phases.put("training", round3(r.trainSeconds()));
            phases.put("defense", round3(r.defenseSeconds()));
            phases.put("evaluation", round3(r.evalSeconds()));
            putNullable(o, "accuracy_drop", accuracyDrop(baseline, r));
            if (r.extra() != null) {
                r.extra().properties().forEach(e -> {
                    if (o.has(e.getKey())) {
                        throw new IllegalStateException("final evaluation field '" + e.getKey() + "' clashes with a "
                            + "standard summary field");
                    }
                    o.set(e.getKey(), e.getValue().deepCopy());
                });
            }
        }
        if (baseline == null) {
            root.put("accuracy_drop_note", "no accuracy_drop: the run has no " + ScenarioConfig.NO_ATTACK + " defense "
                + "(attack-free FedAvg), the baseline it is measured against; add " + ScenarioConfig.NO_ATTACK
                + " to the defenses");
        }
        return root;
    }

    /** Final ACC of the no-attack run among {@code results}, or null when there is none. */
    static Double noAttackAcc(List<DefenseResult> results) {
        return results.stream().filter(r -> r.defense().equals(ScenarioConfig.NO_ATTACK)).findFirst()
            .map(DefenseResult::acc).orElse(null);
    }

    /** ACC drop of {@code r} against the no-attack ACC {@code baseline} (null without baseline). */
    static Double accuracyDrop(Double baseline, DefenseResult r) {
        return baseline == null ? null : baseline - r.acc();
    }

    /** The summary without wall-clock fields: what must be equal between a resumed and an uninterrupted run. */
    public static ObjectNode withoutTimes(ObjectNode summary) {
        ObjectNode copy = summary.deepCopy();
        for (JsonNode r : copy.path("results")) {
            ((ObjectNode) r).remove("seconds");
            ((ObjectNode) r).remove("seconds_by_phase");
        }
        return copy;
    }

    private static double round3(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    private static void putNullable(ObjectNode o, String key, Double v) {
        if (v == null) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }

    /** Pretty JSON text. */
    public static String json(JsonNode node) {
        try {
            return ConfigLoader.json().writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ final table

    private static final String[] HEADER = {"defense", "ACC", "ACC drop", "ASR", "paper_tpr", "paper_tnr", "recall",
        "specificity", "seconds"};

    private static List<String[]> rows(List<DefenseResult> results) {
        List<String[]> rows = new ArrayList<>();
        Double baseline = noAttackAcc(results);
        for (DefenseResult r : results) {
            rows.add(new String[] {r.defense(), pct(r.acc()), pct(accuracyDrop(baseline, r)), pct(r.meanAsr()),
                rate(r.paperTpr()), rate(r.paperTnr()),
                rate(r.recall()), rate(r.specificity()), String.format(Locale.ROOT, "%.1f", r.seconds())});
        }
        return rows;
    }

    private static String pct(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    private static String rate(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    /**
     * The defenses evaluated with test-time smoothing ({@code smoothed_acc} among their final-evaluation fields,
     * {@code org.badfl.evaluation.SmoothedEvaluation}) as a Markdown section, or "" when none was.
     */
    static String smoothedSection(List<DefenseResult> results) {
        StringBuilder rows = new StringBuilder();
        StringBuilder certified = new StringBuilder();
        for (DefenseResult r : results) {
            JsonNode e = r.extra();
            if (e == null || !e.has("smoothed_acc")) {
                continue;
            }
            rows.append("| ").append(r.defense()).append(" | ").append(pct(e.get("smoothed_acc").asDouble()))
                .append(" | ").append(e.path("smoothed_asr").isNumber() ? pct(e.get("smoothed_asr").asDouble()) : "-")
                .append(" | ").append(pct(e.path("smoothed_abstain").asDouble())).append(" | ")
                .append(e.path("smoothing_copies").asInt()).append(" | ").append(e.path("smoothing_sigma").asDouble())
                .append(" | ").append(e.path("smoothing_images").asInt()).append(" | ")
                .append(radius(e.path("certification").path("mean_radius"))).append(" | ")
                .append(radius(e.path("certification").path("median_radius"))).append(" |\n");
            certified.append(certifiedLine(r.defense(), e.path("certification")));
        }
        if (rows.length() == 0) {
            return "";
        }
        return "## Smoothed classifier\n\nThe table above evaluates each defense's final model as it is (for BADFL the "
            + "noiseless G_T, for CRFL the clipped model before its noise). Test-time parameter smoothing (BADFL eq. 11, "
            + "CRFL): majority vote of M noisy copies, abstaining without a certified majority (abstentions count as "
            + "wrong for ACC and as not the target for ASR), on at most `images` evenly spaced images of the test set "
            + "and of each ASR set. Certified radius (eq. 13): mean and median over the correctly classified test "
            + "images; certified accuracy at radius r: the fraction of the test images classified correctly with a "
            + "radius of at least r (parameters in summary.json):\n\n"
            + "| defense | smoothed ACC | smoothed ASR | abstain | M | σ | images | mean radius | median radius |\n"
            + "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n" + rows + "\n" + certified
            + (certified.length() == 0 ? "" : "\n");
    }

    private static String radius(JsonNode v) {
        return v.isNumber() ? String.format(Locale.ROOT, "%.3g", v.asDouble()) : "-";
    }

    /** "defense: certified accuracy 95.2% at r=0, ..." (or why there is no certificate), one Markdown line. */
    private static String certifiedLine(String defense, JsonNode c) {
        if (c.isMissingNode()) {
            return "";
        }
        if (c.has("unavailable")) {
            return "- " + defense + ": no certified radius (" + c.get("unavailable").asText() + ")\n";
        }
        StringBuilder sb = new StringBuilder("- " + defense + ": certified accuracy");
        String sep = " ";
        for (JsonNode a : c.path("certified_accuracy")) {
            sb.append(sep).append(pct(a.get("accuracy").asDouble())).append(" at r=")
                .append(String.format(Locale.ROOT, "%.0e", a.get("radius").asDouble()).replace("0e+00", "0"));
            sep = ", ";
        }
        return sb.append("\n").toString();
    }

    /** One line per defense evaluated with test-time smoothing (printed under the console table), or "". */
    public static String smoothedLines(List<DefenseResult> results) {
        StringBuilder sb = new StringBuilder();
        for (DefenseResult r : results) {
            JsonNode e = r.extra();
            if (e != null && e.has("smoothed_acc")) {
                JsonNode c = e.path("certification");
                sb.append(String.format(Locale.ROOT, "%s smoothed (M=%d, sigma=%s, %d images per set): ACC %s, ASR %s, "
                    + "abstain %s, certified radius %s%n", r.defense(), e.path("smoothing_copies").asInt(),
                    e.path("smoothing_sigma").asDouble(), e.path("smoothing_images").asInt(),
                    pct(e.get("smoothed_acc").asDouble()),
                    e.path("smoothed_asr").isNumber() ? pct(e.get("smoothed_asr").asDouble()) : "-",
                    pct(e.path("smoothed_abstain").asDouble()), c.has("unavailable") || c.isMissingNode()
                        ? "-" : "mean " + radius(c.path("mean_radius")) + ", median " + radius(c.path("median_radius"))));
            }
        }
        return sb.length() == 0 ? "" : "(table: the final model as is; test-time smoothing in report.md)\n" + sb;
    }

    /** The final table as aligned plain text (printed at the end of a run). */
    public static String consoleTable(List<DefenseResult> results) {
        List<String[]> rows = rows(results);
        int[] w = new int[HEADER.length];
        for (int c = 0; c < HEADER.length; c++) {
            w[c] = HEADER[c].length();
            for (String[] r : rows) {
                w[c] = Math.max(w[c], r[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, HEADER, w);
        int total = 0;
        for (int x : w) {
            total += x + 2;
        }
        sb.append("-".repeat(total - 2)).append('\n');
        for (String[] r : rows) {
            appendRow(sb, r, w);
        }
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, String[] cells, int[] w) {
        for (int c = 0; c < cells.length; c++) {
            String cell = cells[c];
            String padded = c == 0 ? cell + " ".repeat(w[c] - cell.length()) : " ".repeat(w[c] - cell.length()) + cell;
            sb.append(padded).append(c + 1 < cells.length ? "  " : "");
        }
        sb.append('\n');
    }

    /** The final table in Markdown. */
    public static String markdownTable(List<DefenseResult> results) {
        StringBuilder sb = new StringBuilder("| ").append(String.join(" | ", HEADER)).append(" |\n|");
        for (int c = 0; c < HEADER.length; c++) {
            sb.append(c == 0 ? "---|" : "---:|");
        }
        sb.append('\n');
        for (String[] r : rows(results)) {
            sb.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        return sb.toString();
    }

    /**
     * {@code report.md}: what was run, the final table, the plots and how to read the metric names.
     *
     * @param title       run name
     * @param description one paragraph describing the scenario
     * @param hasAttack   true when some adversary has an ASR (a targeted attack)
     */
    public static String markdown(String title, String description, List<DefenseResult> results, boolean hasAttack) {
        StringBuilder sb = new StringBuilder();
        sb.append("# badfl run ").append(title).append("\n\n");
        sb.append(description).append("\n\n");
        sb.append("## Final results\n\n").append(markdownTable(results)).append('\n');
        sb.append("ACC: clean test accuracy after the last round. ACC drop: the no-attack run's ACC minus this "
            + "defense's (how untargeted attacks are measured; '-' without a no-attack run). ");
        if (hasAttack) {
            sb.append("ASR: fraction of triggered test inputs whose true label is not the target that are classified "
                + "as the target (targeted label flipping: of source-class test images classified as the target; mean "
                + "over adversaries when there are several; per adversary in summary.json; '-' for untargeted "
                + "attacks). ");
        } else {
            sb.append("ASR: none (no targeted attack in this scenario). ");
        }
        sb.append("paper_tpr = TP/(TP+FP) and paper_tnr = TN/(TN+FN) are the rates the BADFL paper calls TPR and TNR "
            + "(precision and negative predictive value); recall = TP/(TP+FN) and specificity = TN/(TN+FP) are the "
            + "standard rates. They are summed over all rounds against the clients that attacked in each round; "
            + "'-' = the defense flags nobody or the rate is undefined. seconds: wall time of training, defense and "
            + "evaluation.\n\n");
        sb.append(smoothedSection(results));
        sb.append("## Per round\n\n![ACC per round](acc.png)\n\n");
        if (hasAttack) {
            sb.append("![ASR per round](asr.png)\n\n");
        }
        sb.append("All metrics per round: `rounds.csv`; machine-readable results: `summary.json`; the resolved "
            + "configuration: `config.json` (rerun with `./badfl run --config <this folder>/config.json --name <new>`).\n");
        return sb.toString();
    }
}
