package org.badfl.clients;

import java.util.Locale;
import org.badfl.data.AsrSet;
import org.badfl.data.Dataset;
import org.badfl.data.Poisoning;
import org.badfl.engine.Network;
import org.badfl.engine.ParamLayout;

/**
 * An attack run by a malicious client in its attack rounds, as a strategy that {@link LocalTrainer}
 * consults: it may change the data stream ({@link #poisoning}), the training hyperparameters
 * ({@link #settings}), the gradients before each SGD step ({@link #adjustGradients}), the parameters after each
 * step ({@link #afterStep}) and the final update ({@link #finishUpdate}, scaling); an attack that needs the
 * client's clean data first or another optimisation replaces the local training itself ({@link #train}). Outside
 * its attack rounds a malicious client trains exactly like an honest one (docs/ATTACKS.md, "Common rules"). A
 * backdoor attack has a target label and an ASR set; an untargeted attack ({@link #targeted()} false) has neither
 * and is measured by the accuracy drop. Attacks that replace the trained updates with crafted ones extend
 * {@link ModelPoisoningAttack}.
 * <p>Implementations are immutable and thread-safe: one instance serves all clients of an adversary, which may
 * train in parallel.
 */
public abstract class ClientAttack {

    /** How the finished malicious update is scaled: W ← G + γ(W − G). */
    public enum ScaleMode { NONE, AUTO, FIXED }

    /**
     * The update scaling of an attack.
     *
     * @param mode   none (γ = 1), auto (model replacement: the attack's {@link #replacementFactor}), fixed
     * @param factor γ for {@link ScaleMode#FIXED}
     */
    public record Scaling(ScaleMode mode, double factor) {

        public static final Scaling NONE = new Scaling(ScaleMode.NONE, 1);
        public static final Scaling AUTO = new Scaling(ScaleMode.AUTO, Double.NaN);

        public Scaling {
            if (mode == ScaleMode.FIXED && !(factor > 0 && Double.isFinite(factor))) {
                throw new IllegalArgumentException("attack scale: expected a finite factor > 0, found " + factor);
            }
        }

        /** Parses "none", "auto" or a number (1 = none). */
        public static Scaling parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            if (t.equals("none")) {
                return NONE;
            }
            if (t.equals("auto")) {
                return AUTO;
            }
            try {
                double g = Double.parseDouble(t);
                return g == 1.0 ? NONE : new Scaling(ScaleMode.FIXED, g);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("attack scale: expected auto, none or a number > 0, found '" + text
                    + "'");
            }
        }

