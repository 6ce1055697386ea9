package org.badfl.sim;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every option of a simulation run, with its default: the embedded default scenario is
 * {@code new ScenarioConfig()}. Keys (config file) and flags (command line) share their names:
 * key {@code poison-ratio} is flag {@code --poison-ratio}. The first adversary's keys ({@link AdversaryConfig})
 * sit at the top level next to these; {@link ConfigLoader} reads and writes the flat form.
 *
 * <h2>Why the defaults</h2>
 * The default run must finish in at most 5 minutes on 2 cores for six or seven training runs (no-attack, FedAvg,
 * FLAME, RLR, CRFL, FLTrust, BADFL) while showing a clean accuracy of at least 95% and, under FedAvg, a working
 * backdoor. Embedded MNIST (8,000 / 2,000), 20 IID clients all taking part, {@code cnn-small} (11,978
 * parameters, ~0.33 MMAC per image). FedAvg with 20 IID clients progresses per round about as much as one
 * client's local steps, so reaching 95% needs about 12 passes over the data: 6 rounds of 2 local epochs,
 * batch 16 (49 steps per client and round), lr 0.1 with momentum 0.5 (momentum 0.9 at this lr diverges in the
 * first rounds). Measured (docs/RUN.md): no-attack ACC 96.25%, FedAvg ASR 98.4% under 4 constrain-and-scale
 * attackers, 4 min 7 s for the six runs on 2 shared cores (load average ~4).
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"name", "out", "seed", "threads", "dataset", "normalize", "partition", "dirichletAlpha",
    "minSamples", "rootSet", "inspectionSet", "model", "rounds", "clients", "fraction", "attackerSelection", "epochs",
    "batchSize", "lr", "momentum", "weightDecay", "evalBatchSize", "evalEvery", "defenses", "defenseOptions",
    "defenseOffRounds", "moreAdversaries"})
public final class ScenarioConfig {

    /** The pseudo-defense "no attack": FedAvg with every adversary's attack disabled. */
    public static final String NO_ATTACK = "no-attack";

    /** Default list of defenses compared by {@code ./badfl run} (the paper's Table III columns, and no attack). */
    public static final List<String> DEFAULT_DEFENSES =
        List.of(NO_ATTACK, "fedavg", "flame", "rlr", "crfl", "fltrust", "badfl");

    // ---------------------------------------------------------------- run

    @JsonPropertyDescription("Run name: outputs go to <out>/<name>/ (default: run-<date>-<time>).")
    public String name;

    @JsonPropertyDescription("Folder that holds the run folders.")
    public String out = "runs";

    @JsonPropertyDescription("Master seed: partition, attackers, client shuffles, dropout and server noise all "
        + "derive from it.")
    public long seed = 1;

    @JsonPropertyDescription("Threads for client training, aggregation and evaluation (0 = all cores). Results "
        + "do not depend on it.")
    public int threads = 0;

    // ---------------------------------------------------------------- data

    @JsonPropertyDescription("Dataset source: mnist-embedded, fashion-mnist[:train=N], idx:<folder>, cifar10:<folder>, "
        + "synthetic[:n=,test=,classes=,channels=,size=,seed=] (docs/DATA.md).")
    public String dataset = "mnist-embedded";

    @JsonPropertyDescription("Normalise inputs with the training split's per-channel mean and std.")
    public boolean normalize = true;

    @JsonPropertyDescription("Client partition: iid or dirichlet (non-IID).")
    public String partition = "iid";

    @JsonPropertyDescription("Dirichlet concentration alpha for partition dirichlet (paper: 0.5).")
    public double dirichletAlpha = 0.5;

    @JsonPropertyDescription("Minimum training samples per client.")
    public int minSamples = 10;

    @JsonPropertyDescription("Clean class-balanced training samples held out for the server's root set "
        + "(FLTrust), before partitioning.")
    public int rootSet = 100;

    @JsonPropertyDescription("Clean class-balanced training samples held out for the server's inspection set "
        + "(BADFL), before partitioning.")
    public int inspectionSet = 64;

    // ---------------------------------------------------------------- model and training

    @JsonPropertyDescription("Model: cnn-small, cnn-paper, resnet18, resnet-tiny.")
    public String model = "cnn-small";

    @JsonPropertyDescription("Federated rounds T.")
    public int rounds = 6;

    @JsonPropertyDescription("Number of clients N.")
    public int clients = 20;

    @JsonPropertyDescription("Fraction of clients selected per round (seeded); see attacker-selection for how "
        + "attackers are drawn.")
    public double fraction = 1.0;

