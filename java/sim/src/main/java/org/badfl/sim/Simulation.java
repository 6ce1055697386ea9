package org.badfl.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import org.badfl.clients.ClientAttack;
import org.badfl.clients.ClientSeeds;
import org.badfl.clients.ClientTrainer;
import org.badfl.clients.ClientTrainer.ClientTask;
import org.badfl.clients.CpuClientTrainer;
import org.badfl.clients.GpuClientTrainer;
import org.badfl.clients.ModelPoisoningAttack;
import org.badfl.clients.RoundShare;
import org.badfl.data.AsrSet;
import org.badfl.engine.Compute;
import org.badfl.evaluation.DetectionCounts;
import org.badfl.evaluation.Evaluator;
import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceAggregationKernels;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.RoundAggregator;
import org.badfl.server.UpdateValidator;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.AggregationKernels;
import org.badfl.server.catalog.Defenses;
import org.badfl.util.Seeds;

/**
 * The federated simulation: runs one {@link Scenario} for each defense of its config on the identical setup
 * (same partition, attackers, client seeds, selection), sequentially, defense after defense.
 *
 * <h2>One round t of one defense</h2>
 * <ol>
 *   <li>Select clients ({@link Scenario#selectClients}); a client attacks if it belongs to an adversary whose
 *       schedule includes t (never in the {@code no-attack} run, which is FedAvg with every attack off).</li>
 *   <li>Local training, clients in parallel on {@code threads} cores: each client on its own model instance
 *       (single-threaded inside), seeded by {@code Seeds.derive(seed, "client", t, id)}; update row i is filled
 *       by slot, so the aggregation order never depends on timing. A client whose training diverges sends
 *       nothing (its slot stays empty and the validator rejects it).</li>
 *   <li>Model poisoning ({@link ModelPoisoningAttack}, the omniscient-attacker hook): each adversary that crafts
 *       its updates sees the round's honest updates and replaces its clients' rows before the defense runs.</li>
 *   <li>{@link RoundAggregator}, or in the rounds of {@code defense-off-rounds} one with plain FedAvg (the defense
 *       sees nothing of those rounds and keeps the state of its last active round; no detection is counted):
 *       {@link org.badfl.server.UpdateValidator} (wrong length, NaN/Inf, ... rejected
 *       with the reason, the round goes on), the defense, the finite-G guard; seed
 *       {@code derive(seed, "aggregation", t)}.</li>
 *   <li>Evaluation of the round's evaluation model ({@link RoundResult#modelToEvaluate()}: CRFL's model before
 *       its noise): ACC on the clean test set, ASR per adversary.</li>
 *   <li>Detection counts of the defense's flags (accepted updates only) against the clients that attacked.</li>
 *   <li>After the last round, an optional {@link FinalEvaluation} (test-time smoothing, certification).</li>
 *   <li>Checkpoint (G + all records + the defense's state, {@code Defense.saveState}, atomically) and
 *       {@code rounds.csv}, then progress.</li>
 * </ol>
 * Results are bit-identical for any thread count: every random draw is seeded by purpose and ids, work is split
 * by problem size, and no floating-point sum depends on which thread ran what.
 * <p>Where it runs is chosen once, when the run starts ({@link Backend}): without a device, a
 * {@link CpuClientTrainer} and the CPU aggregation kernels; with a {@linkplain Builder#device device} (a GPU, or its
 * CPU emulation), a {@link GpuClientTrainer} (honest clients on the device, the same {@link ClientSeeds}, batches
 * and steps as on the CPU, each Δ left on the device in the round's rows; attacking clients on the CPU, whose
 * attack hooks edit gradients and parameters on the host) and {@link DeviceAggregationKernels}, which read those
 * rows in place. Device results equal the CPU engine's within float reassociation (the GPU backend's checks), so a
 * run on a device is reproducible on that device, not bit-identical to a CPU run. The round's rows are freed
 * before the next round trains. Each round records the bytes copied between host and device
 * ({@link RoundRecord#hostDeviceBytes()}; 0 on the CPU).
 * <p>Resume: with a run folder holding a checkpoint of the same scenario, the run continues after the last
 * complete round; all records so far come from the checkpoint, so the final summary equals that of an
 * uninterrupted run except for wall-clock seconds (which add up the checkpointed rounds' times). A defense that
 * keeps state across rounds ({@link org.badfl.server.Defense#saveState}) gets it back before its first resumed round.
 */
public final class Simulation {

