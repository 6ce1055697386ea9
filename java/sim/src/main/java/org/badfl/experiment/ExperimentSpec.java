package org.badfl.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.badfl.sim.ConfigLoader;
import org.badfl.sim.ScenarioConfig;

/**
 * An experiment file ({@code experiments/NAME.yaml}): a grid of scenarios whose cells are ordinary runs.
 * <pre>
 * title: "Fig. 7: number of malicious clients"     # table and figure title
 * description: "..."                                # what it reproduces (optional)
 * settings: {defenses: [fedavg, badfl], ...}        # run keys shared by every cell (same keys as ./badfl run)
 * grid:                                             # axes, crossed in file order (at least one, none empty)
 *   attackers: [1, 2, 4]                            # an axis named by a run key: each value sets that key
 *   variant:                                        # any other axis: each value a mapping with a label
 *     - {label: full}                               #   and the run keys it sets
 *     - {label: no-detection, defense-options: {badfl: {detection: "off"}}}
 * figure: {x: attackers, metrics: [acc, asr]}       # x: an axis or "defense"; one line per other combination
 * profiles:                                         # quick (required) and paper (required)
 *   quick: {description: "...", seeds: [1], settings: {...}, grid: {attackers: [1, 4]}}
 *   paper: {description: "...", seeds: [1, 2, 3], settings: {...}}
 * </pre>
 * A cell's run keys: {@code settings}, then the profile's {@code settings}, then the cell's axis values, then its
 * seed. A profile's {@code grid} replaces the values of the axes it names (it cannot add axes). The keys
 * {@code name}, {@code out} and {@code threads} belong to the experiment, not to a cell.
 */
public final class ExperimentSpec {

    /** The profiles every experiment file declares. */
    public static final List<String> PROFILES = List.of("quick", "paper");

    /**
     * Metrics a figure or table can show (fields of a run's summary.json results; the smoothed ones only for defenses
     * evaluated with test-time smoothing).
     */
    public static final List<String> METRICS = List.of("acc", "asr", "paper_tpr", "paper_tnr", "smoothed_acc",
        "smoothed_asr");

    /** Run keys the experiment sets for every cell itself. */
    static final Set<String> RESERVED = Set.of("name", "out", "threads");

    private static final ObjectMapper YAML = YAMLMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();

    // ------------------------------------------------------------------ the file's shape (bound by Jackson)

    /** The top level of an experiment file. */
    public static final class FileModel {
        public String title;
        public String description;
        public ObjectNode settings;
        public ObjectNode grid;
        public FigureModel figure;
        public Map<String, ProfileModel> profiles;
    }

    /** {@code figure:}. */
    public static final class FigureModel {
        public String x;
        public List<String> metrics;
    }

    /** One entry of {@code profiles:}. */
    public static final class ProfileModel {
        public String description;
        public List<Long> seeds;
        public ObjectNode settings;
        public ObjectNode grid;
    }

    /** One value of an axis: its label (table column, folder name part) and the run keys it sets. */
    public record Level(String label, ObjectNode settings) {
    }

    /** One axis of the grid. */
    public record Axis(String name, List<Level> levels) {
    }

    /** The figure: the x axis (an axis name or "defense") and the metrics, one panel each. */
    public record Figure(String x, List<String> metrics) {
    }

    private final String name;
    private final Path file;
    private final String text;
    private final FileModel model;

    private ExperimentSpec(String name, Path file, String text, FileModel model) {
        this.name = name;
        this.file = file;
        this.text = text;
        this.model = model;
    }

    // ------------------------------------------------------------------ finding and reading