    /** Values of {@link #attackerSelection}. */
    public static final List<String> ATTACKER_SELECTIONS = List.of("sampled", "forced");

    @JsonPropertyDescription("How attackers enter a round when fraction < 1: sampled (drawn uniformly like every "
        + "client; an attacker attacks only in rounds it is drawn for and scheduled in) or forced (every attacker "
        + "scheduled for the round takes part, the rest of the round is drawn). Identical when fraction is 1.")
    public String attackerSelection = "sampled";

    @JsonPropertyDescription("Local epochs E per round.")
    public int epochs = 2;

    @JsonPropertyDescription("Local batch size.")
    public int batchSize = 16;

    @JsonPropertyDescription("Local SGD learning rate.")
    public double lr = 0.1;

    @JsonPropertyDescription("Local SGD momentum.")
    public double momentum = 0.5;

    @JsonPropertyDescription("Local SGD weight decay.")
    public double weightDecay = 0.0;

    @JsonPropertyDescription("Images per forward pass when evaluating (speed only).")
    public int evalBatchSize = 250;

    @JsonPropertyDescription("Evaluate ACC and ASR every k rounds and after the last one (1 = every round). The "
        + "rounds in between leave acc and asr empty in rounds.csv; the model and every result of an evaluated "
        + "round are the same for any k.")
    public int evalEvery = 1;

    // ---------------------------------------------------------------- defenses and adversaries

    @JsonPropertyDescription("Defenses compared on the identical scenario (no-attack = FedAvg without attack).")
    public List<String> defenses = new ArrayList<>(DEFAULT_DEFENSES);

    @JsonPropertyDescription("Options per defense, e.g. {flame: {lambda: 0.001}}; on the command line "
        + "--defense-option flame:lambda=0.001 (repeatable).")
    public Map<String, Map<String, String>> defenseOptions = new LinkedHashMap<>();

    @JsonPropertyDescription("Rounds in which the server aggregates with plain FedAvg instead of the defense (the "
        + "paper's Fig. 14: no defense in the poisoning round): none, or rounds and ranges such as 5 or 5,10,20-30. "
        + "A defense keeps the state of its last active round; rounds.csv marks each round's defense_on.")
    public String defenseOffRounds = "none";

    // Written only when set, so that runs without it keep their summaries and checkpoint fingerprints.
    @JsonPropertyDescription("Server policy before any defense: reject an update whose L2 norm exceeds this bound "
        + "(0 = no bound, the default).")
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public double maxUpdateNorm = 0;

    @JsonPropertyDescription("Further adversaries with their own attack, target and trigger (same keys as the "
        + "top-level attack keys); on the command line --more-adversaries attack=dba,attackers=2,target=3 "
        + "(repeatable).")
    public List<AdversaryConfig> moreAdversaries = new ArrayList<>();

    /** The first adversary (its keys are top-level in files and flags; see {@link ConfigLoader}). */
    @JsonIgnore
    public AdversaryConfig primary = AdversaryConfig.defaultPrimary();

    /** All adversaries, the first one first. */
    @JsonIgnore
    public List<AdversaryConfig> adversaries() {
        List<AdversaryConfig> all = new ArrayList<>();
        all.add(primary);
        all.addAll(moreAdversaries);
        return all;
    }

