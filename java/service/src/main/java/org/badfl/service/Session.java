package org.badfl.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.badfl.engine.Compute;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Models;
import org.badfl.engine.Network;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.Defense;
import org.badfl.server.HostRoundUpdates;
import org.badfl.server.RoundAggregator;
import org.badfl.server.ServerContext;
import org.badfl.server.catalog.Defenses;
import org.badfl.service.v1.ClientVerdict;
import org.badfl.service.v1.Parameter;
import org.badfl.service.v1.RoundOutcome;
import org.badfl.service.v1.SessionSpec;
import org.badfl.service.v1.VerdictStatus;
import org.badfl.util.Seeds;

/**
 * One training run of a calling FL server: its defense (with the state it keeps across rounds), the layout, the
 * current global model G, the round number, and the updates received for the current round. Rounds run through
 * core's {@link RoundAggregator} (validation, defense, output guard) with seed
 * {@code Seeds.derive(spec.seed, "aggregation", round)}, the updates in client id order, so the result does not
 * depend on the order in which the updates arrived.
 * <p>Thread-safe: streams of different clients reserve, fill and commit concurrently; aggregation holds the lock.
 */
final class Session implements AutoCloseable {

    private final String id;
    private final SessionSpec spec;
    private final ParamLayout layout;
    private final Defense defense;
    private final RoundAggregator aggregator;
    private final ServiceLimits limits;
    private final Compute compute;
    private final ServerContext context;
    private final String inspectionNote;

    private float[] global;
    private int nextRound;
    private RoundOutcome lastOutcome;
    private final Map<Integer, Pending> pending = new TreeMap<>();
    private final Map<Integer, Long> streaming = new HashMap<>();
    private long heldBytes;

    private record Pending(long samples, float[] delta) {
    }

    /**
     * @throws StatusRuntimeException INVALID_ARGUMENT for a spec the catalogue or the layout rules refuse,
     *                                RESOURCE_EXHAUSTED for a dimension over the limit
     */
    Session(String id, SessionSpec spec, ServiceLimits limits, int threads) {
        this.id = id;
        this.spec = spec;
        this.limits = limits;
        this.layout = layoutOf(spec, limits);
        if (spec.getTotalRounds() < 1) {
            throw invalid("total_rounds must be >= 1, found " + spec.getTotalRounds());
        }
        try {
            this.defense = Defenses.create(spec.getDefense(), spec.getOptionsMap());
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        this.aggregator = new RoundAggregator(defense);
        this.compute = Compute.create(threads);
        if (spec.hasInspection()) {
            InspectionContext inspection;
            try {
                inspection = InspectionContext.create(spec.getInspection(), layout, compute);
            } catch (IllegalArgumentException e) {
                compute.close();
                throw invalid(e.getMessage());
            }
            this.context = inspection;
            this.inspectionNote = "";
        } else {
            this.context = ServerContext.of(compute);
            this.inspectionNote = defense.name().equals("badfl")
                ? "no inspection model and set given: BADFL runs without neuron inspection (clustering only)" : "";
        }
        this.nextRound = 1;
    }

    private static ParamLayout layoutOf(SessionSpec spec, ServiceLimits limits) {
        if (spec.getLayoutCount() == 0) {
            throw invalid("the layout is empty");
        }
        ParamLayout.Builder b = ParamLayout.builder();
        long total = 0;
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Parameter p : spec.getLayoutList()) {
            if (p.getName().isEmpty() || !names.add(p.getName())) {
                throw invalid("layout: parameter name '" + p.getName() + "' is empty or repeated");
            }
            if (p.getSize() < 1) {
                throw invalid("layout: parameter " + p.getName() + " has size " + p.getSize() + ", must be >= 1");
            }
            ParamKind kind = switch (p.getKind()) {
                case WEIGHT -> ParamKind.WEIGHT;
                case BIAS -> ParamKind.BIAS;
                case BN_RUNNING_MEAN -> ParamKind.BN_RUNNING_MEAN;
                case BN_RUNNING_VAR -> ParamKind.BN_RUNNING_VAR;
                default -> throw invalid("layout: parameter " + p.getName() + " has no kind (WEIGHT, BIAS, "
                    + "BN_RUNNING_MEAN or BN_RUNNING_VAR)");
            };
            total += p.getSize();
            if (total > limits.maxDimension()) {
                throw Status.RESOURCE_EXHAUSTED.withDescription("layout: more than " + limits.maxDimension()
                    + " parameters, the service's limit per session (max dimension)").asRuntimeException();
            }
            b.add(p.getName(), p.getSize(), kind);
        }
        return b.build();
    }