    /** The experiment names in {@code folder} (files {@code NAME.yaml}), sorted; empty when the folder is missing. */
    public static List<String> available(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (var s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                .map(n -> n.substring(0, n.length() - ".yaml".length())).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Resolves {@code nameOrFile}: an existing {@code .yaml}/{@code .yml} file, or the name of a file in
     * {@code folder}.
     *
     * @throws IllegalArgumentException an unknown name (listing the available ones) or a bad file
     */
    public static ExperimentSpec find(String nameOrFile, Path folder) {
        Path asFile = Path.of(nameOrFile);
        String lower = nameOrFile.toLowerCase(Locale.ROOT);
        if ((lower.endsWith(".yaml") || lower.endsWith(".yml")) && Files.isRegularFile(asFile)) {
            return read(asFile);
        }
        Path named = folder.resolve(nameOrFile + ".yaml");
        if (!nameOrFile.contains("/") && Files.isRegularFile(named)) {
            return read(named);
        }
        List<String> names = available(folder);
        throw new IllegalArgumentException("experiment '" + nameOrFile + "': expected the name of a file in " + folder
            + "/ or a .yaml file, found neither; available: "
            + (names.isEmpty() ? "none (" + folder + "/ holds no .yaml file)" : String.join(", ", names)));
    }

    /** Reads and checks an experiment file (every cell's run keys are checked later, by {@link #cells}). */
    public static ExperimentSpec read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("experiment file " + file + ": expected an existing file, found nothing");
        } catch (IOException e) {
            throw new IllegalArgumentException("experiment file " + file + ": cannot be read (" + e.getMessage() + ")");
        }
        String fileName = file.getFileName().toString();
        String name = fileName.replaceFirst("\\.(yaml|yml)$", "");
        return parse(name, file, text);
    }