    /**
     * A copy with every default filled in (attack defaults, canonical names, lower-case defense names, the
     * thread count) and every value checked. Checks that need the data (labels, trigger size, model fit) and the
     * defense registry are made when the scenario is prepared.
     *
     * @throws IllegalArgumentException naming the key, what was expected and what was found
     */
    public ScenarioConfig resolved() {
        ScenarioConfig r = ConfigLoader.copy(this);
        if (r.name != null) {
            r.name = r.name.trim();
            require("name", r.name.matches("[A-Za-z0-9][A-Za-z0-9._-]*"),
                "letters, digits, '.', '_' or '-' (a folder name), not starting with '.' or '-'", "'" + name + "'");
        }
        require("out", out != null && !out.isBlank(), "a folder", out);
        require("threads", threads >= 0, ">= 0 (0 = all cores)", threads);
        require("dataset", dataset != null && !dataset.isBlank(), "a dataset source", dataset);
        r.partition = partition == null ? null : partition.trim().toLowerCase(Locale.ROOT);
        require("partition", "iid".equals(r.partition) || "dirichlet".equals(r.partition), "iid or dirichlet",
            partition);
        require("dirichlet-alpha", dirichletAlpha > 0 && Double.isFinite(dirichletAlpha), "a finite number > 0",
            dirichletAlpha);
        require("min-samples", minSamples >= 1, ">= 1", minSamples);
        require("root-set", rootSet >= 0, ">= 0", rootSet);
        require("inspection-set", inspectionSet >= 0, ">= 0", inspectionSet);
        require("max-update-norm", maxUpdateNorm >= 0 && Double.isFinite(maxUpdateNorm),
            "a finite number >= 0 (0 = no bound)", maxUpdateNorm);
        require("model", model != null && !model.isBlank(), "a model name", model);
        r.model = model.trim().toLowerCase(Locale.ROOT);
        require("rounds", rounds >= 1, ">= 1", rounds);
        require("clients", clients >= 1, ">= 1", clients);
        require("fraction", fraction > 0 && fraction <= 1, "a fraction in (0, 1]", fraction);
        r.attackerSelection = attackerSelection == null ? null : attackerSelection.trim().toLowerCase(Locale.ROOT);
        require("attacker-selection", ATTACKER_SELECTIONS.contains(r.attackerSelection), "sampled or forced",
            attackerSelection);
        require("epochs", epochs >= 1, ">= 1", epochs);
        require("batch-size", batchSize >= 1, ">= 1", batchSize);
        require("lr", lr > 0 && Double.isFinite(lr), "a finite number > 0", lr);
        require("momentum", momentum >= 0 && momentum < 1, "in [0, 1)", momentum);
        require("weight-decay", weightDecay >= 0 && Double.isFinite(weightDecay), "a finite number >= 0", weightDecay);
        require("eval-batch-size", evalBatchSize >= 1, ">= 1", evalBatchSize);
        require("eval-every", evalEvery >= 1, ">= 1", evalEvery);

        require("defenses", defenses != null && !defenses.isEmpty(), "at least one defense", defenses);
        Set<String> seen = new LinkedHashSet<>();
        for (String d : defenses) {
            require("defenses", d != null && !d.isBlank(), "defense names", defenses);
            String n = d.trim().toLowerCase(Locale.ROOT);
            require("defenses", seen.add(n), "each defense once", "'" + n + "' twice");
        }
        r.defenses = new ArrayList<>(seen);
        r.defenseOptions = new LinkedHashMap<>();
        if (defenseOptions != null) {
            for (Map.Entry<String, Map<String, String>> e : defenseOptions.entrySet()) {
                String n = e.getKey().trim().toLowerCase(Locale.ROOT);
                require("defense-options", seen.contains(n), "options only for defenses in the run " + r.defenses,
                    "options for '" + e.getKey() + "'");
                require("defense-options", !n.equals(NO_ATTACK), "no options for " + NO_ATTACK + " (it is FedAvg)",
                    "options for " + NO_ATTACK);
                r.defenseOptions.put(n, new LinkedHashMap<>(e.getValue() == null ? Map.of() : e.getValue()));
            }
        }

        RoundSet off;
        try {
            off = RoundSet.parse(defenseOffRounds);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("config key 'defense-off-rounds' (flag --defense-off-rounds): "
                + e.getMessage());
        }
        require("defense-off-rounds", off.last() <= rounds, "rounds within 1.." + rounds + " (rounds)",
            defenseOffRounds);
        r.defenseOffRounds = off.toString();

        r.primary = primary.resolved("attack (first adversary)");
        r.moreAdversaries = new ArrayList<>();
        int total = r.primary.attackers;
        for (int k = 0; k < moreAdversaries.size(); k++) {
            AdversaryConfig a = moreAdversaries.get(k);
            require("more-adversaries", a != null, "adversary objects", "null at position " + k);
            AdversaryConfig ra = a.resolved("adversary " + (k + 2) + " (more-adversaries[" + k + "])");
            require("more-adversaries", !ra.attack.equals("none"), "attacks (use attack none only for the first "
                + "adversary)", "attack none at position " + k);
            r.moreAdversaries.add(ra);
            total += ra.attackers;
        }
        if (total > clients) {
            throw new IllegalArgumentException("attackers: " + total + " attackers in all adversaries but only "
                + clients + " clients; expected at most " + clients);
        }
        return r;
    }

    private static void require(String key, boolean ok, String expected, Object found) {
        if (!ok) {
            throw new IllegalArgumentException("config key '" + key + "' (flag --" + key + "): expected " + expected
                + ", found " + found);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ScenarioConfig c)) {
            return false;
        }
        return ConfigLoader.toTree(this).equals(ConfigLoader.toTree(c));
    }

    @Override
    public int hashCode() {
        return ConfigLoader.toTree(this).hashCode();
    }

    @Override
    public String toString() {
        return ConfigLoader.toJson(this);
    }
}
