package org.badfl.experiment;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.badfl.sim.ScenarioConfig;

/**
 * One cell of an experiment: one ordinary run (all the cell's defenses on one scenario) in the run folder
 * {@code <experiment out>/cells/<id>/}.
 *
 * @param id     folder name: the axis labels and the seed, e.g. {@code attackers-4_partition-iid_seed-1}
 * @param labels axis name to the cell's label on it, in axis order
 * @param seed   the run's master seed
 * @param config the resolved run config ({@code name} = id; {@code out} set by the runner)
 */
public record ExperimentCell(String id, Map<String, String> labels, long seed, ScenarioConfig config) {

    public ExperimentCell {
        labels = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
    }

    /** The folder name of a cell. */
    static String idOf(Map<String, String> labels, long seed) {
        StringBuilder sb = new StringBuilder();
        labels.forEach((axis, label) -> sb.append(safe(axis)).append('-').append(safe(label)).append('_'));
        return sb.append("seed-").append(seed).toString();
    }

    private static String safe(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-").replaceAll("^-+|-+$", "");
        return t.isEmpty() ? "x" : t;
    }

    /** "attack=dba, partition=iid". */
    static String describe(Map<String, String> labels) {
        return labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    /** "attack=dba, partition=iid, seed 1". */
    public String description() {
        return describe(labels) + ", seed " + seed;
    }
}
