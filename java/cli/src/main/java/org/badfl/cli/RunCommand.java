package org.badfl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.badfl.data.DatasetSource;
import org.badfl.gpu.TrainingDevice;
import org.badfl.sim.AdversaryConfig;
import org.badfl.sim.ConfigLoader;
import org.badfl.cli.ProgressPrinter;
import org.badfl.sim.RunFolder;
import org.badfl.sim.RunReport;
import org.badfl.sim.Scenario;
import org.badfl.sim.ScenarioConfig;
import org.badfl.sim.Simulation;
import org.badfl.sim.TrainingEngine;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code badfl run}: the federated simulation (docs/RUN.md). Without arguments it runs the embedded default
 * scenario. Every config key is also a flag of the same name (generated from {@link ScenarioConfig} and
 * {@link AdversaryConfig}, so the two cannot drift apart); flags override {@code --config FILE} (JSON or YAML),
 * which overrides the defaults. Everything is checked before the run folder is created; bad input exits with
 * code 2 and writes nothing.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    modelTransformer = RunCommand.ConfigOptions.class,
    description = {"Run a federated-learning simulation: one scenario (data, clients, attackers) compared across "
        + "defenses on the identical setup. Outputs: runs/<name>/ (config.json, rounds.csv, summary.json, acc.png, "
        + "asr.png, report.md, checkpoint/). See docs/RUN.md.",
        "With no arguments: embedded MNIST, 20 clients, 4 constrain-and-scale attackers with the backdoors101 "
            + "trigger, defenses no-attack, fedavg, flame, rlr, crfl, fltrust, badfl.", ""})
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", order = -10,
        description = "Config file (.json, .yaml, .yml) with any of the keys below; flags override it.")
    Path configFile;

    @Option(names = "--resume", paramLabel = "RUN_FOLDER", order = -9,
        description = "Continue an interrupted run (e.g. runs/<name>) from its last complete round; only --threads, "
            + "--device, --engine, --spark-master and --progress may be given with it.")
    Path resume;

    @Option(names = "--force", order = -8,
        description = "Replace an existing run folder of the same name (only a badfl run folder).")
    boolean force;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto", order = -7,
        description = "auto (a bar on a terminal, plain lines otherwise), bar, plain or none (default: auto).")
    String progress;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto", order = -7,
        description = "Where clients train: auto (the GPU when one is usable, else the CPU, saying why), gpu, cpu, or "
            + "emu (the CUDA kernels on the CPU emulation: slow, for testing). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = TrainingEngine.LOCAL, order = -7,
        description = "Where clients train: local (this JVM, see --device) or spark (the executors of --spark-master; "
            + "same results as local). Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--spark-master", paramLabel = "URL", defaultValue = "local[*]", order = -7,
        description = "With --engine spark: local[N] (N threads in this JVM), local[N,F] (F attempts per task) or "
            + "spark://HOST:PORT (a standalone cluster; every worker must see the dataset). Default: ${DEFAULT-VALUE}.")
    String sparkMaster;

    @Option(names = "--print-config", order = -6,
        description = "Print the resolved config (YAML) and exit without running.")
    boolean printConfig;

    /** Names of the flags that are config keys (added by {@link ConfigOptions}). */
    static final java.util.Set<String> CONFIG_KEYS = ConfigLoader.keys().stream().map(ConfigLoader.Key::name)
        .collect(java.util.stream.Collectors.toUnmodifiableSet());

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ProgressPrinter.Mode mode = ProgressPrinter.Mode.parse(progress);
        ObjectNode flags = configFlags(spec.commandLine().getParseResult());
        if (resume != null) {
            return resume(flags, mode, out);
        }
        ObjectNode tree = configFile == null ? JsonNodeFactory.instance.objectNode() : ConfigLoader.readTree(configFile);
        ConfigLoader.fromTree(flags, "command line"); // type errors name the flag, not the merged tree
        ScenarioConfig config = ConfigLoader.fromTree(ConfigLoader.merge(tree, flags),
            configFile == null ? "command line" : "config file " + configFile + " with flags").resolved();
        if (printConfig) {
            Scenario.checkDefenses(config); // names and options of every defense, as a run would check them
            out.print(ConfigLoader.toYaml(config));
            out.flush();
            return 0;
        }
        try (TrainingDevice training = TrainingDevice.select(localDevice())) { // before anything is written
            return start(config, training, mode, out);
        }
    }

    /** The device of this JVM: the CPU when another engine trains the clients (their updates come to the host). */
    private String localDevice() {
        if (engine.equals(TrainingEngine.LOCAL)) {
            if (spec.commandLine().getParseResult().hasMatchedOption("--spark-master")) {
                throw new IllegalArgumentException("--spark-master is for --engine spark; the local engine has none");
            }
            return device;
        }
        if (!device.equals("auto") && !device.equals("cpu")) {
            throw new IllegalArgumentException("--device " + device + " trains in this JVM, --engine " + engine
                + " on its workers' CPU engine: give one of them");
        }
        return "cpu";
    }

    /** The engine's workers, connected and checked before anything is written; null for the local engine. */
    private TrainingEngine.Session connectEngine(Scenario scenario) {
        if (engine.equals(TrainingEngine.LOCAL)) {
            return null;
        }
        TrainingEngine.Session session = TrainingEngine.named(engine).connect(sparkMaster);
        try {
            session.prepare(scenario);
            return session;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private int start(ScenarioConfig config, TrainingDevice training, ProgressPrinter.Mode mode, PrintWriter out) {
        Scenario scenario = Scenario.prepare(config);
        try (TrainingEngine.Session session = connectEngine(scenario)) {
            return start(config, scenario, training, session, mode, out);
        }
    }

    private int start(ScenarioConfig config, Scenario scenario, TrainingDevice training, TrainingEngine.Session session,
                      ProgressPrinter.Mode mode, PrintWriter out) {
        Path outRoot = Path.of(config.out);
        if (config.name == null) {
            config.name = RunFolder.freshName(outRoot);
        }
        RunFolder folder = RunFolder.create(outRoot.resolve(config.name), config, force).chartRenderer(Plots::render);
        out.println("badfl run " + config.name + ": " + scenario.summaryLine());
        out.println("outputs: " + folder.dir() + "  (resume after an interruption: ./badfl run --resume "
            + folder.dir() + ")");
        out.flush();
        return runAndReport(scenario, folder, config.threads, mode, out, training, session);
    }

    private int resume(ObjectNode flags, ProgressPrinter.Mode mode, PrintWriter out) {
        List<String> other = new ArrayList<>();
        flags.fieldNames().forEachRemaining(k -> {
            if (!k.equals("threads")) {
                other.add("--" + k);
            }
        });
        if (configFile != null) {
            other.add(0, "--config");
        }
        if (force) {
            other.add("--force");
        }
        if (!other.isEmpty()) {
            throw new IllegalArgumentException("--resume continues a run exactly as configured in its config.json; "
                + "remove " + String.join(", ", other) + " (only --threads, --progress, --device, --engine and "
                + "--spark-master may change)");
        }
        RunFolder folder = RunFolder.open(resume).chartRenderer(Plots::render);
        ScenarioConfig config = folder.readConfig();
        int threads = flags.has("threads") ? ConfigLoader.fromTree(flags, "command line").threads : config.threads;
        try (TrainingDevice training = TrainingDevice.select(localDevice())) {
            Scenario scenario = Scenario.prepare(config);
            try (TrainingEngine.Session session = connectEngine(scenario)) {
                return runAndReport(scenario, folder, threads, mode, out, training, session);
            }
        }
    }

    private int runAndReport(Scenario scenario, RunFolder folder, int threads, ProgressPrinter.Mode mode,
                             PrintWriter out, TrainingDevice training, TrainingEngine.Session session) {
        out.println(session == null ? training.message() : "clients train on " + session.description());
        out.flush();
        Simulation.Outcome outcome;
        ProgressPrinter printer = new ProgressPrinter(mode, out, System.err);
        try {
            outcome = Simulation.of(scenario).threads(threads).folder(folder).listener(printer)
                .device(training.device()).engine(session)
                .finalEvaluation(new org.badfl.sim.SmoothedFinalEvaluation()).build().run();
        } finally {
            printer.close();
        }
        out.println();
        out.print(RunReport.consoleTable(outcome.results()));
        out.print(RunReport.smoothedLines(outcome.results()));
        out.println();
        if (folder.chartProblem() == null) {
            out.println("wrote " + folder.dir() + "/{config.json, rounds.csv, summary.json, acc.png"
                + (scenario.hasAsr() ? ", asr.png" : "") + ", report.md}");
        } else {
            out.println("wrote " + folder.dir() + "/{config.json, rounds.csv, summary.json, report.md}");
            out.println("warning: " + folder.chartProblem());
        }
        out.flush();
        return 0;
    }

    /** The config keys given as flags, as a flat config tree (values as text; types checked when bound). */
    static ObjectNode configFlags(ParseResult parsed) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode node = f.objectNode();
        for (OptionSpec o : parsed.matchedOptions()) {
            String key = o.longestName().substring(2);
            if (!CONFIG_KEYS.contains(key)) {
                continue;
            }
            switch (key) {
                case "defenses" -> {
                    ArrayNode list = node.putArray(key);
                    for (String part : o.<String>getValue().split(",")) {
                        if (!part.isBlank()) {
                            list.add(part.trim());
                        }
                    }
                }
                case "defense-options" -> {
                    ObjectNode byDefense = node.putObject(key);
                    for (String spec : o.<List<String>>getValue()) {
                        addDefenseOption(byDefense, spec);
                    }
                }
                case "more-adversaries" -> {
                    ArrayNode list = node.putArray(key);
                    for (String spec : o.<List<String>>getValue()) {
                        list.add(adversary(spec));
                    }
                }
                default -> node.put(key, o.<String>getValue());
            }
        }
        return node;
    }

    /** "flame:lambda=0.002" or "flame:lambda=0.002,median-over=admitted". */
    private static void addDefenseOption(ObjectNode byDefense, String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--defense-option: expected DEFENSE:key=value[,key=value], found '"
                + spec + "'");
        }
        String defense = spec.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        ObjectNode options = byDefense.has(defense) ? (ObjectNode) byDefense.get(defense) : byDefense.putObject(defense);
        for (String kv : spec.substring(colon + 1).split(",")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--defense-option: expected key=value after '" + defense + ":', found '"
                    + kv.trim() + "'");
            }
            options.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
    }

    /** "attack=dba,attackers=2,target=3,schedule=from:5+every:2". */
    private static JsonNode adversary(String spec) {
        ObjectNode a = JsonNodeFactory.instance.objectNode();
        for (String kv : spec.split(",")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--more-adversaries: expected key=value[,key=value...] with keys "
                    + String.join(", ", ConfigLoader.adversaryKeys()) + ", found '" + kv.trim() + "'");
            }
            a.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return a;
    }

    /**
     * Adds one option per config key ({@link ConfigLoader#keys()}), with the key's description and default, so
     * that every key can be set by flag.
     */
    public static final class ConfigOptions implements CommandLine.IModelTransformer {

        @Override
        public CommandSpec transform(CommandSpec commandSpec) {
            int order = 0;
            for (ConfigLoader.Key key : ConfigLoader.keys()) {
                OptionSpec.Builder b;
                boolean hasDefault = key.defaultValue() != null && !key.defaultValue().isNull();
                String description = key.description() + (hasDefault ? " (default: " + defaultText(key) + ")" : "");
                switch (key.name()) {
                    case "defenses" -> b = OptionSpec.builder("--defenses", "--defense").type(String.class)
                        .paramLabel("NAME[,NAME...]")
                        .description(description.replace(" (default", " Valid: "
                            + String.join(", ", validDefenses()) + ". (default"));
                    case "defense-options" -> b = OptionSpec.builder("--defense-options", "--defense-option")
                        .type(List.class).auxiliaryTypes(String.class).paramLabel("DEFENSE:KEY=VALUE[,KEY=VALUE]")
                        .description(description);
                    case "more-adversaries" -> b = OptionSpec.builder("--more-adversaries", "--adversary")
                        .type(List.class).auxiliaryTypes(String.class).paramLabel("KEY=VALUE[,KEY=VALUE...]")
                        .description(description);
                    default -> {
                        b = OptionSpec.builder("--" + key.name()).type(String.class)
                            .paramLabel(paramLabel(key)).description(description);
                        if (key.type() == boolean.class || key.type() == Boolean.class) {
                            b.arity("0..1").fallbackValue("true");
                        }
                    }
                }
                commandSpec.addOption(b.order(order++).build());
            }
            return commandSpec;
        }

        private static List<String> validDefenses() {
            try {
                return Scenario.validDefenseNames();
            } catch (RuntimeException | LinkageError e) {
                return List.of(ScenarioConfig.NO_ATTACK);
            }
        }

        private static String defaultText(ConfigLoader.Key key) {
            if (key.name().equals("dataset")) {
                return DatasetSource.DEFAULT;
            }
            return key.defaultText().isEmpty() ? "none" : key.defaultText();
        }

        private static String paramLabel(ConfigLoader.Key key) {
            Class<?> t = key.type();
            if (t == boolean.class || t == Boolean.class) {
                return "true|false";
            }
            if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
                return "N";
            }
            if (t == double.class || t == Double.class) {
                return "X";
            }
            return key.name().toUpperCase(Locale.ROOT).replace('-', '_');
        }
    }
}
