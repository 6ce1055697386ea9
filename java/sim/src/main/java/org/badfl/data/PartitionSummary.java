package org.badfl.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Samples and class histogram per client of a {@link Partition}, printable as a table and savable as CSV or
 * JSON. Also two skew figures: the mean number of classes a client holds, and the mean total-variation
 * distance between a client's class distribution and the pooled one (0 = every client mirrors the whole set;
 * near 1 = clients hold classes nobody else has). Immutable.
 */
public final class PartitionSummary {

    private final String method;
    private final int[][] histogram;
    private final List<String> classNames;
    private final int draws;
    private final int moved;
    private final int unassigned;

    PartitionSummary(String method, int[][] histogram, List<String> classNames, int draws, int moved, int unassigned) {
        this.method = method;
        this.histogram = histogram;
        this.classNames = classNames;
        this.draws = draws;
        this.moved = moved;
        this.unassigned = unassigned;
    }

    PartitionSummary withClassNames(List<String> names) {
        return new PartitionSummary(method, histogram, names, draws, moved, unassigned);
    }

    public int clients() {
        return histogram.length;
    }

    public int numClasses() {
        return histogram.length == 0 ? 0 : histogram[0].length;
    }

    /** Samples of class {@code label} held by {@code client}. */
    public int count(int client, int label) {
        return histogram[client][label];
    }

    /** Copy of client {@code client}'s class histogram. */
    public int[] histogram(int client) {
        return histogram[client].clone();
    }

    public int samples(int client) {
        int s = 0;
        for (int v : histogram[client]) {
            s += v;
        }
        return s;
    }

    /** Mean over clients of the number of classes with at least one sample. */
    public double meanClassesPerClient() {
        double sum = 0;
        for (int[] h : histogram) {
            for (int v : h) {
                if (v > 0) {
                    sum++;
                }
            }
        }
        return sum / Math.max(1, histogram.length);
    }

    /**
     * Mean over non-empty clients of TV(client, pooled) = 1/2 sum_k |q_k - P_k|, q = the client's class
     * frequencies, P = the class frequencies over all assigned samples.
     */
    public double meanTotalVariation() {
        int k = numClasses();
        double[] pooled = new double[k];
        double total = 0;
        for (int[] h : histogram) {
            for (int c = 0; c < k; c++) {
                pooled[c] += h[c];
                total += h[c];
            }
        }
        if (total == 0) {
            return 0;
        }
        double sum = 0;
        int counted = 0;
        for (int u = 0; u < histogram.length; u++) {
            int n = samples(u);
            if (n == 0) {
                continue;
            }
            double tv = 0;
            for (int c = 0; c < k; c++) {
                tv += Math.abs(histogram[u][c] / (double) n - pooled[c] / total);
            }
            sum += tv / 2;
            counted++;
        }
        return sum / Math.max(1, counted);
    }

    private String className(int c) {
        return classNames == null ? Integer.toString(c) : classNames.get(c);
    }

    /** A human-readable table: one header with the method and skew figures, then one row per client. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        int min = Integer.MAX_VALUE;
        int max = 0;
        long sum = 0;
        for (int u = 0; u < clients(); u++) {
            int s = samples(u);
            min = Math.min(min, s);
            max = Math.max(max, s);
            sum += s;
        }
        sb.append(String.format(Locale.ROOT, "%s: %d clients, samples min %d / mean %.1f / max %d, classes per "
                + "client %.2f, mean TV distance to pooled %.3f%s%s%s%n", method, clients(), clients() == 0 ? 0 : min,
            sum / (double) Math.max(1, clients()), max, meanClassesPerClient(), meanTotalVariation(),
            draws > 1 ? ", " + draws + " draws" : "", moved > 0 ? ", " + moved + " samples moved for the minimum" : "",
            unassigned > 0 ? ", " + unassigned + " unassigned" : ""));
        int width = 6;
        for (int c = 0; c < numClasses(); c++) {
            width = Math.max(width, className(c).length() + 1);
        }
        sb.append(String.format(Locale.ROOT, "%6s %7s", "client", "samples"));
        for (int c = 0; c < numClasses(); c++) {
            sb.append(String.format(Locale.ROOT, " %" + width + "s", className(c)));
        }
        sb.append(System.lineSeparator());
        for (int u = 0; u < clients(); u++) {
            sb.append(String.format(Locale.ROOT, "%6d %7d", u, samples(u)));
            for (int c = 0; c < numClasses(); c++) {
                sb.append(String.format(Locale.ROOT, " %" + width + "d", histogram[u][c]));
            }
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }

    /** CSV: header {@code client,samples,<class names...>}, one row per client. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("client,samples");
        for (int c = 0; c < numClasses(); c++) {
            sb.append(',').append(csvField(className(c)));
        }
        sb.append('\n');
        for (int u = 0; u < clients(); u++) {
            sb.append(u).append(',').append(samples(u));
            for (int c = 0; c < numClasses(); c++) {
                sb.append(',').append(histogram[u][c]);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** JSON: method, skew figures, class names and per-client {client, samples, classCounts}. */
    public String toJson() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("method", method);
        root.put("clients", clients());
        root.put("draws", draws);
        root.put("movedForMinimum", moved);
        root.put("unassigned", unassigned);
        root.put("meanClassesPerClient", meanClassesPerClient());
        root.put("meanTotalVariation", meanTotalVariation());
        ArrayNode names = root.putArray("classNames");
        for (int c = 0; c < numClasses(); c++) {
            names.add(className(c));
        }
        ArrayNode rows = root.putArray("perClient");
        for (int u = 0; u < clients(); u++) {
            ObjectNode row = rows.addObject();
            row.put("client", u);
            row.put("samples", samples(u));
            ArrayNode counts = row.putArray("classCounts");
            for (int v : histogram[u]) {
                counts.add(v);
            }
        }
        try {
            return mapper.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@link #toCsv()} to a {@code .csv} file or {@link #toJson()} to a {@code .json} file. */
    public void save(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String content;
        if (name.endsWith(".csv")) {
            content = toCsv();
        } else if (name.endsWith(".json")) {
            content = toJson();
        } else {
            throw new IllegalArgumentException("partition summary file " + file + ": expected a .csv or .json name, "
                + "found '" + file.getFileName() + "'");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    private static String csvField(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    @Override
    public String toString() {
        return toTable();
    }
}