        @Override
        public String toString() {
            return switch (mode) {
                case NONE -> "none";
                case AUTO -> "auto";
                case FIXED -> Double.toString(factor);
            };
        }
    }

    private final String name;
    private final int target;
    private final double poisonRatio;
    private final Scaling scaling;
    private final Integer poisonEpochs;
    private final Double poisonLr;

    /** An untargeted attack: no target label, no poisoned batches, no scaling. */
    protected ClientAttack(String name) {
        this.name = name;
        this.target = -1;
        this.poisonRatio = 0;
        this.scaling = Scaling.NONE;
        this.poisonEpochs = null;
        this.poisonLr = null;
    }

    /**
     * @param name         attack name (command-line form)
     * @param target       backdoor target label
     * @param poisonRatio  fraction of each batch poisoned, in [0, 1]
     * @param scaling      update scaling
     * @param poisonEpochs local epochs in attack rounds, null = the honest epochs
     * @param poisonLr     learning rate in attack rounds, null = the honest one
     */
    protected ClientAttack(String name, int target, double poisonRatio, Scaling scaling, Integer poisonEpochs,
                           Double poisonLr) {
        if (target < 0) {
            throw new IllegalArgumentException("attack " + name + ": target label must be >= 0, found " + target);
        }
        if (!(poisonRatio >= 0 && poisonRatio <= 1)) {
            throw new IllegalArgumentException("attack " + name + ": poison ratio must be in [0, 1], found " + poisonRatio);
        }
        if (poisonEpochs != null && poisonEpochs < 1) {
            throw new IllegalArgumentException("attack " + name + ": poison epochs must be >= 1, found " + poisonEpochs);
        }
        if (poisonLr != null && !(poisonLr > 0 && Double.isFinite(poisonLr))) {
            throw new IllegalArgumentException("attack " + name + ": poison lr must be finite and > 0, found " + poisonLr);
        }
        this.name = name;
        this.target = target;
        this.poisonRatio = poisonRatio;
        this.scaling = scaling == null ? Scaling.NONE : scaling;
        this.poisonEpochs = poisonEpochs;
        this.poisonLr = poisonLr;
    }

    public String name() {
        return name;
    }

    /** The target label, or −1 for an untargeted attack. */
    public int target() {
        return target;
    }

    /** True for an attack with a target label (a backdoor or targeted label flip), measured by ASR. */
    public boolean targeted() {
        return target >= 0;
    }

    public double poisonRatio() {
        return poisonRatio;
    }

    public Scaling scaling() {
        return scaling;
    }

    /**
     * The poisoned data stream of the adversary's attacker number {@code rank} (0-based, in client-id order),
     * or null for clean data (untargeted attacks, and attacks that only edit the update).
     */
    public abstract Poisoning poisoning(int rank);

    /**
     * The inputs ASR is measured on for this attack, built from the clean test split; null for an untargeted
     * attack (it has no ASR; its effect is the accuracy drop against the attack-free run).
     */
    public abstract AsrSet asrSet(Dataset test);

    /** Training settings in an attack round: the honest ones with the poison epochs / lr when set. */
    public TrainingSettings settings(TrainingSettings honest) {
        return honest.with(poisonEpochs == null ? honest.epochs() : poisonEpochs,
            poisonLr == null ? honest.lr() : poisonLr);
    }

    /**
     * The local training of an attack round, from G (in {@code run.net()}); leaves W in the model and returns the
     * last batch loss. Default: the standard loop over the poisoned batches with {@link #adjustGradients} before
     * and {@link #afterStep} after every SGD step. Attacks that need the client's clean data first (a gradient
     * mask, reference saliency maps) or another optimisation (alternating minimisation) override it; they must
     * draw every random choice from {@code run.seeds()}.
     */
    public double train(LocalRun run) {
        return LocalTrainer.loop(run.net(), run.global(), run.data(), run.indices(), run.settings(), run.poisoning(),
            run.seeds().batches(), this::adjustGradients, this::afterStep).lastLoss();
    }

    /**
     * Called after the gradients of a batch are computed and before the SGD step; may modify
     * {@code net.grads()}. {@code global} is G (not modified).
     */
    public void adjustGradients(Network net, float[] global) {
    }

    /** Called after each SGD step; may modify {@code net.params()}. {@code global} is G (not modified). */
    public void afterStep(Network net, float[] global) {
    }

    /**
     * Turns the trained Δ = W − G into what is sent (in place). Default: W ← G + γ(W − G), i.e. Δ ← γΔ, on the
     * trainable parameters (BatchNorm running statistics are not trained, so they are left as measured: scaling
     * a running variance could make it negative).
     */
    public void finishUpdate(float[] delta, ParamLayout layout, RoundShare share) {
        double gamma = scaleFactor(share);
        if (gamma == 1.0) {
            return;
        }
        float g = (float) gamma;
        int[] ranges = layout.trainableRanges();
        for (int r = 0; r < ranges.length; r += 2) {
            for (int i = ranges[r]; i < ranges[r + 1]; i++) {
                delta[i] *= g;
            }
        }
    }

    /** γ applied to an update sent in a round with {@code share}: 1, the fixed factor or model replacement's. */
    public double scaleFactor(RoundShare share) {
        return switch (scaling.mode()) {
            case NONE -> 1.0;
            case FIXED -> scaling.factor();
            case AUTO -> replacementFactor(share);
        };
    }

    /**
     * γ of model replacement. Default (Bagdasaryan et al. 2020; backdoors101 issue #16): n / η divided by the
     * attackers in the round, with server learning rate η = 1 (every aggregation rule here applies the update
     * with η = 1).
     */
    protected double replacementFactor(RoundShare share) {
        return (double) share.clientsInRound() / share.attackersInRound();
    }

    /** One line for logs and reports. */
    public String describe() {
        if (!targeted()) {
            return name;
        }
        return name + " -> " + target + ", poison ratio " + poisonRatio + ", scale " + scaling
            + (poisonEpochs == null ? "" : ", poison epochs " + poisonEpochs)
            + (poisonLr == null ? "" : ", poison lr " + poisonLr);
    }

    @Override
    public String toString() {
        return describe();
    }

    // ------------------------------------------------------------------ helpers over trainable parameters

    /**
     * PGD projection of W (in {@code net}) onto the ball ‖W − G‖ ≤ ε over the trainable parameters; nothing when
     * ε = 0 or W is inside.
     */
    protected static void projectToBall(Network net, float[] global, double eps) {
        if (eps == 0) {
            return;
        }
        float[] w = net.params();
        ParamLayout layout = net.layout();
        double norm = distance(w, global, layout);
        if (norm <= eps) {
            return;
        }
        float f = (float) (eps / norm);
        int[] ranges = layout.trainableRanges();
        for (int r = 0; r < ranges.length; r += 2) {
            for (int i = ranges[r]; i < ranges[r + 1]; i++) {
                w[i] = global[i] + f * (w[i] - global[i]);
            }
        }
    }

    /** ‖W − G‖ over the trainable parameters (BatchNorm statistics excluded), in double. */
    protected static double distance(float[] w, float[] g, ParamLayout layout) {
        double s = 0;
        int[] ranges = layout.trainableRanges();
        for (int r = 0; r < ranges.length; r += 2) {
            for (int i = ranges[r]; i < ranges[r + 1]; i++) {
                double d = (double) w[i] - g[i];
                s += d * d;
            }
        }
        return Math.sqrt(s);
    }
}