    /** Parses experiment text; {@code file} only names it in messages. */
    public static ExperimentSpec parse(String name, Path file, String text) {
        String where = "experiment file " + file;
        FileModel m;
        try {
            m = YAML.readValue(text, FileModel.class);
        } catch (UnrecognizedPropertyException e) {
            List<String> known = e.getKnownPropertyIds() == null ? List.of()
                : e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
            throw new IllegalArgumentException(where + " line " + e.getLocation().getLineNr() + ": unknown key '"
                + e.getPropertyName() + "'" + path(e) + "; valid keys there: " + String.join(", ", known));
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(where + (e.getLocation() == null ? "" : " line "
                + e.getLocation().getLineNr()) + ": " + e.getOriginalMessage().split("\n")[0] + path(e));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": not valid YAML (" + e.getOriginalMessage().split("\n")[0]
                + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()) + ")");
        }
        if (m == null) {
            throw new IllegalArgumentException(where + ": empty file; expected title, settings, grid, profiles");
        }
        ExperimentSpec spec = new ExperimentSpec(name, file, text, m);
        spec.check();
        return spec;
    }

    private static String path(JsonMappingException e) {
        String p = e.getPath().stream()
            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining(".")).replace(".[", "[");
        return p.isEmpty() ? "" : " (at " + p + ")";
    }

    private IllegalArgumentException bad(String message) {
        return new IllegalArgumentException("experiment file " + file + ": " + message);
    }

    /** Line (1-based) of the first line that starts a mapping key {@code key}, or -1. */
    int lineOf(String key) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].trim();
            if (t.startsWith(key + ":") || t.startsWith("- " + key + ":") || t.contains("{" + key + ":")
                || t.contains(", " + key + ":")) {
                return i + 1;
            }
        }
        return -1;
    }

    private String at(String key) {
        int line = lineOf(key);
        return line < 0 ? "" : " line " + line;
    }

    /** Checks the file's structure and every key it names (values are checked per cell by {@link #cells}). */
    private void check() {
        if (model.title == null || model.title.isBlank()) {
            throw bad("expected a title");
        }
        checkSettings(model.settings, "settings");
        if (model.grid == null || model.grid.isEmpty()) {
            throw bad("empty grid: expected at least one axis under 'grid:' with at least one value");
        }
        axes(model.grid, "grid");
        if (model.profiles == null) {
            throw bad("expected profiles " + String.join(" and ", PROFILES));
        }
        for (String p : model.profiles.keySet()) {
            if (!PROFILES.contains(p)) {
                throw bad(at(p).trim() + (at(p).isEmpty() ? "" : ": ") + "unknown profile '" + p + "'; expected "
                    + String.join(", ", PROFILES));
            }
        }
        for (String p : PROFILES) {
            ProfileModel pm = model.profiles.get(p);
            if (pm == null) {
                throw bad("expected a profile '" + p + "' under profiles");
            }
            checkSettings(pm.settings, "profiles." + p + ".settings");
            if (pm.seeds != null && pm.seeds.isEmpty()) {
                throw bad("profiles." + p + ".seeds: expected at least one seed, found an empty list");
            }
            if (pm.seeds != null && new LinkedHashSet<>(pm.seeds).size() != pm.seeds.size()) {
                throw bad("profiles." + p + ".seeds: expected each seed once, found " + pm.seeds);
            }
            if (pm.grid != null) {
                List<String> names = axisNames();
                for (Iterator<String> it = pm.grid.fieldNames(); it.hasNext(); ) {
                    String axis = it.next();
                    if (!names.contains(axis)) {
                        throw bad("profiles." + p + ".grid: unknown axis '" + axis + "'" + at(axis)
                            + "; a profile can only change the values of the axes under grid: "
                            + String.join(", ", names));
                    }
                }
                axes(pm.grid, "profiles." + p + ".grid");
            }
        }
        if (model.figure != null) {
            Figure f = figure();
            List<String> xs = new ArrayList<>(axisNames());
            xs.add("defense");
            if (!xs.contains(f.x())) {
                throw bad("figure.x: expected one of " + String.join(", ", xs) + ", found '" + f.x() + "'");
            }
            for (String metric : f.metrics()) {
                if (!METRICS.contains(metric)) {
                    throw bad("figure.metrics: expected some of " + String.join(", ", METRICS) + ", found '"
                        + metric + "'");
                }
            }
        }
    }

    private void checkSettings(ObjectNode settings, String where) {
        if (settings == null) {
            return;
        }
        List<String> valid = ConfigLoader.keys().stream().map(ConfigLoader.Key::name).toList();
        for (Iterator<String> it = settings.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (RESERVED.contains(k)) {
                throw bad(where + ":" + at(k) + " key '" + k + "' is set by the experiment for every cell (name and "
                    + "out from the output folder, threads from --threads); remove it");
            }
            if (!valid.contains(k)) {
                throw bad(where + ":" + at(k) + " unknown run key '" + k + "'; valid keys: " + String.join(", ", valid));
            }
        }
    }

    private List<Axis> axes(ObjectNode grid, String where) {
        List<String> validKeys = ConfigLoader.keys().stream().map(ConfigLoader.Key::name).toList();
        List<Axis> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : grid.properties()) {
            String axis = e.getKey();
            if (axis.equals("defense") || axis.equals("seed")) {
                throw bad(where + "." + axis + ":" + at(axis) + " '" + axis + "' is not an axis name (defenses are "
                    + "compared within every cell, seeds come from the profile); use settings.defenses or "
                    + "profiles.*.seeds");
            }
            if (RESERVED.contains(axis)) {
                throw bad(where + "." + axis + ":" + at(axis) + " key '" + axis + "' is set by the experiment");
            }
            if (!e.getValue().isArray() || e.getValue().isEmpty()) {
                throw bad(where + "." + axis + ":" + at(axis) + " expected a non-empty list of values, found "
                    + (e.getValue().isArray() ? "an empty list" : e.getValue().toString()));
            }
            boolean runKey = validKeys.contains(axis);
            List<Level> levels = new ArrayList<>();
            Set<String> labels = new LinkedHashSet<>();
            for (JsonNode v : e.getValue()) {
                Level level;
                if (v.isObject()) {
                    ObjectNode settings = ((ObjectNode) v).deepCopy();
                    JsonNode label = settings.remove("label");
                    if (label == null || !label.isValueNode() || label.asText().isBlank()) {
                        throw bad(where + "." + axis + ":" + at(axis) + " expected a 'label' in every mapping value, "
                            + "found " + v);
                    }
                    checkSettings(settings, where + "." + axis + "[" + label.asText() + "]");
                    level = new Level(label.asText(), settings);
                } else if (runKey) {
                    ObjectNode settings = JsonNodeFactory.instance.objectNode();
                    settings.set(axis, v);
                    level = new Level(v.isTextual() ? v.asText() : v.toString(), settings);
                } else {
                    throw bad(where + "." + axis + ":" + at(axis) + " '" + axis + "' is not a run key, so each value "
                        + "must be a mapping {label: ..., <run keys>}; found " + v + ". Run keys: "
                        + String.join(", ", validKeys));
                }
                if (!labels.add(level.label())) {
                    throw bad(where + "." + axis + ": label '" + level.label() + "' twice");
                }
                levels.add(level);
            }
            out.add(new Axis(axis, List.copyOf(levels)));
        }
        return out;
    }

    // ------------------------------------------------------------------ accessors

    public String name() {
        return name;
    }

    public Path file() {
        return file;
    }

    public String title() {
        return model.title;
    }

    public String description() {
        return model.description == null ? "" : model.description.trim();
    }

    /** The profile's description (what differs from the paper), or "". */
    public String profileDescription(String profile) {
        ProfileModel pm = profile(profile);
        return pm.description == null ? "" : pm.description.trim();
    }

    private ProfileModel profile(String profile) {
        if (!PROFILES.contains(profile)) {
            throw new IllegalArgumentException("--profile: expected " + String.join(" or ", PROFILES) + ", found '"
                + profile + "'");
        }
        return model.profiles.get(profile);
    }

    /** Axis names in file order. */
    public List<String> axisNames() {
        List<String> names = new ArrayList<>();
        model.grid.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The axes of a profile (its grid overrides applied). */
    public List<Axis> axes(String profile) {
        ProfileModel pm = profile(profile);
        List<Axis> base = axes(model.grid, "grid");
        if (pm.grid == null) {
            return base;
        }
        Map<String, Axis> overrides = new LinkedHashMap<>();
        for (Axis a : axes(pm.grid, "profiles." + profile + ".grid")) {
            overrides.put(a.name(), a);
        }
        return base.stream().map(a -> overrides.getOrDefault(a.name(), a)).toList();
    }

    /** Seeds of a profile (default: [1]). */
    public List<Long> seeds(String profile) {
        ProfileModel pm = profile(profile);
        return pm.seeds == null ? List.of(1L) : List.copyOf(pm.seeds);
    }

    /** The figure (default: x = the first axis, metrics acc and asr). */
    public Figure figure() {
        String x = model.figure == null || model.figure.x == null ? axisNames().get(0) : model.figure.x;
        List<String> metrics = model.figure == null || model.figure.metrics == null || model.figure.metrics.isEmpty()
            ? List.of("acc", "asr") : List.copyOf(model.figure.metrics);
        return new Figure(x, metrics);
    }

    // ------------------------------------------------------------------ cells

    /**
     * Every cell of a profile, axes crossed in file order (the last axis varies fastest), seeds innermost, each
     * with its resolved run config. Nothing is run or written.
     *
     * @param threads   threads of every cell's run (0 = all cores; results do not depend on it)
     * @param overrides run keys applied after the profile's settings, before the axes (e.g. the command line's
     *                  {@code --dataset}); null for none
     * @throws IllegalArgumentException naming the first cell whose run keys are invalid, and why
     */
    public List<ExperimentCell> cells(String profile, int threads, ObjectNode overrides) {
        ProfileModel pm = profile(profile);
        List<Axis> axes = axes(profile);
        ObjectNode common = model.settings == null ? JsonNodeFactory.instance.objectNode() : model.settings;
        if (pm.settings != null) {
            common = ConfigLoader.merge(common, pm.settings);
        }
        if (overrides != null) {
            common = ConfigLoader.merge(common, overrides);
        }
        List<List<Level>> combos = new ArrayList<>();
        combos.add(List.of());
        for (Axis a : axes) {
            List<List<Level>> next = new ArrayList<>();
            for (List<Level> c : combos) {
                for (Level l : a.levels()) {
                    List<Level> longer = new ArrayList<>(c);
                    longer.add(l);
                    next.add(longer);
                }
            }
            combos = next;
        }
        List<ExperimentCell> cells = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (List<Level> combo : combos) {
            ObjectNode tree = common;
            Map<String, String> labels = new LinkedHashMap<>();
            for (int i = 0; i < axes.size(); i++) {
                tree = ConfigLoader.merge(tree, combo.get(i).settings());
                labels.put(axes.get(i).name(), combo.get(i).label());
            }
            for (long seed : seeds(profile)) {
                ObjectNode withSeed = tree.deepCopy();
                withSeed.put("seed", seed);
                withSeed.put("threads", threads);
                String id = ExperimentCell.idOf(labels, seed);
                String describe = "cell " + id + " (" + ExperimentCell.describe(labels) + ", seed " + seed + ")";
                if (!ids.add(id)) {
                    throw bad(describe + ": two cells have the same folder name " + id + "; make the labels distinct");
                }
                ScenarioConfig config;
                try {
                    config = ConfigLoader.fromTree(withSeed, "run keys").resolved();
                } catch (IllegalArgumentException e) {
                    throw bad(describe + ": " + e.getMessage());
                }
                config.name = id;
                cells.add(new ExperimentCell(id, labels, seed, config));
            }
        }
        if (cells.isEmpty()) {
            throw bad("profile " + profile + " has no cells");
        }
        return cells;
    }
}
