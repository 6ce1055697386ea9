package org.badfl.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.badfl.clients.AgrAgnosticAttack;
import org.badfl.clients.AlieAttack;
import org.badfl.clients.AlterMinAttack;
import org.badfl.clients.AttackSchedule;
import org.badfl.clients.ClientAttack;
import org.badfl.clients.ConstrainAndScaleAttack;
import org.badfl.clients.DbaAttack;
import org.badfl.clients.EdgeCaseAttack;
import org.badfl.clients.FangKrumAttack;
import org.badfl.clients.FangTrimmedMeanAttack;
import org.badfl.clients.GaussianAttack;
import org.badfl.clients.IpmAttack;
import org.badfl.clients.LabelFlippingAttack;
import org.badfl.clients.MimicAttack;
import org.badfl.clients.MinMaxAttack;
import org.badfl.clients.MinSumAttack;
import org.badfl.clients.ModelPoisoningAttack;
import org.badfl.clients.NeurotoxinAttack;
import org.badfl.clients.NormMatchedAttack;
import org.badfl.clients.PixelPatternAttack;
import org.badfl.clients.SaliencyMimicAttack;
import org.badfl.clients.SignFlippingAttack;
import org.badfl.clients.TrainingSettings;
import org.badfl.data.AsrSet;
import org.badfl.data.Dataset;
import org.badfl.data.DataFile;
import org.badfl.data.DatasetSource;
import org.badfl.data.DirichletPartitioner;
import org.badfl.data.EdgeCaseSet;
import org.badfl.data.IidPartitioner;
import org.badfl.data.Partition;
import org.badfl.data.Partitioner;
import org.badfl.data.TrainTest;
import org.badfl.data.Trigger;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Models;
import org.badfl.server.Defense;
import org.badfl.server.badfl.BadflConfig;
import org.badfl.server.catalog.Defenses;
import org.badfl.util.Seeds;

/**
 * A prepared scenario: everything that is the same for every defense of a run, derived from the resolved
 * config and its master seed — the data, the held-out server sets, the client partition, the adversaries and
 * their clients, the model architecture and the initial global model. Preparing it checks every input (dataset
 * path, model name and fit, trigger fit, labels, defense names and options, attacker count), so that a bad input
 * fails before anything is written.
 *
 * <h2>Derivations (all from the master seed s)</h2>
 * <ul>
 *   <li>Held-out sets, before partitioning: per class, its training indices (without edge-case tails) are
 *       shuffled with {@code Seeds.derive(s, "holdout", class)}; the root set takes the first
 *       ⌊size/K⌋ (+1 for the first size mod K classes) of each, the inspection set the next ones.</li>
 *   <li>Partition of the remaining training samples: IID or Dirichlet with seed {@code derive(s, "partition")}.</li>
 *   <li>Attackers: a shuffle of the client ids with {@code derive(s, "attackers")}; adversary 1 takes the first
 *       a₁, adversary 2 the next a₂, ...; within an adversary, attacker number k (DBA part) is the k-th smallest
 *       id.</li>
 *   <li>Initial G: the model's PyTorch-default initialisation with {@code derive(s, "model-init")}.</li>
 *   <li>Per round (see {@link Simulation}): client selection {@code derive(s, "select", t)} ({@link
 *       #selectClients}), client training
 *       {@code derive(s, "client", t, id)}, aggregation {@code derive(s, "aggregation", t)}.</li>
 * </ul>
 */
public final class Scenario {

    /**
     * One adversary with its clients.
     *
     * @param number   1-based adversary number
     * @param config   its resolved configuration
     * @param attack   the attack strategy its clients run
     * @param schedule its attack rounds
     * @param clients  its client ids, ascending
     * @param asrSet   the inputs its ASR is measured on, or null for an untargeted attack
     */
    public record Adversary(int number, AdversaryConfig config, ClientAttack attack, AttackSchedule schedule,
                            int[] clients, AsrSet asrSet) {

        /** True when the attack reads the honest updates of its rounds before the defense does. */
        public boolean omniscient() {
            return attack instanceof ModelPoisoningAttack m && m.omniscient();
        }
    }