    String id() {
        return id;
    }

    SessionSpec spec() {
        return spec;
    }

    ParamLayout layout() {
        return layout;
    }

    String inspectionNote() {
        return inspectionNote;
    }

    synchronized int nextRound() {
        return nextRound;
    }

    synchronized float[] global() {
        return global;
    }

    synchronized List<Integer> clientsReceived() {
        return new ArrayList<>(pending.keySet());
    }

    /** Sets G (open or restore); values must be finite, of the layout's length. */
    synchronized void restore(float[] global, int nextRound, String defenseState, RoundOutcome lastOutcome) {
        this.global = global;
        this.nextRound = nextRound;
        this.lastOutcome = lastOutcome;
        if (defenseState != null) {
            try {
                defense.restoreState(defenseState);
            } catch (IllegalArgumentException e) {
                throw invalid("defense state: " + e.getMessage());
            }
        }
    }

    /** The defense's state for a checkpoint (null when it keeps none). */
    synchronized String defenseState() {
        return defense.saveState();
    }

    synchronized RoundOutcome lastOutcome() {
        return lastOutcome;
    }

    String owner(int round, int clientId) {
        return "session " + id + ", round " + round + ", client " + clientId;
    }

    /** Admits one client's update stream before its values arrive (round, duplicate, limits). */
    synchronized void reserve(int round, int clientId, long samples, long totalValues) {
        String owner = owner(round, clientId);
        if (round != nextRound) {
            throw Status.FAILED_PRECONDITION.withDescription(owner + ": the session is at round " + nextRound)
                .asRuntimeException();
        }
        if (totalValues != layout.size()) {
            throw invalid(owner + ": wrong total length: header declares " + totalValues + " values, the layout has "
                + layout.size());
        }
        if (samples <= 0) {
            throw invalid(owner + ": sample count must be > 0, found " + samples);
        }
        if (pending.containsKey(clientId) || streaming.containsKey(clientId)) {
            throw invalid(owner + ": duplicate client id: an update of this client is already "
                + (pending.containsKey(clientId) ? "held" : "streaming") + " for this round");
        }
        if (pending.size() + streaming.size() >= limits.maxClients()) {
            throw Status.RESOURCE_EXHAUSTED.withDescription(owner + ": the round already holds "
                + (pending.size() + streaming.size()) + " updates, the service's limit per session (max clients "
                + limits.maxClients() + ")").asRuntimeException();
        }
        long bytes = 4L * layout.size();
        if (heldBytes + bytes > limits.maxBytes()) {
            throw Status.RESOURCE_EXHAUSTED.withDescription(owner + ": " + (heldBytes + bytes) + " bytes of updates "
                + "would exceed the service's limit per session (max bytes " + limits.maxBytes() + ")")
                .asRuntimeException();
        }
        heldBytes += bytes;
        streaming.put(clientId, bytes);
    }

    /** Frees a reservation whose stream failed or was abandoned. */
    synchronized void release(int clientId) {
        Long bytes = streaming.remove(clientId);
        if (bytes != null) {
            heldBytes -= bytes;
        }
    }

    /** Stores a complete update; returns the number of updates held for the round. */
    synchronized int commit(int clientId, long samples, float[] delta) {
        if (!streaming.containsKey(clientId)) {
            throw new IllegalStateException("client " + clientId + " committed without a reservation");
        }
        streaming.remove(clientId);
        pending.put(clientId, new Pending(samples, delta));
        return pending.size();
    }

