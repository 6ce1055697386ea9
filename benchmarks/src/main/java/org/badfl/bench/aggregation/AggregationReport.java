package org.badfl.bench.aggregation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.badfl.engine.ParamLayout;

/**
 * Turns a JMH JSON result of the aggregation benchmarks (and optionally the numpy anchor's JSON) into the
 * markdown tables of benchmarks/AGGREGATION.md: time per operation, GB/s of update data read, fraction of
 * the streaming baseline measured in the same run, Gram GFLOP/s against the engine's GEMM, and the median
 * against the per-coordinate Arrays.sort baseline and numpy.
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar org.badfl.bench.aggregation.AggregationReport
 * jmh.json [more-jmh.json ...] [--numpy numpy_median.json]}
 */
public final class AggregationReport {

    /** One benchmark score; {@code cpuMs} is the {@link CpuTimeProfiler} result (NaN when not profiled). */
    private record Result(String bench, int n, int d, int size, int threads, double ms, double error, double cpuMs,
                          double allocBytes) {
    }

    private final List<Result> results = new ArrayList<>();

    private AggregationReport() {
    }

    public static void main(String[] args) throws IOException {
        AggregationReport r = new AggregationReport();
        Map<String, Double> numpy = Map.of();
        int files = 0;
        for (int a = 0; a < args.length; a++) {
            if (args[a].equals("--numpy") && a + 1 < args.length) {
                numpy = readNumpy(new File(args[++a]));
            } else {
                r.read(new File(args[a]));
                files++;
            }
        }
        if (files == 0) {
            System.err.println("usage: AggregationReport <jmh-result.json> [more.json ...] [--numpy numpy_median.json]");
            System.exit(2);
        }
        System.out.print(r.render(numpy));
    }