    private final ScenarioConfig config;
    private final TrainTest data;
    private final int[] cleanTestIndices;
    private final int[] rootIndices;
    private final int[] inspectionIndices;
    private final Partition partition;
    private final int[][] clientIndices;
    private final List<Adversary> adversaries;
    private final int[] adversaryOfClient;
    private final SybilIds sybilIds;
    private final int[] rankOfClient;
    private final ModelSpec modelSpec;
    private final float[] initialGlobal;
    private final TrainingSettings training;

    private Scenario(ScenarioConfig config, TrainTest data, int[] cleanTestIndices, int[] rootIndices,
                     int[] inspectionIndices, Partition partition, int[][] clientIndices, List<Adversary> adversaries,
                     ModelSpec modelSpec, float[] initialGlobal) {
        this.config = config;
        this.data = data;
        this.cleanTestIndices = cleanTestIndices;
        this.rootIndices = rootIndices;
        this.inspectionIndices = inspectionIndices;
        this.partition = partition;
        this.clientIndices = clientIndices;
        this.adversaries = List.copyOf(adversaries);
        this.modelSpec = modelSpec;
        this.initialGlobal = initialGlobal;
        this.adversaryOfClient = new int[config.clients];
        this.rankOfClient = new int[config.clients];
        Arrays.fill(adversaryOfClient, -1);
        for (int a = 0; a < adversaries.size(); a++) {
            int[] ids = adversaries.get(a).clients();
            for (int k = 0; k < ids.length; k++) {
                adversaryOfClient[ids[k]] = a;
                rankOfClient[ids[k]] = k;
            }
        }
        this.sybilIds = SybilIds.of(config.seed, config.clients, this.adversaries);
        this.training = new TrainingSettings(config.epochs, config.batchSize, config.lr, config.momentum,
            config.weightDecay, config.normalize);
    }

    /**
     * Resolves and checks {@code config}, loads the data and derives everything.
     *
     * @throws IllegalArgumentException for any bad input, naming it (nothing is written)
     */
    public static Scenario prepare(ScenarioConfig config) {
        ScenarioConfig c = config.resolved();
        checkDefenses(c);
        TrainTest tt = DatasetSource.load(c.dataset);
        return prepare(c, tt);
    }