    /**
     * Aggregates the current round. Asking again for the round just aggregated (a caller that lost the answer)
     * returns the same outcome; the new G is then {@link #global()}.
     */
    synchronized RoundOutcome aggregate(int round) {
        if (round == nextRound - 1 && lastOutcome != null && pending.isEmpty() && streaming.isEmpty()) {
            return lastOutcome;
        }
        if (round != nextRound) {
            throw Status.FAILED_PRECONDITION.withDescription("session " + id + ": aggregate asked for round " + round
                + ", the session is at round " + nextRound).asRuntimeException();
        }
        if (round > spec.getTotalRounds()) {
            throw Status.FAILED_PRECONDITION.withDescription("session " + id + ": all " + spec.getTotalRounds()
                + " rounds are done").asRuntimeException();
        }
        if (!streaming.isEmpty()) {
            throw Status.FAILED_PRECONDITION.withDescription("session " + id + ", round " + round + ": updates of "
                + "clients " + streaming.keySet() + " are still streaming").asRuntimeException();
        }
        HostRoundUpdates updates = new HostRoundUpdates(layout, pending.size());
        int slot = 0;
        for (Map.Entry<Integer, Pending> e : pending.entrySet()) {
            updates.receive(slot++, e.getKey(), e.getValue().samples(), e.getValue().delta());
        }
        long seed = Seeds.derive(spec.getSeed(), "aggregation", round);
        RoundAggregator.Outcome outcome = aggregator.aggregate(global, layout, updates, round, spec.getTotalRounds(),
            seed, context);
        RoundOutcome.Builder out = RoundOutcome.newBuilder().setRound(round)
            .setPreviousGlobalKept(outcome.previousGlobalKept()).setTotalValues(layout.size());
        String note = outcome.result().note();
        if (!inspectionNote.isEmpty()) {
            note = note.isEmpty() ? inspectionNote : inspectionNote + "; " + note;
        }
        out.setNote(note);
        for (org.badfl.server.ClientVerdict v : outcome.result().verdicts()) {
            out.addVerdicts(ClientVerdict.newBuilder().setClientId(v.clientId()).setFlagged(v.flagged())
                .setReason(v.reason()).setStatus(switch (v.status()) {
                    case ACCEPTED -> VerdictStatus.ACCEPTED;
                    case CLIPPED -> VerdictStatus.CLIPPED;
                    case REJECTED -> VerdictStatus.REJECTED;
                }));
        }
        global = outcome.result().global();
        nextRound = round + 1;
        pending.clear();
        heldBytes = 0;
        lastOutcome = out.build();
        return lastOutcome;
    }

    @Override
    public void close() {
        compute.close();
    }

    private static StatusRuntimeException invalid(String what) {
        return Status.INVALID_ARGUMENT.withDescription(what).asRuntimeException();
    }

    /** BADFL's inspection resources from the session's inspection spec: a catalogue model and a set on disk. */
    private static final class InspectionContext implements ServerContext {
        private final Compute compute;
        private final ModelSpec model;
        private final InspectionSet set;

        private InspectionContext(Compute compute, ModelSpec model, InspectionSet set) {
            this.compute = compute;
            this.model = model;
            this.set = set;
        }

        static InspectionContext create(org.badfl.service.v1.Inspection spec, ParamLayout layout, Compute compute) {
            if (spec.getModel().isEmpty() || spec.getInspectionSetPath().isEmpty()) {
                throw new IllegalArgumentException("inspection: both model and inspection_set_path are needed");
            }
            InspectionSet set = InspectionSet.read(java.nio.file.Path.of(spec.getInspectionSetPath()));
            ModelSpec model = Models.spec(spec.getModel(), set.shape(), spec.getClasses());
            ParamLayout expected = model.layout();
            if (!sameLayout(expected, layout)) {
                throw new IllegalArgumentException("inspection: model " + spec.getModel() + " for " + set.shape()
                    + " images and " + spec.getClasses() + " classes has layout " + expected
                    + ", the session's layout is " + layout);
            }
            for (int label : set.labels()) {
                if (label < 0 || label >= spec.getClasses()) {
                    throw new IllegalArgumentException("inspection set " + spec.getInspectionSetPath() + ": label "
                        + label + " outside [0, " + spec.getClasses() + ")");
                }
            }
            return new InspectionContext(compute, model, set);
        }

        private static boolean sameLayout(ParamLayout a, ParamLayout b) {
            if (a.entries().size() != b.entries().size()) {
                return false;
            }
            for (int i = 0; i < a.entries().size(); i++) {
                ParamLayout.Entry x = a.entries().get(i);
                ParamLayout.Entry y = b.entries().get(i);
                if (!x.name().equals(y.name()) || x.length() != y.length() || x.kind() != y.kind()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Compute compute() {
            return compute;
        }

        @Override
        public float[] inspectionImages() {
            return set.images().clone();
        }

        @Override
        public int[] inspectionLabels() {
            return set.labels().clone();
        }

        @Override
        public Network model(float[] params) {
            return model.withParams(params);
        }
    }
}
