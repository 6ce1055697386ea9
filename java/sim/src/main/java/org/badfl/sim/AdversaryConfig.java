package org.badfl.sim;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.badfl.clients.AttackSchedule;

/**
 * One adversary (the paper's Definition 3): an attack, how many clients it controls, its target label and
 * trigger, its schedule and the attack's hyperparameters. The scenario's first adversary is configured with
 * top-level keys ({@code attack}, {@code attackers}, ...); further adversaries, each with its own target and
 * trigger, go in {@code more-adversaries}. Keys are the command-line flags without the dashes.
 * <p>Keys that an attack does not use must be left out (null): a value that would be silently ignored is
 * rejected. {@link #resolved()} fills in each attack's defaults (written to the run's resolved config).
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"attack", "attackers", "target", "trigger", "poisonRatio", "schedule", "anomalyAlpha", "scale",
    "poisonEpochs", "poisonLr", "pgdEps", "edgeSource", "edgeTail",
    "flipMode", "flipSource", "alieZ", "ipmEps", "perturbation", "gammaInit", "noiseMean", "noiseStd", "mimicClient",
    "baseAttack", "maskRatio", "boost", "stealthRho", "saliencyLambda", "cleanRounds", "sybil"})
public final class AdversaryConfig {

    /** Attack names, in the order listed to users. */
    public static final List<String> ATTACKS = List.of("none", "pixel-pattern", "constrain-and-scale", "dba",
        "edge-case", "neurotoxin", "alter-min", "saliency-mimic", "late-starter", "norm-matched", "label-flipping",
        "sign-flipping", "gaussian", "alie", "ipm", "min-max", "min-sum", "fang-krum", "fang-trimmed-mean", "mimic");

    /** The untargeted attacks that only change the update (no target, trigger, poisoning or schedule knobs). */
    static final List<String> UPDATE_ATTACKS = List.of("sign-flipping", "gaussian", "alie", "ipm", "min-max",
        "min-sum", "fang-krum", "fang-trimmed-mean", "mimic");

    @JsonPropertyDescription("Attack: none, pixel-pattern (BadNets data poisoning), constrain-and-scale (model "
        + "replacement), dba (distributed trigger), edge-case (tail stand-in + PGD), neurotoxin (backdoor in the "
        + "coordinates benign training changes least), alter-min (alternating minimisation with boosting), "
        + "saliency-mimic (adaptive against BADFL: keeps the saliency maps close to the global model's), late-starter "
        + "(preset: constrain-and-scale that trains honestly for clean-rounds rounds, then attacks every round), "
        + "norm-matched (backdoor rescaled to the honest median norm), label-flipping, sign-flipping, gaussian "
        + "(random updates), alie (a little is enough), ipm (inner-product manipulation), min-max, min-sum, "
        + "fang-krum, fang-trimmed-mean, mimic. Alias: badnets = pixel-pattern. See docs/ATTACKS.md.")
    public String attack;

    @JsonPropertyDescription("Number of clients this adversary controls (chosen from the master seed, disjoint "
        + "from other adversaries').")
    public Integer attackers;

    @JsonPropertyDescription("Target label of the backdoor (default 0; edge-case 1, the paper's 7 -> 1).")
    public Integer target;

    @JsonPropertyDescription("Trigger preset for pixel-pattern / constrain-and-scale: backdoors101, "
        + "square[:size=,row=,col=,value=], dba:global, dba:0..3 (default backdoors101). DBA uses its four parts.")
    public String trigger;

    @JsonPropertyDescription("Fraction of every poisoned training batch replaced by backdoor samples, in [0, 1] "
        + "(default 0.5, the paper's).")
    public Double poisonRatio;

    @JsonPropertyDescription("Attack rounds: every-round, from:R, every:F, from:R+every:F, single:R (default every-round).")
    public String schedule;

    @JsonPropertyDescription("constrain-and-scale: weight alpha of the loss alpha*CE + (1-alpha)*||W - G|| "
        + "(default 1, the reference's alpha_loss).")
    public Double anomalyAlpha;

    @JsonPropertyDescription("Scale the malicious update: W <- G + gamma(W - G). 'auto' = model replacement "
        + "(constrain-and-scale, dba: clients in round / attackers of this adversary in round; edge-case: samples "
        + "in round / attacker samples), 'none' or a number. Default: auto for constrain-and-scale, none otherwise.")
    public String scale;

    @JsonPropertyDescription("Local epochs of poison training in attack rounds (default: the honest epochs).")
    public Integer poisonEpochs;

    @JsonPropertyDescription("Learning rate of poison training in attack rounds (default: the honest lr).")
    public Double poisonLr;

    @JsonPropertyDescription("edge-case, neurotoxin: PGD radius epsilon; after every step W is projected onto "
        + "||W - G|| <= epsilon (default: edge-case 0.25, FLPoison's MNIST value; neurotoxin 0; 0 turns PGD off).")
    public Double pgdEps;

    @JsonPropertyDescription("edge-case: source class whose tail stands in for the edge-case data (default 7).")
    public Integer edgeSource;

    @JsonPropertyDescription("edge-case: fraction of the source class farthest from its mean used as the tail "
        + "(default 0.1).")
    public Double edgeTail;

    @JsonPropertyDescription("label-flipping: targeted (flip-source -> target, default) or all2all (y -> K-1-y).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String flipMode;

    @JsonPropertyDescription("label-flipping (targeted): the label flipped to the target (default 2; target default 7).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Integer flipSource;

    @JsonPropertyDescription("alie: deviation multiplier z >= 0 of mean - z*std (default: from the round's n clients "
        + "and f attackers, as the paper).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Double alieZ;

    @JsonPropertyDescription("ipm: scale eps > 0 of the crafted update -eps*mean (default 0.1).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Double ipmEps;

    @JsonPropertyDescription("min-max, min-sum: perturbation direction unit, sign or std (default unit).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String perturbation;

    @JsonPropertyDescription("min-max, min-sum: initial gamma > 0 of the binary search (default 10).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Double gammaInit;

    @JsonPropertyDescription("gaussian: mean of every coordinate of the random update (default 0).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Double noiseMean;

    @JsonPropertyDescription("gaussian: standard deviation > 0 of every coordinate (default 1).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Double noiseStd;

    @JsonPropertyDescription("mimic: position (>= 0) of the copied update among the round's honest updates in "
        + "client-id order (default 0).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Integer mimicClient;

    @JsonPropertyDescription("norm-matched: the backdoor trained before rescaling, pixel-pattern or "
        + "constrain-and-scale (default pixel-pattern).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String baseAttack;

    @JsonPropertyDescription("neurotoxin: fraction of the trainable coordinates masked out of the backdoor "
        + "gradient, those with the largest clean-gradient magnitude (the top-k%, default 0.1).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Double maskRatio;

    @JsonPropertyDescription("alter-min: explicit boosting lambda of each malicious step, 'auto' (clients in round / "
        + "attackers of this adversary in round, the default) or a number >= 1.")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String boost;

    @JsonPropertyDescription("alter-min: weight rho of the stealth objective CE + rho*||W - G||^2 (default 1e-4).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Double stealthRho;

    @JsonPropertyDescription("saliency-mimic: weight lambda of the saliency term CE + lambda*D(W), D the distance of "
        + "the guided-backprop saliency maps on clean images to the global model's (default 0.01).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Double saliencyLambda;

    @JsonPropertyDescription("late-starter: rounds R of honest training before the first attack round R+1 "
        + "(default 5); the preset resolves to constrain-and-scale with schedule from:R+1.")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Integer cleanRounds;

    @JsonPropertyDescription("Sybil modifier for any attack: true = this adversary's clients show the server a fresh "
        + "client id every round (never an honest id; drawn from the seed), so per-client memories never see them "
        + "twice (default false).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Boolean sybil;

    /** Honest rounds of the late-starter preset when {@code clean-rounds} is not given. */
    public static final int DEFAULT_CLEAN_ROUNDS = 5;

    /** Canonical attack name for {@code name} (case-insensitive; "badnets" is "pixel-pattern"). */
    public static String canonicalAttack(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("badnets") || n.equals("pixel")) {
            n = "pixel-pattern";
        }
        if (!ATTACKS.contains(n)) {
            throw new IllegalArgumentException("unknown attack '" + name + "'; valid attacks: " + String.join(", ", ATTACKS));
        }
        return n;
    }

    /** Defaults of the scenario's first adversary: 4 constrain-and-scale attackers (the embedded default). */
    public static AdversaryConfig defaultPrimary() {
        AdversaryConfig a = new AdversaryConfig();
        a.attack = "constrain-and-scale";
        a.attackers = 4;
        return a;
    }

    /** A copy. */
    public AdversaryConfig copy() {
        AdversaryConfig a = new AdversaryConfig();
        a.attack = attack;
        a.attackers = attackers;
        a.target = target;
        a.trigger = trigger;
        a.poisonRatio = poisonRatio;
        a.schedule = schedule;
        a.anomalyAlpha = anomalyAlpha;
        a.scale = scale;
        a.poisonEpochs = poisonEpochs;
        a.poisonLr = poisonLr;
        a.pgdEps = pgdEps;
        a.edgeSource = edgeSource;
        a.edgeTail = edgeTail;
        a.flipMode = flipMode;
        a.flipSource = flipSource;
        a.alieZ = alieZ;
        a.ipmEps = ipmEps;
        a.perturbation = perturbation;
        a.gammaInit = gammaInit;
        a.noiseMean = noiseMean;
        a.noiseStd = noiseStd;
        a.mimicClient = mimicClient;
        a.baseAttack = baseAttack;
        a.maskRatio = maskRatio;
        a.boost = boost;
        a.stealthRho = stealthRho;
        a.saliencyLambda = saliencyLambda;
        a.cleanRounds = cleanRounds;
        a.sybil = sybil;
        return a;
    }

    /**
     * This adversary with every default filled in for its attack and the keys it does not use set to null;
     * checks ranges and rejects keys the attack would ignore.
     *
     * @param where how to name this adversary in messages, e.g. "adversary 2 (more-adversaries[0])"
     * @throws IllegalArgumentException naming the key, the expected and the found value
     */
    public AdversaryConfig resolved(String where) {
        if (attack == null) {
            throw new IllegalArgumentException(where + ": key 'attack' is required; valid attacks: "
                + String.join(", ", ATTACKS));
        }
        AdversaryConfig r = copy();
        try {
            r.attack = canonicalAttack(attack);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
        if (r.attack.equals("late-starter")) {
            // a preset over the schedule: "clean for R rounds, then attacking" is from:R+1
            int clean = cleanRounds == null ? DEFAULT_CLEAN_ROUNDS : cleanRounds;
            require(where, "clean-rounds", clean >= 0, "a number of rounds >= 0", clean);
            if (schedule != null) {
                throw new IllegalArgumentException(where + ": key 'schedule' does not apply to attack late-starter (its "
                    + "schedule is from:clean-rounds+1); remove it or use another attack with schedule from:R (found '"
                    + schedule + "')");
            }
            AdversaryConfig preset = copy();
            preset.attack = "constrain-and-scale";
            preset.schedule = "from:" + (clean + 1);
            preset.cleanRounds = null;
            return preset.resolved(where);
        }
        rejectUnused(where, r.attack, "clean-rounds", cleanRounds);
        if (r.attack.equals("none")) {
            r.attackers = attackers == null ? 0 : attackers;
            require(where, "attackers", r.attackers == 0, "0 (or absent) for attack none", r.attackers);
            rejectUnused(where, "none", "target", target, "trigger", trigger, "poison-ratio", poisonRatio, "schedule",
                schedule, "anomaly-alpha", anomalyAlpha, "scale", scale, "poison-epochs", poisonEpochs, "poison-lr",
                poisonLr, "pgd-eps", pgdEps, "edge-source", edgeSource, "edge-tail", edgeTail, "mask-ratio", maskRatio,
                "boost", boost, "stealth-rho", stealthRho, "saliency-lambda", saliencyLambda, "sybil", sybil);
            rejectUnused(where, "none", newKeys());
            return r;
        }
        r.sybil = Boolean.TRUE.equals(sybil) ? Boolean.TRUE : null; // false is the default, written as absent
        if (UPDATE_ATTACKS.contains(r.attack) || r.attack.equals("label-flipping")) {
            rejectUnused(where, r.attack, "mask-ratio", maskRatio, "boost", boost, "stealth-rho", stealthRho,
                "saliency-lambda", saliencyLambda);
            return resolvedUntargeted(r, where);
        }
        boolean edge = r.attack.equals("edge-case");
        boolean dba = r.attack.equals("dba");
        boolean normMatched = r.attack.equals("norm-matched");
        if (normMatched) {
            r.baseAttack = baseAttack == null ? "pixel-pattern" : baseAttack.trim().toLowerCase(Locale.ROOT);
            require(where, "base-attack", r.baseAttack.equals("pixel-pattern")
                || r.baseAttack.equals("constrain-and-scale"), "pixel-pattern or constrain-and-scale", baseAttack);
            require(where, "scale", scale == null || scale.trim().equalsIgnoreCase("none"), "absent for attack "
                + "norm-matched (its update is rescaled to the honest median norm)", scale);
        } else {
            rejectUnused(where, r.attack, "base-attack", baseAttack);
        }
        rejectUnused(where, r.attack, "flip-mode", flipMode, "flip-source", flipSource, "alie-z", alieZ, "ipm-eps",
            ipmEps, "perturbation", perturbation, "gamma-init", gammaInit, "noise-mean", noiseMean, "noise-std",
            noiseStd, "mimic-client", mimicClient);
        boolean cs = r.attack.equals("constrain-and-scale") || normMatched && r.baseAttack.equals("constrain-and-scale");
        r.attackers = attackers == null ? 1 : attackers;
        require(where, "attackers", r.attackers >= 1, "at least 1 client for attack " + r.attack, r.attackers);
        r.target = target == null ? (edge ? org.badfl.data.EdgeCaseSet.DEFAULT_TARGET : 0) : target;
        require(where, "target", r.target >= 0, "a label >= 0", r.target);
        if (edge || dba) {
            if (trigger != null && !(dba && trigger.equalsIgnoreCase("dba"))) {
                throw new IllegalArgumentException(where + ": key 'trigger' does not apply to attack " + r.attack
                    + (dba ? " (it uses the four DBA parts dba:0..3, global trigger dba:global)" : " (it uses tail "
                    + "samples, no trigger)") + "; found '" + trigger + "'");
            }
            r.trigger = dba ? "dba" : null;
        } else {
            r.trigger = trigger == null ? "backdoors101" : trigger.trim();
        }
        r.poisonRatio = poisonRatio == null ? org.badfl.data.Poisoning.DEFAULT_RATIO : poisonRatio;
        require(where, "poison-ratio", r.poisonRatio >= 0 && r.poisonRatio <= 1, "a fraction in [0, 1]", r.poisonRatio);
        try {
            r.schedule = AttackSchedule.parse(schedule == null ? "every-round" : schedule).toString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": key 'schedule': " + e.getMessage());
        }
        if (cs) {
            r.anomalyAlpha = anomalyAlpha == null ? 1.0 : anomalyAlpha;
            require(where, "anomaly-alpha", r.anomalyAlpha >= 0 && r.anomalyAlpha <= 1, "a weight in [0, 1]",
                r.anomalyAlpha);
        } else {
            rejectUnused(where, r.attack, "anomaly-alpha", anomalyAlpha);
        }
        r.scale = scale == null ? (cs && !normMatched ? "auto" : "none") : scale.trim().toLowerCase(Locale.ROOT);
        if (!r.scale.equals("auto") && !r.scale.equals("none")) {
            double g;
            try {
                g = Double.parseDouble(r.scale);
            } catch (NumberFormatException e) {
                g = Double.NaN;
            }
            require(where, "scale", g > 0 && Double.isFinite(g), "auto, none or a finite number > 0", scale);
            r.scale = g == 1.0 ? "none" : Double.toString(g);
        }
        if (normMatched) {
            r.scale = null;
        }
        if (poisonEpochs != null) {
            require(where, "poison-epochs", poisonEpochs >= 1, "at least 1", poisonEpochs);
        }
        if (poisonLr != null) {
            require(where, "poison-lr", poisonLr > 0 && Double.isFinite(poisonLr), "a finite number > 0", poisonLr);
        }
        boolean neurotoxin = r.attack.equals("neurotoxin");
        if (neurotoxin) {
            r.maskRatio = maskRatio == null ? 0.1 : maskRatio;
            require(where, "mask-ratio", r.maskRatio >= 0 && r.maskRatio < 1, "a fraction in [0, 1)", r.maskRatio);
            r.pgdEps = pgdEps == null ? 0.0 : pgdEps;
            require(where, "pgd-eps", r.pgdEps >= 0 && Double.isFinite(r.pgdEps), "a finite number >= 0 (0 = off)",
                r.pgdEps);
        } else {
            rejectUnused(where, r.attack, "mask-ratio", maskRatio);
        }
        if (r.attack.equals("alter-min")) {
            r.boost = boost == null ? "auto" : boost.trim().toLowerCase(Locale.ROOT);
            if (!r.boost.equals("auto")) {
                double b;
                try {
                    b = Double.parseDouble(r.boost);
                } catch (NumberFormatException e) {
                    b = Double.NaN;
                }
                require(where, "boost", b >= 1 && Double.isFinite(b), "auto or a finite number >= 1", boost);
                r.boost = Double.toString(b);
            }
            r.stealthRho = stealthRho == null ? 1e-4 : stealthRho;
            require(where, "stealth-rho", r.stealthRho >= 0 && Double.isFinite(r.stealthRho), "a finite number >= 0",
                r.stealthRho);
        } else {
            rejectUnused(where, r.attack, "boost", boost, "stealth-rho", stealthRho);
        }
        if (r.attack.equals("saliency-mimic")) {
            r.saliencyLambda = saliencyLambda == null ? org.badfl.clients.SaliencyMimicAttack.DEFAULT_LAMBDA
                : saliencyLambda;
            require(where, "saliency-lambda", r.saliencyLambda >= 0 && Double.isFinite(r.saliencyLambda),
                "a finite number >= 0", r.saliencyLambda);
        } else {
            rejectUnused(where, r.attack, "saliency-lambda", saliencyLambda);
        }
        if (edge) {
            r.pgdEps = pgdEps == null ? 0.25 : pgdEps;
            require(where, "pgd-eps", r.pgdEps >= 0 && Double.isFinite(r.pgdEps), "a finite number >= 0 (0 = off)",
                r.pgdEps);
            r.edgeSource = edgeSource == null ? org.badfl.data.EdgeCaseSet.DEFAULT_SOURCE : edgeSource;
            require(where, "edge-source", r.edgeSource >= 0, "a label >= 0", r.edgeSource);
            require(where, "edge-source", !r.edgeSource.equals(r.target), "a class other than the target "
                + r.target, r.edgeSource);
            r.edgeTail = edgeTail == null ? org.badfl.data.EdgeCaseSet.DEFAULT_TAIL_FRACTION : edgeTail;
            require(where, "edge-tail", r.edgeTail > 0 && r.edgeTail < 1, "a fraction in (0, 1)", r.edgeTail);
        } else {
            if (!neurotoxin) {
                rejectUnused(where, r.attack, "pgd-eps", pgdEps);
            }
            rejectUnused(where, r.attack, "edge-source", edgeSource, "edge-tail", edgeTail);
        }
        return r;
    }

    /** The keys of the attacks added with the model-poisoning catalogue, as (key, value) pairs. */
    private Object[] newKeys() {
        return new Object[] {"flip-mode", flipMode, "flip-source", flipSource, "alie-z", alieZ, "ipm-eps", ipmEps,
            "perturbation", perturbation, "gamma-init", gammaInit, "noise-mean", noiseMean, "noise-std", noiseStd,
            "mimic-client", mimicClient, "base-attack", baseAttack};
    }

    /**
     * Label flipping and the attacks that only change the update: their own keys with defaults, the schedule,
     * and no trigger, poison ratio, scaling or poison training (a targeted label flip keeps its target).
     */
    private AdversaryConfig resolvedUntargeted(AdversaryConfig r, String where) {
        String attackName = r.attack;
        r.attackers = attackers == null ? 1 : attackers;
        require(where, "attackers", r.attackers >= 1, "at least 1 client for attack " + attackName, r.attackers);
        try {
            r.schedule = AttackSchedule.parse(schedule == null ? "every-round" : schedule).toString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": key 'schedule': " + e.getMessage());
        }
        rejectUnused(where, attackName, "trigger", trigger, "poison-ratio", poisonRatio, "anomaly-alpha", anomalyAlpha,
            "scale", scale, "pgd-eps", pgdEps, "edge-source", edgeSource, "edge-tail", edgeTail, "base-attack",
            baseAttack);
        boolean flip = attackName.equals("label-flipping");
        if (!flip) {
            rejectUnused(where, attackName, "poison-epochs", poisonEpochs, "poison-lr", poisonLr);
        } else {
            if (poisonEpochs != null) {
                require(where, "poison-epochs", poisonEpochs >= 1, "at least 1", poisonEpochs);
            }
            if (poisonLr != null) {
                require(where, "poison-lr", poisonLr > 0 && Double.isFinite(poisonLr), "a finite number > 0", poisonLr);
            }
        }
        r.target = null;
        if (flip) {
            r.flipMode = flipMode == null ? "targeted" : flipMode.trim().toLowerCase(Locale.ROOT);
            require(where, "flip-mode", r.flipMode.equals("targeted") || r.flipMode.equals("all2all"),
                "targeted or all2all", flipMode);
            if (r.flipMode.equals("targeted")) {
                r.target = target == null ? org.badfl.clients.LabelFlippingAttack.DEFAULT_TARGET : target;
                require(where, "target", r.target >= 0, "a label >= 0", r.target);
                r.flipSource = flipSource == null ? org.badfl.clients.LabelFlippingAttack.DEFAULT_SOURCE : flipSource;
                require(where, "flip-source", r.flipSource >= 0, "a label >= 0", r.flipSource);
                require(where, "flip-source", !r.flipSource.equals(r.target), "a label other than the target "
                    + r.target, r.flipSource);
            } else {
                rejectUnused(where, "label-flipping with flip-mode all2all", "target", target, "flip-source",
                    flipSource);
            }
        } else {
            rejectUnused(where, attackName, "target", target, "flip-mode", flipMode, "flip-source", flipSource);
        }
        if (attackName.equals("alie")) {
            if (alieZ != null) {
                require(where, "alie-z", alieZ >= 0 && Double.isFinite(alieZ), "a finite number >= 0", alieZ);
            }
        } else {
            rejectUnused(where, attackName, "alie-z", alieZ);
        }
        if (attackName.equals("ipm")) {
            r.ipmEps = ipmEps == null ? org.badfl.clients.IpmAttack.DEFAULT_EPS : ipmEps;
            require(where, "ipm-eps", r.ipmEps > 0 && Double.isFinite(r.ipmEps), "a finite number > 0", r.ipmEps);
        } else {
            rejectUnused(where, attackName, "ipm-eps", ipmEps);
        }
        if (attackName.equals("min-max") || attackName.equals("min-sum")) {
            r.perturbation = perturbation == null ? "unit" : perturbation.trim().toLowerCase(Locale.ROOT);
            require(where, "perturbation", List.of("unit", "sign", "std").contains(r.perturbation),
                "unit, sign or std", perturbation);
            r.gammaInit = gammaInit == null ? org.badfl.clients.AgrAgnosticAttack.DEFAULT_GAMMA_INIT : gammaInit;
            require(where, "gamma-init", r.gammaInit > 0 && Double.isFinite(r.gammaInit), "a finite number > 0",
                r.gammaInit);
        } else {
            rejectUnused(where, attackName, "perturbation", perturbation, "gamma-init", gammaInit);
        }
        if (attackName.equals("gaussian")) {
            r.noiseMean = noiseMean == null ? 0.0 : noiseMean;
            require(where, "noise-mean", Double.isFinite(r.noiseMean), "a finite number", r.noiseMean);
            r.noiseStd = noiseStd == null ? 1.0 : noiseStd;
            require(where, "noise-std", r.noiseStd > 0 && Double.isFinite(r.noiseStd), "a finite number > 0",
                r.noiseStd);
        } else {
            rejectUnused(where, attackName, "noise-mean", noiseMean, "noise-std", noiseStd);
        }
        if (attackName.equals("mimic")) {
            r.mimicClient = mimicClient == null ? 0 : mimicClient;
            require(where, "mimic-client", r.mimicClient >= 0, "a position >= 0", r.mimicClient);
        } else {
            rejectUnused(where, attackName, "mimic-client", mimicClient);
        }
        return r;
    }

    private static void require(String where, String key, boolean ok, String expected, Object found) {
        if (!ok) {
            throw new IllegalArgumentException(where + ": key '" + key + "' must be " + expected + ", found " + found);
        }
    }

    /** Pairs (key, value): every non-null value is an error (the attack would ignore it). */
    private static void rejectUnused(String where, String attack, Object... keyValues) {
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                throw new IllegalArgumentException(where + ": key '" + keyValues[i] + "' does not apply to attack "
                    + attack + "; remove it (found " + keyValues[i + 1] + ")");
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AdversaryConfig a)) {
            return false;
        }
        return Objects.equals(attack, a.attack) && Objects.equals(attackers, a.attackers)
            && Objects.equals(target, a.target) && Objects.equals(trigger, a.trigger)
            && Objects.equals(poisonRatio, a.poisonRatio) && Objects.equals(schedule, a.schedule)
            && Objects.equals(anomalyAlpha, a.anomalyAlpha) && Objects.equals(scale, a.scale)
            && Objects.equals(poisonEpochs, a.poisonEpochs) && Objects.equals(poisonLr, a.poisonLr)
            && Objects.equals(pgdEps, a.pgdEps) && Objects.equals(edgeSource, a.edgeSource)
            && Objects.equals(edgeTail, a.edgeTail) && Objects.equals(flipMode, a.flipMode)
            && Objects.equals(flipSource, a.flipSource) && Objects.equals(alieZ, a.alieZ)
            && Objects.equals(ipmEps, a.ipmEps) && Objects.equals(perturbation, a.perturbation)
            && Objects.equals(gammaInit, a.gammaInit) && Objects.equals(noiseMean, a.noiseMean)
            && Objects.equals(noiseStd, a.noiseStd) && Objects.equals(mimicClient, a.mimicClient)
            && Objects.equals(baseAttack, a.baseAttack) && Objects.equals(maskRatio, a.maskRatio)
            && Objects.equals(boost, a.boost) && Objects.equals(stealthRho, a.stealthRho)
            && Objects.equals(saliencyLambda, a.saliencyLambda) && Objects.equals(cleanRounds, a.cleanRounds)
            && Objects.equals(sybil, a.sybil);
    }

    @Override
    public int hashCode() {
        return Objects.hash(attack, attackers, target, trigger, poisonRatio, schedule, anomalyAlpha, scale,
            poisonEpochs, poisonLr, pgdEps, edgeSource, edgeTail, flipMode, flipSource, alieZ, ipmEps, perturbation,
            gammaInit, noiseMean, noiseStd, mimicClient, baseAttack,
            maskRatio, boost, stealthRho, saliencyLambda, cleanRounds, sybil);
    }

    @Override
    public String toString() {
        return attack + " x" + attackers + (target == null ? "" : " -> " + target)
            + (trigger == null ? "" : " trigger " + trigger);
    }
}