    /** As {@link #prepare(ScenarioConfig)} with data already loaded ({@code config.dataset} only names it). */
    public static Scenario prepare(ScenarioConfig config, TrainTest tt) {
        ScenarioConfig c = config.resolved();
        checkDefenses(c);
        Dataset train = tt.train();
        Dataset test = tt.test();
        int classes = train.numClasses();

        ModelSpec spec = Models.spec(c.model, train.channels(), train.height(), train.width(), classes);

        // Adversaries' attacks first: edge-case tails must be removed from the clean pools.
        List<AdversaryConfig> advConfigs = c.adversaries().stream().filter(a -> !a.attack.equals("none")).toList();
        List<ClientAttack> attacks = new ArrayList<>();
        TreeSet<Integer> trainTails = new TreeSet<>();
        TreeSet<Integer> testTails = new TreeSet<>();
        for (int a = 0; a < advConfigs.size(); a++) {
            AdversaryConfig ac = advConfigs.get(a);
            String where = "adversary " + (a + 1) + " (" + ac.attack + ")";
            if (ac.target != null && ac.target >= classes) {
                throw new IllegalArgumentException(where + ": target label " + ac.target + " does not exist; the dataset "
                    + tt.spec() + " has labels 0.." + (classes - 1));
            }
            ClientAttack attack = createAttack(ac, train, test, where);
            if (attack instanceof EdgeCaseAttack e) {
                Arrays.stream(e.edgeCases().trainTailIndices()).forEach(trainTails::add);
                Arrays.stream(e.edgeCases().testTailIndices()).forEach(testTails::add);
            }
            attacks.add(attack);
        }

        int[] cleanTest = complement(test.size(), testTails);
        int[] pool = complement(train.size(), trainTails);
        int[][] holdouts = holdOut(train, pool, c.rootSet, c.inspectionSet, c.seed);
        TreeSet<Integer> held = new TreeSet<>();
        Arrays.stream(holdouts[0]).forEach(held::add);
        Arrays.stream(holdouts[1]).forEach(held::add);
        held.addAll(trainTails);
        int[] clientPool = complement(train.size(), held);

        Partitioner partitioner = c.partition.equals("iid") ? new IidPartitioner(c.clients, c.minSamples)
            : new DirichletPartitioner(c.clients, c.dirichletAlpha, c.minSamples);
        int[] poolLabels = new int[clientPool.length];
        for (int i = 0; i < clientPool.length; i++) {
            poolLabels[i] = train.label(clientPool[i]);
        }
        Partition partition;
        try {
            partition = partitioner.partition(poolLabels, classes, Seeds.derive(c.seed, "partition"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("partition of " + clientPool.length + " training samples (after holding "
                + "out " + held.size() + "): " + e.getMessage());
        }
        int[][] clientIndices = new int[c.clients][];
        for (int k = 0; k < c.clients; k++) {
            int[] local = partition.indices(k);
            int[] global = new int[local.length];
            for (int i = 0; i < local.length; i++) {
                global[i] = clientPool[local[i]];
            }
            clientIndices[k] = global;
        }

        checkModelPoisoning(c, advConfigs, attacks);
        List<Adversary> adversaries = assignAttackers(c, advConfigs, attacks, test);
        float[] initial = spec.create(Seeds.derive(c.seed, "model-init")).params().clone();
        return new Scenario(c, tt, cleanTest, holdouts[0], holdouts[1], partition, clientIndices, adversaries, spec,
            initial);
    }

    // ------------------------------------------------------------------ preparation steps

    /**
     * Model-poisoning attacks against the round composition: all of an adversary's clients take part in its attack
     * rounds, so a round has {@code max(1, round(fraction·N))} clients of which at least that minus all attackers
     * are honest.
     */
    private static void checkModelPoisoning(ScenarioConfig c, List<AdversaryConfig> configs,
                                            List<ClientAttack> attacks) {
        int perRound = Math.min(c.clients, Math.max(1, (int) Math.round(c.fraction * c.clients)));
        int allAttackers = configs.stream().mapToInt(a -> a.attackers).sum();
        for (int a = 0; a < attacks.size(); a++) {
            if (attacks.get(a) instanceof ModelPoisoningAttack m) {
                int inRound = Math.max(perRound, allAttackers);
                try {
                    m.checkRound(inRound, configs.get(a).attackers, inRound - allAttackers);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("adversary " + (a + 1) + " (" + configs.get(a).attack + "): "
                        + e.getMessage(), e);
                }
            }
        }
    }

    /** Names every defense of the run can be created with its options; "no-attack" is FedAvg. */
    public static void checkDefenses(ScenarioConfig c) {
        for (String name : c.defenses) {
            createDefense(c, name);
        }
        if (c.defenses.contains("fltrust") && c.rootSet == 0) {
            throw new IllegalArgumentException("config key 'root-set': defense fltrust needs a clean root set, found "
                + "root-set 0");
        }
        if (c.defenses.stream().anyMatch(d -> d.startsWith("badfl")) && c.inspectionSet == 0) {
            throw new IllegalArgumentException("config key 'inspection-set': defense badfl needs clean inspection "
                + "images, found inspection-set 0");
        }
    }

    /** The list users may pass to --defense. */
    public static List<String> validDefenseNames() {
        List<String> names = new ArrayList<>();
        names.add(ScenarioConfig.NO_ATTACK);
        names.addAll(Defenses.names());
        return names;
    }

    /** A fresh defense instance for {@code name} with the config's options ({@code no-attack} = FedAvg). */
    static Defense createDefense(ScenarioConfig c, String name) {
        if (name.equals(ScenarioConfig.NO_ATTACK)) {
            return Defenses.create("fedavg");
        }
        if (!Defenses.names().contains(name)) {
            throw new IllegalArgumentException("unknown defense '" + name + "'; valid defenses: "
                + String.join(", ", validDefenseNames()));
        }
        return Defenses.create(name, defenseOptions(c, name));
    }

    /**
     * The options {@code name} is created with: the config's, plus BADFL's noise σ from the partition when the
     * user did not set {@code sigma} — 0.001 for IID clients, 1e-4 for non-IID ones, as the paper's evaluation
     * does (Sec. VII-A; Fig. 12: larger σ degrades non-IID training).
     */
    static Map<String, String> defenseOptions(ScenarioConfig c, String name) {
        Map<String, String> options = c.defenseOptions.getOrDefault(name, Map.of());
        if (name.equals("badfl") && !options.containsKey("sigma")) {
            Map<String, String> withSigma = new LinkedHashMap<>(options);
            withSigma.put("sigma", Double.toString(badflPartitionSigma(c)));
            return withSigma;
        }
        return options;
    }

    /** BADFL's σ for the config's partition: 0.001 (IID) or 1e-4 (non-IID). */
    static double badflPartitionSigma(ScenarioConfig c) {
        return c.partition.equals("iid") ? BadflConfig.IID_SIGMA : BadflConfig.NON_IID_SIGMA;
    }

    /** How BADFL's σ was chosen, for the run's description (null when BADFL is not in the run). */
    String badflSigmaDescription() {
        if (!config.defenses.contains("badfl")) {
            return null;
        }
        String set = config.defenseOptions.getOrDefault("badfl", Map.of()).get("sigma");
        return set != null ? "BADFL sigma " + set + " (set by badfl:sigma)"
            : "BADFL sigma " + badflPartitionSigma(config) + " (the paper's value for "
                + (config.partition.equals("iid") ? "IID" : "non-IID") + " clients; badfl:sigma overrides it)";
    }

    private static ClientAttack createAttack(AdversaryConfig a, Dataset train, Dataset test, String where) {
        ClientAttack.Scaling scaling = a.scale == null ? ClientAttack.Scaling.NONE : ClientAttack.Scaling.parse(a.scale);
        try {
            return switch (a.attack) {
                case "pixel-pattern" -> new PixelPatternAttack(trigger(a, train, where), a.target, a.poisonRatio,
                    scaling, a.poisonEpochs, a.poisonLr);
                case "constrain-and-scale" -> new ConstrainAndScaleAttack(trigger(a, train, where), a.target,
                    a.poisonRatio, a.anomalyAlpha, scaling, a.poisonEpochs, a.poisonLr);
                case "dba" -> new DbaAttack(train.channels(), train.height(), train.width(), a.target, a.poisonRatio,
                    scaling, a.poisonEpochs, a.poisonLr);
                case "edge-case" -> new EdgeCaseAttack(new EdgeCaseSet(train, test, a.edgeSource, a.target, a.edgeTail,
                    a.edgeTail), a.poisonRatio, a.pgdEps, scaling, a.poisonEpochs, a.poisonLr);
                case "norm-matched" -> new NormMatchedAttack(a.baseAttack.equals("constrain-and-scale")
                    ? new ConstrainAndScaleAttack(trigger(a, train, where), a.target, a.poisonRatio, a.anomalyAlpha,
                    scaling, a.poisonEpochs, a.poisonLr)
                    : new PixelPatternAttack(trigger(a, train, where), a.target, a.poisonRatio, scaling, a.poisonEpochs,
                    a.poisonLr));
                case "label-flipping" -> a.flipMode.equals("all2all") ? LabelFlippingAttack.allToAll(train.numClasses())
                    : LabelFlippingAttack.targeted(a.flipSource, a.target, train.numClasses());
                case "sign-flipping" -> new SignFlippingAttack();
                case "gaussian" -> new GaussianAttack(a.noiseMean, a.noiseStd);
                case "alie" -> new AlieAttack(a.alieZ);
                case "ipm" -> new IpmAttack(a.ipmEps);
                case "min-max" -> new MinMaxAttack(AgrAgnosticAttack.Perturbation.parse(a.perturbation, a.attack),
                    a.gammaInit);
                case "min-sum" -> new MinSumAttack(AgrAgnosticAttack.Perturbation.parse(a.perturbation, a.attack),
                    a.gammaInit);
                case "fang-krum" -> new FangKrumAttack();
                case "fang-trimmed-mean" -> new FangTrimmedMeanAttack();
                case "mimic" -> new MimicAttack(a.mimicClient);
                case "neurotoxin" -> new NeurotoxinAttack(trigger(a, train, where), a.target, a.poisonRatio,
                    a.maskRatio, a.pgdEps, scaling, a.poisonEpochs, a.poisonLr);
                case "alter-min" -> new AlterMinAttack(trigger(a, train, where), a.target, a.poisonRatio,
                    a.boost.equals("auto") ? null : Double.valueOf(a.boost), a.stealthRho, scaling, a.poisonEpochs,
                    a.poisonLr);
                case "saliency-mimic" -> new SaliencyMimicAttack(trigger(a, train, where), a.target, a.poisonRatio,
                    a.saliencyLambda, scaling, a.poisonEpochs, a.poisonLr);
                default -> throw new IllegalStateException("attack " + a.attack);
            };
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static Trigger trigger(AdversaryConfig a, Dataset train, String where) {
        try {
            return Trigger.preset(a.trigger, train.channels(), train.height(), train.width());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": key 'trigger': " + e.getMessage() + " (images are "
                + train.shapeString() + ")");
        }
    }

    /** {root, inspection} index arrays (ascending), class-balanced over the classes present in {@code pool}. */
    static int[][] holdOut(Dataset train, int[] pool, int rootSize, int inspectionSize, long seed) {
        int classes = train.numClasses();
        List<List<Integer>> byClass = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            byClass.add(new ArrayList<>());
        }
        for (int i : pool) {
            byClass.get(train.label(i)).add(i);
        }
        List<Integer> present = new ArrayList<>();
        int[][] shuffled = new int[classes][];
        for (int k = 0; k < classes; k++) {
            int[] idx = byClass.get(k).stream().mapToInt(Integer::intValue).toArray();
            shuffle(idx, new SplittableRandom(Seeds.derive(seed, "holdout", k)));
            shuffled[k] = idx;
            if (idx.length > 0) {
                present.add(k);
            }
        }
        int[] taken = new int[classes];
        int[] root = take(shuffled, present, taken, rootSize, "root-set");
        int[] inspection = take(shuffled, present, taken, inspectionSize, "inspection-set");
        return new int[][] {root, inspection};
    }

    private static int[] take(int[][] shuffled, List<Integer> present, int[] taken, int size, String key) {
        int[] out = new int[size];
        int at = 0;
        int p = present.size();
        for (int j = 0; j < p && size > 0; j++) {
            int k = present.get(j);
            int quota = size / p + (j < size % p ? 1 : 0);
            if (taken[k] + quota > shuffled[k].length) {
                throw new IllegalArgumentException("config key '" + key + "': " + size + " class-balanced samples need "
                    + quota + " of class " + k + ", but only " + (shuffled[k].length - taken[k]) + " are left");
            }
            System.arraycopy(shuffled[k], taken[k], out, at, quota);
            taken[k] += quota;
            at += quota;
        }
        Arrays.sort(out);
        return out;
    }

    private static List<Adversary> assignAttackers(ScenarioConfig c, List<AdversaryConfig> configs,
                                                   List<ClientAttack> attacks, Dataset test) {
        int[] order = new int[c.clients];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        shuffle(order, new SplittableRandom(Seeds.derive(c.seed, "attackers")));
        List<Adversary> out = new ArrayList<>();
        int at = 0;
        for (int a = 0; a < configs.size(); a++) {
            AdversaryConfig ac = configs.get(a);
            int[] ids = Arrays.copyOfRange(order, at, at + ac.attackers);
            Arrays.sort(ids);
            at += ac.attackers;
            ClientAttack attack = attacks.get(a);
            out.add(new Adversary(a + 1, ac, attack, AttackSchedule.parse(ac.schedule), ids, attack.asrSet(test)));
        }
        return out;
    }

    /** Fisher–Yates from the last position down (the data package's convention). */
    static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static int[] complement(int n, TreeSet<Integer> removed) {
        int[] out = new int[n - removed.size()];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (!removed.contains(i)) {
                out[k++] = i;
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ accessors

    /** The resolved config. */
    public ScenarioConfig config() {
        return config;
    }

    public TrainTest data() {
        return data;
    }

    public Dataset train() {
        return data.train();
    }

    public Dataset test() {
        return data.test();
    }

    /** Test indices ACC is measured on (the test split without edge-case tails). */
    public int[] cleanTestIndices() {
        return cleanTestIndices.clone();
    }

    /** Training indices of the server's root set (FLTrust). */
    public int[] rootIndices() {
        return rootIndices.clone();
    }

    /** Training indices of the server's inspection set (BADFL). */
    public int[] inspectionIndices() {
        return inspectionIndices.clone();
    }

    /** Client {@code id}'s training indices (ascending, into {@link #train()}). */
    public int[] clientIndices(int id) {
        return clientIndices[id].clone();
    }

    /** Number of training samples of client {@code id}. */
    public int clientSamples(int id) {
        return clientIndices[id].length;
    }

    public List<Adversary> adversaries() {
        return adversaries;
    }

    /** True when at least one adversary attacks. */
    public boolean hasAttack() {
        return !adversaries.isEmpty();
    }

    /** True when at least one adversary has an ASR (a targeted attack). */
    public boolean hasAsr() {
        return adversaries.stream().anyMatch(a -> a.asrSet() != null);
    }

    /** Index into {@link #adversaries()} of the adversary controlling client {@code id}, or −1 for honest clients. */
    public int adversaryOf(int id) {
        return adversaryOfClient[id];
    }

    /**
     * The id the server sees for client {@code id} in {@code round}: {@code id} itself, or a fresh id every round
     * for the clients of a sybil adversary ({@link SybilIds}).
     */
    public int serverId(int id, int round) {
        return sybilIds.serverId(id, round);
    }

    /** Attacker number of client {@code id} within its adversary (0-based). */
    public int rankOf(int id) {
        return rankOfClient[id];
    }

    public ModelSpec modelSpec() {
        return modelSpec;
    }

    /** G before round 1 (a copy). */
    public float[] initialGlobal() {
        return initialGlobal.clone();
    }

    /** Honest local-training settings. */
    public TrainingSettings training() {
        return training;
    }

    /**
     * Clients selected in round {@code t} (ascending): max(1, round(fraction·N)) clients, the same for every
     * defense, including no-attack. With {@code attacker-selection sampled} (the default) all N clients are
     * shuffled with {@code derive(seed, "select", t)} and the first ones taken, so attackers take part as often as
     * anyone (an attacker attacks in t only when drawn and scheduled). With {@code forced} the adversaries' clients
     * scheduled to attack in t come first (they always take part, as in Bagdasaryan et al.'s attack rounds) and
     * the rest is drawn from the other clients with the same seed.
     */
    public int[] selectClients(int round) {
        int n = config.clients;
        int m = Math.max(1, (int) Math.round(config.fraction * n));
        if (m >= n) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        TreeSet<Integer> chosen = new TreeSet<>();
        if (config.attackerSelection.equals("forced")) {
            for (Adversary a : adversaries) {
                if (a.schedule().attacksIn(round)) {
                    Arrays.stream(a.clients()).forEach(chosen::add);
                }
            }
        }
        int[] others = new int[n - chosen.size()];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (!chosen.contains(i)) {
                others[k++] = i;
            }
        }
        shuffle(others, new SplittableRandom(Seeds.derive(config.seed, "select", round)));
        for (int i = 0; chosen.size() < m && i < others.length; i++) {
            chosen.add(others[i]);
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    // ------------------------------------------------------------------ description

    /**
     * The scenario as written to {@code summary.json}: the resolved config without run-only keys (name, out,
     * threads), the data (with the SHA-256 of every file read), the held-out server sets (indices into the
     * training split), the partition sizes and each adversary's clients.
     */
    public ObjectNode describe() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.set("config", scenarioConfigTree());
        ObjectNode d = o.putObject("data");
        d.put("source", data.spec());
        d.put("description", data.description());
        d.put("train", train().size());
        d.put("test", test().size());
        d.put("shape", train().shapeString());
        d.put("classes", train().numClasses());
        d.put("clean_test_images", cleanTestIndices.length);
        ArrayNode files = d.putArray("files");
        for (DataFile file : data.files()) {
            files.addObject().put("name", file.name()).put("bytes", file.bytes()).put("sha256", file.sha256());
        }
        ObjectNode m = o.putObject("model");
        m.put("name", modelSpec.name());
        m.put("parameters", modelSpec.layout().size());
        m.put("trainable", modelSpec.layout().trainableSize());
        ObjectNode server = o.putObject("server_sets");
        putIndices(server.putObject("root_set"), rootIndices);
        putIndices(server.putObject("inspection_set"), inspectionIndices);
        ObjectNode p = o.putObject("partition");
        p.put("method", partition.method());
        ArrayNode sizes = p.putArray("samples_per_client");
        for (int[] share : clientIndices) {
            sizes.add(share.length);
        }
        ArrayNode adv = o.putArray("adversaries");
        for (Adversary a : adversaries) {
            ObjectNode ao = adv.addObject();
            ao.put("number", a.number());
            ao.put("attack", a.attack().describe());
            ao.put("schedule", a.schedule().toString());
            ArrayNode ids = ao.putArray("clients");
            Arrays.stream(a.clients()).forEach(ids::add);
            ao.put("omniscient", a.omniscient());
            if (a.asrSet() == null) {
                ao.putNull("asr_set");
                ao.putNull("asr_images");
            } else {
                ao.put("asr_set", a.asrSet().description());
                ao.put("asr_images", a.asrSet().size());
            }
        }
        return o;
    }

    private void putIndices(ObjectNode o, int[] indices) {
        o.put("size", indices.length);
        int[] hist = train().classHistogram(indices);
        ArrayNode h = o.putArray("per_class");
        Arrays.stream(hist).forEach(h::add);
        ArrayNode idx = o.putArray("train_indices");
        Arrays.stream(indices).forEach(idx::add);
    }

    /** The resolved config without the keys that do not change results (name, out, threads). */
    public ObjectNode scenarioConfigTree() {
        ObjectNode t = ConfigLoader.toTree(config);
        t.remove("name");
        t.remove("out");
        t.remove("threads");
        return t;
    }

    /** SHA-256 (hex) of {@link #scenarioConfigTree()}: identifies the scenario a checkpoint belongs to. */
    public String fingerprint() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(
                RunReport.json(scenarioConfigTree()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One paragraph for the report. */
    public String summaryLine() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s (%d train / %d test, %s), model %s (%,d parameters), %d clients (%s, "
                + "fraction %s, attacker-selection %s), %d rounds of %d local epoch(s), batch %d, lr %s, momentum %s, seed %d.",
            data.spec(), train().size(), test().size(), train().shapeString(), modelSpec.name(),
            modelSpec.layout().size(), config.clients, partition.method(), config.fraction,
            config.attackerSelection, config.rounds,
            config.epochs, config.batchSize, config.lr, config.momentum, config.seed));
        if (adversaries.isEmpty()) {
            sb.append(" No attack.");
        }
        for (Adversary a : adversaries) {
            sb.append(String.format(Locale.ROOT, " Adversary %d: %d attacker(s) %s, %s, schedule %s.", a.number(),
                a.clients().length, Arrays.toString(a.clients()), a.attack().describe(), a.schedule()));
            if (a.omniscient()) {
                sb.append(" Its attack is omniscient: it sees the honest clients' updates of each attack round before "
                    + "the defense and replaces its clients' updates with crafted ones.");
            } else if (!a.attack().targeted()) {
                sb.append(" Its attack is untargeted (measured by the accuracy drop, no ASR).");
            }
        }
        sb.append(String.format(Locale.ROOT, " Server holds %d root and %d inspection images out of the clients' data.",
            rootIndices.length, inspectionIndices.length));
        String sigma = badflSigmaDescription();
        if (sigma != null) {
            sb.append(' ').append(sigma).append('.');
        }
        return sb.toString();
    }
}
