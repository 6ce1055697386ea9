package org.badfl.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The aggregated result of an experiment: one row per combination of axis labels and defense, each metric
 * (ACC, ASR, paper TPR/TNR; fields of the cells' {@code summary.json}) as the mean over the row's seeds with a
 * 95% Student-t interval (mean ± t(0.975, n−1)·s/√n; none with a single seed). Written as Markdown, CSV and
 * JSON; the figure is drawn from {@link #rows()}.
 */
public final class ExperimentTable {

    /** Mean, 95% half-width (null for fewer than two values) and the values (null values skipped). */
    public record Stat(Double mean, Double halfWidth, List<Double> values) {

        /** The statistic of {@code values}; nulls (undefined metric) are left out. */
        public static Stat of(List<Double> values) {
            List<Double> v = values.stream().filter(x -> x != null && !x.isNaN()).toList();
            if (v.isEmpty()) {
                return new Stat(null, null, v);
            }
            double mean = v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            if (v.size() < 2) {
                return new Stat(mean, null, v);
            }
            double ss = 0;
            for (double x : v) {
                ss += (x - mean) * (x - mean);
            }
            double sd = Math.sqrt(ss / (v.size() - 1));
            double t = new TDistribution(v.size() - 1).inverseCumulativeProbability(0.975);
            return new Stat(mean, t * sd / Math.sqrt(v.size()), v);
        }
    }

    /**
     * One row.
     *
     * @param labels    axis name to label
     * @param defense   the defense ({@code no-attack} = FedAvg without attack)
     * @param metrics   metric name ({@link ExperimentSpec#METRICS}) to its statistic over seeds
     * @param asrImages triggered test images each ASR was measured on (per adversary, from the first seed's cell)
     * @param cells     the cell folders (ids) aggregated
     */
    public record Row(Map<String, String> labels, String defense, Map<String, Stat> metrics, List<Integer> asrImages,
                      List<String> cells) {

        public Stat metric(String name) {
            return metrics.get(name);
        }
    }

    private final String name;
    private final String title;
    private final String profile;
    private final String caption;
    private final List<String> axes;
    private final List<Row> rows;
    private final ObjectNode provenance;
    private final ExperimentSpec.Figure figure;

    private ExperimentTable(String name, String title, String profile, String caption, List<String> axes,
                            List<Row> rows, ObjectNode provenance, ExperimentSpec.Figure figure) {
        this.name = name;
        this.title = title;
        this.profile = profile;
        this.caption = caption;
        this.axes = List.copyOf(axes);
        this.rows = List.copyOf(rows);
        this.provenance = provenance;
        this.figure = figure;
    }

    /**
     * Aggregates finished cells.
     *
     * @param summaries cell id to the cell's {@code summary.json}
     */
    public static ExperimentTable of(ExperimentSpec spec, String profile, List<ExperimentCell> cells,
                                     Map<String, ObjectNode> summaries, ObjectNode provenance) {
        List<String> axes = spec.axes(profile).stream().map(ExperimentSpec.Axis::name).toList();
        Map<String, List<ExperimentCell>> groups = new LinkedHashMap<>();
        for (ExperimentCell c : cells) {
            groups.computeIfAbsent(ExperimentCell.describe(c.labels()), k -> new ArrayList<>()).add(c);
        }
        List<Row> rows = new ArrayList<>();
        Set<String> data = new LinkedHashSet<>();
        Set<String> models = new LinkedHashSet<>();
        Map<String, String> dataFiles = new LinkedHashMap<>();
        for (List<ExperimentCell> group : groups.values()) {
            Map<String, Map<String, List<Double>>> byDefense = new LinkedHashMap<>();
            Map<String, List<String>> cellsOf = new LinkedHashMap<>();
            List<Integer> asrImages = new ArrayList<>();
            for (ExperimentCell c : group) {
                ObjectNode summary = summaries.get(c.id());
                if (summary == null) {
                    throw new IllegalStateException("cell " + c.id() + " has no summary");
                }
                JsonNode scenario = summary.path("scenario");
                data.add(scenario.path("data").path("description").asText(scenario.path("data").path("source")
                    .asText("?")));
                for (JsonNode file : scenario.path("data").path("files")) {
                    dataFiles.put(file.path("name").asText(), file.path("sha256").asText());
                }
                models.add(scenario.path("model").path("name").asText("?") + " ("
                    + scenario.path("model").path("parameters").asText("?") + " parameters)");
                if (asrImages.isEmpty()) {
                    for (JsonNode a : scenario.path("adversaries")) {
                        asrImages.add(a.path("asr_images").asInt());
                    }
                }
                for (JsonNode r : summary.path("results")) {
                    String d = r.path("defense").asText();
                    Map<String, List<Double>> m = byDefense.computeIfAbsent(d, k -> new LinkedHashMap<>());
                    for (String metric : ExperimentSpec.METRICS) {
                        JsonNode v = r.get(metric);
                        m.computeIfAbsent(metric, k -> new ArrayList<>()).add(v == null || v.isNull() ? null
                            : v.asDouble());
                    }
                    cellsOf.computeIfAbsent(d, k -> new ArrayList<>()).add(c.id());
                }
            }
            byDefense.forEach((defense, m) -> {
                Map<String, Stat> stats = new LinkedHashMap<>();
                m.forEach((metric, values) -> stats.put(metric, Stat.of(values)));
                rows.add(new Row(group.get(0).labels(), defense, stats, List.copyOf(asrImages),
                    List.copyOf(cellsOf.get(defense))));
            });
        }
        List<Long> seeds = spec.seeds(profile);
        String caption = spec.title() + ". Profile " + profile + (spec.profileDescription(profile).isEmpty() ? ""
            : " (" + spec.profileDescription(profile) + ")") + ". Data used: " + String.join("; ", data)
            + " (files and their SHA-256: provenance, data_files_sha256). Model: " + String.join("; ", models)
            + ". Mean over seeds " + seeds
            + (seeds.size() > 1 ? " with the 95% Student-t interval (±)" : " (one seed: no interval)")
            + ". ACC on the clean test images; ASR on the triggered test images counted in the column 'ASR images' "
            + "(one image = 100/that many points; one number per adversary); 'FedAvg ASR' repeats the fedavg row's "
            + "ASR of the same cells in every row, the attack's strength without defense. Smoothed columns: the test-time smoothed classifier, only for "
            + "defenses evaluated with it.";
        ObjectNode traced = provenance.deepCopy();
        ObjectNode files = traced.putObject("data_files_sha256");
        dataFiles.forEach(files::put);
        return new ExperimentTable(spec.name(), spec.title(), profile, caption, axes, rows, traced,
            spec.figure());
    }

    public String name() {
        return name;
    }

    public String title() {
        return title;
    }

    public String profile() {
        return profile;
    }

    public String caption() {
        return caption;
    }

    public List<String> axes() {
        return axes;
    }

    public List<Row> rows() {
        return rows;
    }

    public ExperimentSpec.Figure figure() {
        return figure;
    }

    public ObjectNode provenance() {
        return provenance;
    }

    /**
     * FedAvg's ASR in {@code row}'s cells (the row with the same axis labels and defense {@code fedavg}): the
     * attack's strength without defense, shown beside every defense's ASR. Null when those cells ran no FedAvg.
     */
    public Stat fedavgAsr(Row row) {
        for (Row r : rows) {
            if (r.defense().equals("fedavg") && r.labels().equals(row.labels())) {
                return r.metric("asr");
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ outputs

    /** ACC and ASR (smoothed or not) are shown in percent; the detection rates as fractions. */
    public static boolean isPercent(String metric) {
        return !metric.startsWith("paper_");
    }

    /** "96.25 ± 0.40" (percent for ACC/ASR, 3 decimals for rates), "-" when undefined. */
    static String format(Stat s, String metric) {
        if (s == null || s.mean() == null) {
            return "-";
        }
        double k = isPercent(metric) ? 100 : 1;
        String pattern = isPercent(metric) ? "%.2f" : "%.3f";
        String mean = String.format(Locale.ROOT, pattern, k * s.mean());
        return s.halfWidth() == null ? mean : mean + " ± " + String.format(Locale.ROOT, pattern, k * s.halfWidth());
    }

    public static String header(String metric) {
        return switch (metric) {
            case "acc" -> "ACC (%)";
            case "asr" -> "ASR (%)";
            case "paper_tpr" -> "TPR";
            case "paper_tnr" -> "TNR";
            case "smoothed_acc" -> "smoothed ACC (%)";
            default -> "smoothed ASR (%)";
        };
    }

    /** The table as Markdown: title, caption, the table, provenance. */
    public String markdown() {
        StringBuilder sb = new StringBuilder("# ").append(title).append(" (").append(profile).append(")\n\n");
        sb.append(caption).append("\n\n|");
        for (String a : axes) {
            sb.append(' ').append(a).append(" |");
        }
        sb.append(" defense | seeds |");
        for (String m : ExperimentSpec.METRICS) {
            sb.append(' ').append(header(m)).append(" |");
        }
        sb.append(" ASR images | FedAvg ASR (%) |\n|");
        sb.append("---|".repeat(axes.size() + 4 + ExperimentSpec.METRICS.size())).append('\n');
        for (Row r : rows) {
            sb.append('|');
            for (String a : axes) {
                sb.append(' ').append(r.labels().get(a)).append(" |");
            }
            sb.append(' ').append(r.defense()).append(" | ").append(r.cells().size()).append(" |");
            for (String m : ExperimentSpec.METRICS) {
                sb.append(' ').append(format(r.metric(m), m)).append(" |");
            }
            sb.append(' ').append(r.asrImages().isEmpty() ? "-" : join(r.asrImages())).append(" | ")
                .append(format(fedavgAsr(r), "asr")).append(" |\n");
        }
        sb.append("\nTPR/TNR as in the paper (counts summed over all rounds; '-' for defenses that flag nobody). "
            + "Each cell is a run folder under cells/ (its config.json re-runs it with ./badfl run --config).\n\n");
        sb.append("## Provenance\n\n");
        provenance.properties().forEach(e -> {
            sb.append("- ").append(e.getKey()).append(':');
            if (e.getValue().isObject()) {
                e.getValue().properties().forEach(f -> sb.append("\n  - ").append(f.getKey()).append(": ")
                    .append(f.getValue().asText()));
                sb.append('\n');
            } else {
                sb.append(' ').append(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString())
                    .append('\n');
            }
        });
        return sb.toString();
    }

    private static String join(List<Integer> xs) {
        return String.join(" / ", xs.stream().map(String::valueOf).toList());
    }

    /**
     * One line per row: axes, defense, seeds, then mean and ci95 (half-width) per metric, asr_images, FedAvg's ASR
     * (mean, ci95) in the same cells, cells.
     */
    public String csv() {
        StringBuilder sb = new StringBuilder();
        for (String a : axes) {
            sb.append(csvCell(a)).append(',');
        }
        sb.append("defense,seeds");
        for (String m : ExperimentSpec.METRICS) {
            sb.append(',').append(m).append("_mean,").append(m).append("_ci95");
        }
        sb.append(",asr_images,fedavg_asr_mean,fedavg_asr_ci95,cells\n");
        for (Row r : rows) {
            for (String a : axes) {
                sb.append(csvCell(r.labels().get(a))).append(',');
            }
            sb.append(csvCell(r.defense())).append(',').append(r.cells().size());
            for (String m : ExperimentSpec.METRICS) {
                Stat s = r.metric(m);
                sb.append(',').append(s.mean() == null ? "" : Double.toString(s.mean())).append(',')
                    .append(s.halfWidth() == null ? "" : Double.toString(s.halfWidth()));
            }
            Stat fedavg = fedavgAsr(r);
            sb.append(',').append(csvCell(join(r.asrImages()))).append(',')
                .append(fedavg == null || fedavg.mean() == null ? "" : Double.toString(fedavg.mean())).append(',')
                .append(fedavg == null || fedavg.halfWidth() == null ? "" : Double.toString(fedavg.halfWidth()))
                .append(',').append(csvCell(String.join(" ", r.cells()))).append('\n');
        }
        return sb.toString();
    }

    private static String csvCell(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    /** The table as JSON: experiment, title, profile, caption, axes, rows (with every seed's value), provenance. */
    public ObjectNode json() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("experiment", name);
        root.put("title", title);
        root.put("profile", profile);
        root.put("caption", caption);
        ArrayNode ax = root.putArray("axes");
        axes.forEach(ax::add);
        ArrayNode list = root.putArray("rows");
        for (Row r : rows) {
            ObjectNode o = list.addObject();
            ObjectNode labels = o.putObject("labels");
            r.labels().forEach(labels::put);
            o.put("defense", r.defense());
            o.put("seeds", r.cells().size());
            for (String m : ExperimentSpec.METRICS) {
                Stat s = r.metric(m);
                ObjectNode so = o.putObject(m);
                putNullable(so, "mean", s.mean());
                putNullable(so, "ci95", s.halfWidth());
                ArrayNode values = so.putArray("values");
                s.values().forEach(values::add);
            }
            ArrayNode images = o.putArray("asr_images");
            r.asrImages().forEach(images::add);
            Stat fedavg = fedavgAsr(r);
            ObjectNode fo = o.putObject("fedavg_asr");
            putNullable(fo, "mean", fedavg == null ? null : fedavg.mean());
            putNullable(fo, "ci95", fedavg == null ? null : fedavg.halfWidth());
            ArrayNode cells = o.putArray("cells");
            r.cells().forEach(cells::add);
        }
        root.set("provenance", provenance.deepCopy());
        return root;
    }

    private static void putNullable(ObjectNode o, String key, Double v) {
        if (v == null) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }
}