    private void read(File file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file);
        for (JsonNode b : root) {
            String name = b.get("benchmark").asText();
            String shortName = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            JsonNode p = b.path("params");
            JsonNode m = b.get("primaryMetric");
            double scale = unitToMs(m.get("scoreUnit").asText());
            results.add(new Result(shortName, p.path("n").asInt(0), p.path("d").asInt(0), p.path("size").asInt(0),
                p.path("threads").asInt(0), m.get("score").asDouble() * scale,
                m.path("scoreError").asDouble(Double.NaN) * scale, cpu(b.path("secondaryMetrics").path("cpu")),
                allocNorm(b.path("secondaryMetrics"))));
        }
    }

    /** The gc profiler's bytes allocated per operation (named with a leading "·" before JMH 1.37), NaN if absent. */
    private static double allocNorm(JsonNode secondary) {
        JsonNode m = secondary.has("gc.alloc.rate.norm") ? secondary.get("gc.alloc.rate.norm")
            : secondary.path("·gc.alloc.rate.norm");
        return m.path("score").asDouble(Double.NaN);
    }

    private static double cpu(JsonNode metric) {
        return metric.isMissingNode() ? Double.NaN : metric.get("score").asDouble() * unitToMs(metric.get("scoreUnit").asText());
    }

    private static double unitToMs(String unit) {
        return switch (unit) {
            case "ms/op" -> 1;
            case "s/op" -> 1000;
            case "us/op" -> 1e-3;
            default -> throw new IllegalArgumentException("unexpected JMH score unit " + unit + " (expected time per op)");
        };
    }

    /** numpy JSON: [{"n": .., "d": .., "best_s": ..}, ...] → "n:d" → milliseconds. */
    private static Map<String, Double> readNumpy(File file) throws IOException {
        Map<String, Double> out = new LinkedHashMap<>();
        for (JsonNode r : new ObjectMapper().readTree(file)) {
            out.put(r.get("n").asInt() + ":" + r.get("d").asInt(), r.get("best_s").asDouble() * 1000);
        }
        return out;
    }

    private Result find(String bench, int n, int d, int threads) {
        for (Result r : results) {
            if (r.bench.equals(bench) && r.n == n && r.d == d && r.threads == threads) {
                return r;
            }
        }
        return null;
    }

    private String render(Map<String, Double> numpy) {
        StringBuilder sb = new StringBuilder();
        TreeSet<String> configs = new TreeSet<>();
        for (Result r : results) {
            if (r.bench.startsWith("KernelBenchmarks.")) {
                configs.add(String.format(Locale.ROOT, "%03d:%09d:%02d", r.threads, r.d, r.n));
            }
        }
        for (String key : configs) {
            String[] k = key.split(":");
            int threads = Integer.parseInt(k[0]);
            int d = Integer.parseInt(k[1]);
            int n = Integer.parseInt(k[2]);
            ParamLayout layout = ModelLayouts.forTrainableCount(d);
            Result stream = find("KernelBenchmarks.stream", n, d, threads);
            double gbStream = stream == null ? Double.NaN : gb(n, layout.size(), stream.ms);
            sb.append(String.format(Locale.ROOT, "%n#### n = %d, d = %,d (%s, %,d values), threads = %s%n%n", n, d,
                d == ModelLayouts.PAPER_CNN_PARAMS ? "paper CNN" : "ResNet18", layout.size(), threadsLabel(threads)));
            int cores = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
            sb.append("| kernel | ms/op (± 99.9% CI) | GB/s read | of streaming | CPU ms/op | CPU/" + cores
                + " (ms) | of streaming (CPU) | other |\n");
            sb.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
            for (String kernel : new String[] {"stream", "gram", "rowDots", "layerNorms", "median", "trimmedMean", "signVotes", "weightedSum",
                "weightedSumLayerScaled", "RoundBenchmarks.flame", "RoundBenchmarks.flTrust",
                "RoundBenchmarks.badflNonInspection"}) {
                Result r = find(kernel.contains(".") ? kernel : "KernelBenchmarks." + kernel, n, d, threads);
                if (r == null) {
                    continue;
                }
                int values = kernel.equals("gram") || kernel.equals("rowDots") ? layout.trainableSize() : layout.size();
                double gbs = gb(n, values, r.ms);
                String other = "";
                if (kernel.equals("gram")) {
                    other = String.format(Locale.ROOT, "%.1f GFLOP/s", gramGflops(n, values, r.ms));
                    Result gemm = find("GramVsGemmBenchmark.gemm", 0, 0, threads);
                    if (gemm != null) {
                        other += String.format(Locale.ROOT, " = %.0f%% of GEMM", 100 * gramGflops(n, values, r.ms) / gemmGflops(gemm));
                    }
                } else if (kernel.equals("median")) {
                    Result sort = find("SortBaselineBenchmark.sortMedian", n, d, threads);
                    if (sort != null) {
                        other = String.format(Locale.ROOT, "%.1f× Arrays.sort", sort.ms / r.ms);
                    }
                    Double np = numpy.get(n + ":" + layout.size());
                    if (np == null) {
                        np = numpy.get(n + ":" + d);
                    }
                    if (np != null) {
                        other += String.format(Locale.ROOT, "%s%.1f× numpy", other.isEmpty() ? "" : ", ", np / r.ms);
                    }
                }
                double streamCpu = stream == null ? Double.NaN : stream.cpuMs * values / layout.size();
                sb.append(String.format(Locale.ROOT, "| %s | %.1f ± %.1f | %.2f | %.0f%% | %.0f | %.0f | %.0f%% | %s |%n",
                    kernel.replace("RoundBenchmarks.", "round: "), r.ms, r.error, gbs, 100 * gbs / gbStream, r.cpuMs,
                    r.cpuMs / cores, 100 * streamCpu / r.cpuMs, other));
            }
        }
        List<String> extra = new ArrayList<>();
        for (Result r : results) {
            if (r.bench.equals("GramVsGemmBenchmark.gemm")) {
                extra.add(String.format(Locale.ROOT, "| GEMM %d×%d×%d | %s | %.1f ± %.1f | %.0f | %.1f GFLOP/s, %.1f per CPU-s |",
                    r.size, r.size, r.size, threadsLabel(r.threads), r.ms, r.error, r.cpuMs, gemmGflops(r),
                    2.0 * r.size * r.size * r.size / (r.cpuMs * 1e6)));
            } else if (r.bench.equals("GramVsGemmBenchmark.gram")) {
                Result gemm = find("GramVsGemmBenchmark.gemm", 0, 0, r.threads);
                double gf = gramGflops(r.size, r.size, r.ms);
                double gfCpu = gramGflops(r.size, r.size, r.cpuMs);
                String vs = gemm == null ? "" : String.format(Locale.ROOT, " = %.0f%% of GEMM (%.0f%% per CPU-s)",
                    100 * gf / gemmGflops(gemm), 100 * gfCpu / (2.0 * gemm.size * gemm.size * gemm.size / (gemm.cpuMs * 1e6)));
                extra.add(String.format(Locale.ROOT, "| Gram %d rows × %d (square) | %s | %.1f ± %.1f | %.0f | %.1f GFLOP/s, %.1f per CPU-s%s |",
                    r.size, r.size, threadsLabel(r.threads), r.ms, r.error, r.cpuMs, gf, gfCpu, vs));
            } else if (r.bench.equals("SortBaselineBenchmark.sortMedian")) {
                extra.add(String.format(Locale.ROOT, "| Arrays.sort median n=%d d=%,d | %s | %.1f ± %.1f | %.0f | %.2f GB/s |",
                    r.n, r.d, threadsLabel(r.threads), r.ms, r.error, r.cpuMs,
                    gb(r.n, ModelLayouts.forTrainableCount(r.d).size(), r.ms)));
            } else if (r.bench.equals("NoiseBenchmark.gaussianNoise")) {
                int size = ModelLayouts.forTrainableCount(r.d).size();
                extra.add(String.format(Locale.ROOT, "| Gaussian noise d=%,d | %s | %.1f ± %.1f | %.0f | %.1f ns/value (CPU) |",
                    r.d, threadsLabel(r.threads), r.ms, r.error, r.cpuMs, r.cpuMs * 1e6 / size));
            }
        }
        for (Map.Entry<String, Double> e : numpy.entrySet()) {
            String[] nd = e.getKey().split(":");
            extra.add(String.format(Locale.ROOT, "| numpy np.median(axis=0) n=%s d=%,d | 1 (numpy) | %.1f | – | %.2f GB/s |",
                nd[0], Integer.parseInt(nd[1]), e.getValue(), gb(Integer.parseInt(nd[0]), Integer.parseInt(nd[1]), e.getValue())));
        }
        List<String> memory = new ArrayList<>();
        for (Result r : results) {
            if (r.n > 0 && !Double.isNaN(r.allocBytes)) {
                double copy = 4.0 * r.n * ModelLayouts.forTrainableCount(r.d).size();
                memory.add(String.format(Locale.ROOT, "| %s | %d | %,d | %.1f | %.3f |", r.bench.replace("RoundBenchmarks.", "round: "),
                    r.n, r.d, r.allocBytes / 1e6, r.allocBytes / copy));
            }
        }
        if (!memory.isEmpty()) {
            sb.append("\n#### Allocation per operation (JMH gc profiler, all threads)\n\n"
                + "| benchmark | n | d | MB allocated/op | in copies of the updates (n·values·4 B) |\n|---|---:|---:|---:|---:|\n");
            memory.forEach(line -> sb.append(line).append('\n'));
        }
        if (!extra.isEmpty()) {
            sb.append("\n#### Baselines\n\n| what | threads | ms/op | CPU ms/op | rate |\n|---|---|---:|---:|---:|\n");
            extra.forEach(line -> sb.append(line).append('\n'));
        }
        return sb.toString();
    }

    private String threadsLabel(int threads) {
        return threads == 0 ? "all (" + Runtime.getRuntime().availableProcessors() + ")" : Integer.toString(threads);
    }

    private static double gb(int n, int values, double ms) {
        return 4.0 * n * values / (ms * 1e6);
    }

    /** Useful flops of the symmetric Gram: n(n+1)/2 dot products of 2·values flops. */
    private static double gramGflops(int n, int values, double ms) {
        return (double) n * (n + 1) * values / (ms * 1e6);
    }

    private static double gemmGflops(Result gemm) {
        double size = gemm.size;
        return 2 * size * size * size / (gemm.ms * 1e6);
    }
}
