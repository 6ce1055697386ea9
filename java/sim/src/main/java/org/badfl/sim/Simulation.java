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
import org.badfl.clients.RoundShare;
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
 *   <li>{@link RoundAggregator}: {@link org.badfl.server.UpdateValidator} (wrong length, NaN/Inf, ... rejected
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
        try (Compute compute = Compute.create(threads); Backend backend = Backend.open(device, scenario, compute)) {
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
        RoundAggregator aggregator = new RoundAggregator(defense, config.maxUpdateNorm > 0
            ? new UpdateValidator(UpdateValidator.DEFAULT_MAX_SAMPLES, config.maxUpdateNorm) : new UpdateValidator());
        SimulationContext context = new SimulationContext(scenario, compute, backend.kernels());
        Evaluator evaluator = new Evaluator(scenario.modelSpec(), config.evalBatchSize, config.normalize);
        listener.defenseStarted(name, index, config.defenses.size(), first, config.rounds,
            scenario.selectClients(first).length);

        for (int t = first; t <= config.rounds; t++) {
            long bytesBefore = backend.hostDeviceBytes().getAsLong();
            int[] selected = scenario.selectClients(t);
            boolean[] attacking = new boolean[selected.length];
            Set<Integer> attackingIds = new HashSet<>();
            RoundShare[] shares = roundShares(selected, t, attacksOn, attacking, attackingIds);
            String[] failures = new String[selected.length];
            RoundResult result;
            RoundAggregator.Outcome outcome;
            double trainSeconds;
            double defenseSeconds;
            try (RoundUpdates received = backend.trainer().newRound(scenario.modelSpec().layout(), selected.length)) {
                long t0 = System.nanoTime();
                train(backend.trainer(), global, t, selected, attacking, shares, received, failures);
                receive(name, t, selected, attacking, received);
                trainSeconds = (System.nanoTime() - t0) / 1e9;

                long t1 = System.nanoTime();
                outcome = aggregator.aggregate(global, scenario.modelSpec().layout(), received, t, config.rounds,
                    Seeds.derive(config.seed, "aggregation", t), context);
                backend.roundDone();
                result = outcome.result();
                global = result.global();
                defenseSeconds = (System.nanoTime() - t1) / 1e9;
            }

            long t2 = System.nanoTime();
            float[] evaluated = result.modelToEvaluate();
            double acc = evaluator.accuracy(evaluated, scenario.test(), scenario.cleanTestIndices(), compute);
            double[] asr = attackSuccessRates(evaluator, evaluated, compute);
            double evalSeconds = (System.nanoTime() - t2) / 1e9;

            RoundRecord record = new RoundRecord(name, t, acc, asr, selected.length, attackingIds.size(),
                outcome.validation().rejected().size(), detection(defense, outcome, attackingIds), trainSeconds,
                defenseSeconds, evalSeconds, note(outcome, failures),
                backend.hostDeviceBytes().getAsLong() - bytesBefore);
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
    private void train(ClientTrainer trainer, float[] global, int round, int[] selected, boolean[] attacking,
                       RoundShare[] shares, RoundUpdates received, String[] failures) {
        List<ClientTask> tasks = new ArrayList<>(selected.length);
        for (int i = 0; i < selected.length; i++) {
            int id = selected[i];
            int adv = scenario.adversaryOf(id);
            ClientAttack attack = attacking[i] ? scenario.adversaries().get(adv).attack() : null;
            tasks.add(new ClientTask(i, id, scenario.clientIndices(id), scenario.clientSamples(id),
                ClientSeeds.clientRound(scenario.config().seed, round, id), attack,
                attacking[i] ? scenario.rankOf(id) : 0, attacking[i] ? shares[adv] : null));
        }
        trainer.train(global, tasks, received, (task, failure) -> {
            failures[task.slot()] = failure;
            listener.clientTrained();
        });
    }

    /** Phase 2, what the server receives: the updates as sent, or as the {@link UpdateTamper} alters them. */
    private void receive(String defense, int round, int[] selected, boolean[] attacking, RoundUpdates received) {
        if (tamper == null) {
            return;
        }
        for (int i = 0; i < selected.length; i++) {
            float[] delta = received.receivedRow(i);
            if (delta != null) {
                int id = selected[i];
                received.receive(i, id, scenario.clientSamples(id),
                    tamper.tamper(defense, round, id, attacking[i], delta));
            }
        }
    }

    /** Phase 4, evaluation: ASR of the round's evaluation model per adversary. */
    private double[] attackSuccessRates(Evaluator evaluator, float[] evaluated, Compute compute) {
        double[] asr = new double[scenario.adversaries().size()];
        for (int a = 0; a < asr.length; a++) {
            asr[a] = evaluator.attackSuccessRate(evaluated, scenario.adversaries().get(a).asrSet(), compute);
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
     * Marks who attacks in round t and returns each adversary's share of the round (null for adversaries that do
     * not attack in it).
     */
    private RoundShare[] roundShares(int[] selected, int round, boolean attacksOn, boolean[] attacking,
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
                attackingIds.add(id);
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

        static Backend open(Device device, Scenario scenario, Compute compute) {
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