    /**
     * Alters a client's update after training, before the server receives it — for robustness tests and
     * experiments with Byzantine clients (NaN, Inf, wrong length). Called from worker threads; must be pure.
     */
    @FunctionalInterface
    public interface UpdateTamper {
        /** The update the server receives from {@code clientId} in {@code round} (may return another array). */
        float[] tamper(String defense, int round, int clientId, boolean attacking, float[] delta);
    }

    /** Decides after each completed round whether to stop the run there (tests simulate a kill with it). */
    @FunctionalInterface
    public interface StopHook {
        boolean stopAfter(int defenseIndex, int round);
    }

    /**
     * What a run produced.
     *
     * @param records  every round record, defenses in order
     * @param results  the final result per completed defense
     * @param summary  {@code summary.json}'s content (only when all defenses completed, else null)
     * @param complete false when a {@link StopHook} stopped the run early
     */
    public record Outcome(List<RoundRecord> records, List<DefenseResult> results, ObjectNode summary,
                          boolean complete) {
    }

    private final Scenario scenario;
    private final int threads;
    private final RunFolder folder;
    private final SimulationListener listener;
    private final UpdateTamper tamper;
    private final StopHook stopHook;
    private final FinalEvaluation finalEvaluation;
    private final Device device;
    private final TrainingEngine.Session engine;

    private Simulation(Builder b) {
        this.scenario = b.scenario;
        this.threads = b.threads > 0 ? b.threads
            : scenario.config().threads > 0 ? scenario.config().threads : Compute.availableCores();
        this.folder = b.folder;
        this.listener = b.listener;
        this.tamper = b.tamper;
        this.stopHook = b.stopHook;
        this.finalEvaluation = b.finalEvaluation;
        this.device = b.device;
        this.engine = b.engine;
        if (device != null && engine != null) {
            throw new IllegalArgumentException("a run trains on a device or on an engine's workers, not both");
        }
    }

    /** Starts configuring a simulation of {@code scenario}. */
    public static Builder of(Scenario scenario) {
        return new Builder(scenario);
    }

    /** Options of a simulation that do not change its results. */
    public static final class Builder {
        private final Scenario scenario;
        private int threads;
        private RunFolder folder;
        private SimulationListener listener = SimulationListener.NONE;
        private UpdateTamper tamper;
        private StopHook stopHook = (d, t) -> false;
        private FinalEvaluation finalEvaluation;
        private Device device;
        private TrainingEngine.Session engine;

        private Builder(Scenario scenario) {
            this.scenario = Objects.requireNonNull(scenario, "scenario");
        }

        /** Threads (0 = the config's {@code threads}, whose 0 means all cores). */
        public Builder threads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("threads: expected >= 0, found " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Where checkpoints and outputs go (null: in memory only, no checkpoint). */
        public Builder folder(RunFolder folder) {
            this.folder = folder;
            return this;
        }

        public Builder listener(SimulationListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public Builder tamper(UpdateTamper tamper) {
            this.tamper = tamper;
            return this;
        }

        /** Extra measurements of each defense's final model, added to its summary entry (null: none). */
        public Builder finalEvaluation(FinalEvaluation finalEvaluation) {
            this.finalEvaluation = finalEvaluation;
            return this;
        }

        /**
         * Trains honest clients on {@code device} (not closed by the simulation); null (the default) trains every
         * client on the CPU engine. Unlike the other options this changes results, within float reassociation.
         */
        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        /**
         * Trains every client on {@code engine}'s workers (not closed by the simulation); null (the default) trains
         * in this JVM. Results equal the local CPU engine's.
         */
        public Builder engine(TrainingEngine.Session engine) {
            this.engine = engine;
            return this;
        }

        public Builder stopHook(StopHook stopHook) {
            this.stopHook = Objects.requireNonNull(stopHook, "stopHook");
            return this;
        }

        public Simulation build() {
            return new Simulation(this);
        }
    }

    public Scenario scenario() {
        return scenario;
    }

    /** Threads actually used. */
    public int threads() {
        return threads;
    }

    /**
     * Runs every defense (continuing from the folder's checkpoint when it has one) and, when all completed,
     * writes the final outputs into the folder.
     *
     * @throws IllegalArgumentException when the folder's checkpoint belongs to another scenario or is damaged
     */
    public Outcome run() {
        ScenarioConfig config = scenario.config();
        List<String> defenses = config.defenses;
        String fingerprint = scenario.fingerprint();
        List<RoundRecord> records = new ArrayList<>();
        Map<String, ObjectNode> finals = new LinkedHashMap<>();
        int startDefense = 0;
        int startRound = 1;
        float[] resumeGlobal = null;
        String resumeState = null;
        if (folder != null && Checkpoint.exists(folder.checkpointDir())) {
            Checkpoint cp = Checkpoint.load(folder.checkpointDir());
            if (!cp.fingerprint().equals(fingerprint)) {
                throw new IllegalArgumentException("run folder " + folder.dir() + ": its checkpoint belongs to another "
                    + "scenario (config.json changed since the run started?); expected fingerprint " + fingerprint
                    + ", found " + cp.fingerprint());
            }
            if (cp.defenseIndex() < 0 || cp.defenseIndex() >= defenses.size() || cp.roundsDone() < 0
                || cp.roundsDone() > config.rounds) {
                throw new IllegalArgumentException("run folder " + folder.dir() + ": checkpoint position (defense "
                    + cp.defenseIndex() + ", round " + cp.roundsDone() + ") is outside the scenario");
            }
            records.addAll(cp.records());
            finals.putAll(cp.finals());
            startDefense = cp.defenseIndex();
            startRound = cp.roundsDone() + 1;
            resumeGlobal = cp.loadGlobal(folder.checkpointDir(), scenario.modelSpec().layout().size());
            resumeState = cp.defenseState();
            if (startRound > config.rounds) {
                startDefense++;
                startRound = 1;
                resumeGlobal = null;
                resumeState = null;
            }
            listener.info("resuming " + folder.dir() + " at "
                + (startDefense < defenses.size() ? "defense " + defenses.get(startDefense) + ", round " + startRound
                : "the final outputs (all rounds were complete)"));
        }
        try (Compute compute = Compute.create(threads); Backend backend = Backend.open(device, engine, scenario, compute)) {
            for (int d = startDefense; d < defenses.size(); d++) {
                float[] global = d == startDefense && resumeGlobal != null ? resumeGlobal : scenario.initialGlobal();
                int first = d == startDefense ? startRound : 1;
                boolean finished = runDefense(d, defenses.get(d), global, first, d == startDefense ? resumeState : null,
                    records, finals, compute, fingerprint, backend);
                if (!finished) {
                    return new Outcome(List.copyOf(records), results(records, finals, d), null, false);
                }
            }
        }
        List<DefenseResult> results = results(records, finals, defenses.size());
        ObjectNode summary = RunReport.summary(scenario.describe(), results);
        if (folder != null) {
            folder.writeFinal(scenario, records, results, summary);
        }
        return new Outcome(List.copyOf(records), results, summary, true);
    }

    /** Results of the first {@code completed} defenses. */
    private List<DefenseResult> results(List<RoundRecord> records, Map<String, ObjectNode> finals, int completed) {
        Map<String, List<RoundRecord>> byDefense = new LinkedHashMap<>();
        for (String name : scenario.config().defenses.subList(0, completed)) {
            byDefense.put(name, new ArrayList<>());
        }
        for (RoundRecord r : records) {
            List<RoundRecord> list = byDefense.get(r.defense());
            if (list != null) {
                list.add(r);
            }
        }
        List<DefenseResult> out = new ArrayList<>();
        byDefense.forEach((name, list) -> out.add(DefenseResult.of(name, list, finals.get(name))));
        return out;
    }

    /** Runs rounds {@code first..T} of one defense; false when stopped by the hook. */
    private boolean runDefense(int index, String name, float[] global, int first, String state,
                               List<RoundRecord> records, Map<String, ObjectNode> finals, Compute compute,
                               String fingerprint, Backend backend) {
        ScenarioConfig config = scenario.config();
        Defense defense = Scenario.createDefense(config, name);
        if (first > 1) {
            defense.restoreState(state); // the state after round first - 1, saved with its checkpoint
        }
        boolean attacksOn = !name.equals(ScenarioConfig.NO_ATTACK);
        UpdateValidator validator = config.maxUpdateNorm > 0
            ? new UpdateValidator(UpdateValidator.DEFAULT_MAX_SAMPLES, config.maxUpdateNorm) : new UpdateValidator();
        RoundAggregator aggregator = new RoundAggregator(defense, validator);
        // defense-off-rounds: plain FedAvg; the defense sees nothing of those rounds, so its state stays as after
        // its last active round.
        RoundSet offRounds = RoundSet.parse(config.defenseOffRounds);
        RoundAggregator plain = new RoundAggregator(Defenses.create("fedavg"), validator);
        SimulationContext context = new SimulationContext(scenario, compute, backend.kernels());
        Evaluator evaluator = new Evaluator(scenario.modelSpec(), config.evalBatchSize, config.normalize);
        listener.defenseStarted(name, index, config.defenses.size(), first, config.rounds,
            scenario.selectClients(first).length);

        for (int t = first; t <= config.rounds; t++) {
            long bytesBefore = backend.hostDeviceBytes().getAsLong();
            int[] selected = scenario.selectClients(t);
            int[] shown = serverIds(selected, t, attacksOn);
            boolean[] attacking = new boolean[selected.length];
            Set<Integer> attackingIds = new HashSet<>();
            RoundShare[] shares = roundShares(selected, shown, t, attacksOn, attacking, attackingIds);
            boolean defenseOn = !offRounds.contains(t);
            String[] failures = new String[selected.length];
            RoundResult result;
            RoundAggregator.Outcome outcome;
            double trainSeconds;
            double defenseSeconds;
            try (RoundUpdates received = backend.trainer().newRound(scenario.modelSpec().layout(), selected.length)) {
                long t0 = System.nanoTime();
                train(backend.trainer(), global, t, selected, shown, attacking, shares, received, failures);
                poisonModels(global, t, selected, shown, attacking, shares, received);
                receive(name, t, selected, shown, attacking, received);
                trainSeconds = (System.nanoTime() - t0) / 1e9;

                long t1 = System.nanoTime();
                outcome = (defenseOn ? aggregator : plain).aggregate(global, scenario.modelSpec().layout(), received, t,
                    config.rounds, Seeds.derive(config.seed, "aggregation", t), context);
                backend.roundDone();
                result = outcome.result();
                global = result.global();
                defenseSeconds = (System.nanoTime() - t1) / 1e9;
            }

            long t2 = System.nanoTime();
            float[] evaluated = result.modelToEvaluate();
            boolean evaluate = t % config.evalEvery == 0 || t == config.rounds;
            double acc = evaluate
                ? evaluator.accuracy(evaluated, scenario.test(), scenario.cleanTestIndices(), compute) : Double.NaN;
            double[] asr = evaluate ? attackSuccessRates(evaluator, evaluated, compute) : notEvaluated();
            double evalSeconds = (System.nanoTime() - t2) / 1e9;

            RoundRecord record = new RoundRecord(name, t, acc, asr, selected.length, attackingIds.size(),
                outcome.validation().rejected().size(), defenseOn ? detection(defense, outcome, attackingIds) : null,
                trainSeconds, defenseSeconds, evalSeconds, defenseOn ? note(outcome, failures)
                : String.join("; ", "defense off: FedAvg", note(outcome, failures)).replaceAll("; $", ""),
                backend.hostDeviceBytes().getAsLong() - bytesBefore, defenseOn);
            records.add(record);

            if (t == config.rounds && finalEvaluation != null) {
                evaluateFinal(index, name, defense, evaluated, global, finals, compute);
            }
            checkpoint(index, t, global, records, finals, defense, fingerprint);
            listener.roundFinished(record);
            if (stopHook.stopAfter(index, t) && !(index == config.defenses.size() - 1 && t == config.rounds)) {
                return false;
            }
        }
        listener.defenseFinished(DefenseResult.of(name, records.stream().filter(r -> r.defense().equals(name)).toList(),
            finals.get(name)));
        return true;
    }

    /**
     * Phase 1, local training: every selected client from G, seeded by {@link ClientSeeds#clientRound}; update row
     * i is filled by slot, so the aggregation order never depends on timing. A client whose training diverges sends
     * nothing (its slot stays empty and the validator rejects it) and its failure goes into the round's note.
     */
    private void train(ClientTrainer trainer, float[] global, int round, int[] selected, int[] shown,
                       boolean[] attacking, RoundShare[] shares, RoundUpdates received, String[] failures) {
        List<ClientTask> tasks = new ArrayList<>(selected.length);
        for (int i = 0; i < selected.length; i++) {
            int id = selected[i];
            int adv = scenario.adversaryOf(id);
            ClientAttack attack = attacking[i] ? scenario.adversaries().get(adv).attack() : null;
            if (attack instanceof ModelPoisoningAttack m && !m.trainsWithAttack()) {
                attack = null; // trains honestly; its update is replaced in poisonModels
            }
            tasks.add(new ClientTask(i, shown[i], scenario.clientIndices(id), scenario.clientSamples(id),
                ClientSeeds.clientRound(scenario.config().seed, round, id), attack,
                attacking[i] ? scenario.rankOf(id) : 0, attacking[i] ? shares[adv] : null));
        }
        trainer.train(global, tasks, received, (task, failure) -> {
            failures[task.slot()] = failure;
            listener.clientTrained();
        });
    }

    /**
     * Phase 1b, the omniscient-attacker hook: after every client trained and before the defense, each adversary
     * with a {@link ModelPoisoningAttack} that attacks in this round sees G, the honest clients' updates (the slots
     * not attacking, client-id order) and its own clients' trained updates, and its crafted rows replace the latter.
     * Seeded by {@code derive(seed, "model-poisoning", t, adversary number)}. Clients whose training diverged send
     * nothing and are left out of both sides.
     */
    private void poisonModels(float[] global, int round, int[] selected, int[] shown, boolean[] attacking,
                              RoundShare[] shares, RoundUpdates received) {
        List<Scenario.Adversary> adversaries = scenario.adversaries();
        float[][] benign = null;
        int d = scenario.modelSpec().layout().size();
        for (int a = 0; a < adversaries.size(); a++) {
            if (shares[a] == null || !(adversaries.get(a).attack() instanceof ModelPoisoningAttack attack)) {
                continue;
            }
            if (benign == null) {
                List<float[]> rows = new ArrayList<>();
                for (int i = 0; i < selected.length; i++) {
                    float[] row = attacking[i] ? null : received.receivedRow(i);
                    if (row != null && row.length == d) {
                        rows.add(row);
                    }
                }
                benign = rows.toArray(new float[0][]);
            }
            List<Integer> slots = new ArrayList<>();
            for (int i = 0; i < selected.length; i++) {
                if (attacking[i] && scenario.adversaryOf(selected[i]) == a) {
                    float[] row = received.receivedRow(i);
                    if (row != null && row.length == d) {
                        slots.add(i);
                    }
                }
            }
            float[][] own = new float[slots.size()][];
            for (int k = 0; k < own.length; k++) {
                own[k] = received.receivedRow(slots.get(k));
            }
            float[][] crafted = attack.craft(new ModelPoisoningAttack.RoundView(global, benign, own,
                scenario.modelSpec().layout()), Seeds.derive(scenario.config().seed, "model-poisoning", round, a + 1));
            for (int k = 0; k < crafted.length; k++) {
                int slot = slots.get(k);
                received.receive(slot, shown[slot], scenario.clientSamples(selected[slot]), crafted[k]);
            }
        }
    }

    /** Phase 2, what the server receives: the updates as sent, or as the {@link UpdateTamper} alters them. */
    private void receive(String defense, int round, int[] selected, int[] shown, boolean[] attacking,
                         RoundUpdates received) {
        if (tamper == null) {
            return;
        }
        for (int i = 0; i < selected.length; i++) {
            float[] delta = received.receivedRow(i);
            if (delta != null) {
                int id = selected[i];
                received.receive(i, shown[i], scenario.clientSamples(id),
                    tamper.tamper(defense, round, shown[i], attacking[i], delta));
            }
        }
    }

    /** ASR entries of a round that is not evaluated ({@code eval-every}): NaN per adversary. */
    private double[] notEvaluated() {
        double[] asr = new double[scenario.adversaries().size()];
        java.util.Arrays.fill(asr, Double.NaN);
        return asr;
    }

    /** Phase 4, evaluation: ASR of the round's evaluation model per adversary (NaN for an untargeted one). */
    private double[] attackSuccessRates(Evaluator evaluator, float[] evaluated, Compute compute) {
        double[] asr = new double[scenario.adversaries().size()];
        for (int a = 0; a < asr.length; a++) {
            AsrSet set = scenario.adversaries().get(a).asrSet();
            asr[a] = set == null ? Double.NaN : evaluator.attackSuccessRate(evaluated, set, compute);
        }
        return asr;
    }

    /** Detection counts against the clients that attacked, on the updates the defense judged (null: no flags). */
    private static DetectionCounts detection(Defense defense, RoundAggregator.Outcome outcome,
                                             Set<Integer> attackingIds) {
        if (!defense.flagsClients()) {
            return null;
        }
        List<ClientVerdict> judged = new ArrayList<>();
        for (int slot : outcome.validation().acceptedSlots()) {
            judged.add(outcome.result().verdicts().get(slot));
        }
        return DetectionCounts.of(judged, attackingIds);
    }

    /** The defense's note, then each rejected update and each client whose training diverged. */
    private static String note(RoundAggregator.Outcome outcome, String[] failures) {
        String note = outcome.result().note();
        for (ClientVerdict rejected : outcome.validation().rejected()) {
            note = note + "; client " + rejected.clientId() + ": " + rejected.reason();
        }
        for (String f : failures) {
            if (f != null) {
                note = note.isEmpty() ? f : note + "; " + f;
            }
        }
        return note;
    }

    /** After the last round, extra measurements of the final model (committed with its checkpoint). */
    private void evaluateFinal(int index, String name, Defense defense, float[] evaluated, float[] global,
                               Map<String, ObjectNode> finals, Compute compute) {
        ObjectNode extra = finalEvaluation.evaluate(name, defense, evaluated, global, scenario, compute,
            Seeds.derive(scenario.config().seed, "final-evaluation", index));
        if (extra != null && extra.size() > 0) {
            finals.put(name, extra);
        }
    }

    /** Phase 5, checkpoint (G + all records + the defense's state, atomically) and {@code rounds.csv}. */
    private void checkpoint(int index, int round, float[] global, List<RoundRecord> records,
                            Map<String, ObjectNode> finals, Defense defense, String fingerprint) {
        if (folder != null) {
            Checkpoint.save(folder.checkpointDir(), fingerprint, index, round, global, records, finals,
                defense.saveState());
            folder.writeRounds(records, scenario.adversaries().size());
        }
    }

    /**
     * The ids the server sees for the selected clients in round t: their own, except the fresh per-round ids of
     * sybil adversaries' clients ({@link Scenario#serverId}) while attacks are on.
     */
    private int[] serverIds(int[] selected, int round, boolean attacksOn) {
        int[] shown = selected.clone();
        if (attacksOn) {
            for (int i = 0; i < shown.length; i++) {
                shown[i] = scenario.serverId(selected[i], round);
            }
        }
        return shown;
    }

    /**
     * Marks who attacks in round t and returns each adversary's share of the round (null for adversaries that do
     * not attack in it).
     */
    private RoundShare[] roundShares(int[] selected, int[] shown, int round, boolean attacksOn, boolean[] attacking,
                                     Set<Integer> attackingIds) {
        List<Scenario.Adversary> adversaries = scenario.adversaries();
        int[] count = new int[adversaries.size()];
        long[] samples = new long[adversaries.size()];
        long total = 0;
        for (int i = 0; i < selected.length; i++) {
            int id = selected[i];
            total += scenario.clientSamples(id);
            int adv = scenario.adversaryOf(id);
            if (attacksOn && adv >= 0 && adversaries.get(adv).schedule().attacksIn(round)) {
                attacking[i] = true;
                attackingIds.add(shown[i]);
                count[adv]++;
                samples[adv] += scenario.clientSamples(id);
            }
        }
        RoundShare[] shares = new RoundShare[adversaries.size()];
        for (int a = 0; a < shares.length; a++) {
            if (count[a] > 0) {
                shares[a] = new RoundShare(selected.length, count[a], total, samples[a]);
            }
        }
        return shares;
    }

    /**
     * Where a run trains and aggregates, chosen once: the CPU engine and kernels, or a device's trainer and kernels.
     *
     * @param trainer         the clients' training
     * @param kernels         the defenses' heavy steps
     * @param roundDone       forgets per-round kernel state once a round is aggregated
     * @param hostDeviceBytes bytes copied between host and device so far (0 on the CPU)
     */
    private record Backend(ClientTrainer trainer, AggregationKernels kernels, Runnable roundDone,
                           LongSupplier hostDeviceBytes) implements AutoCloseable {

        static Backend open(Device device, TrainingEngine.Session engine, Scenario scenario, Compute compute) {
            if (engine != null) {
                return new Backend(engine.trainer(scenario, compute), AggregationKernels.cpu(compute), () -> { }, () -> 0L);
            }
            if (device == null) {
                return new Backend(new CpuClientTrainer(scenario.training(), scenario.train(), scenario.modelSpec(),
                    compute), AggregationKernels.cpu(compute), () -> { }, () -> 0L);
            }
            DeviceAggregationKernels kernels = new DeviceAggregationKernels(device);
            return new Backend(new GpuClientTrainer(device, scenario.training(), scenario.train(), scenario.modelSpec(),
                compute), kernels, kernels::close, () -> device.bytesToDevice() + device.bytesToHost());
        }

        @Override
        public void close() {
            roundDone.run();
            trainer.close();
        }
    }
}
