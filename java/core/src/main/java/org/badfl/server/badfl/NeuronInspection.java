package org.badfl.server.badfl;

import static org.badfl.server.badfl.Lmca.fmt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.badfl.server.badfl.SaliencyFeatures.ClassFeatures;
import org.badfl.server.badfl.SaliencyFeatures.ModelFeatures;
import org.badfl.server.badfl.SaliencyFeatures.Stability;
import org.badfl.server.detect.KMeans;
import org.badfl.util.Seeds;

/**
 * Model Neuron Inspection Algorithm, MNIA (BADFL, Zhang et al., TKDE 2024, Algorithm 2 and Section V-A2), as fixed
 * by docs/BADFL.md (interpretation). Judges the candidates picked by {@link Lmca} from their saliency features
 * ({@link SaliencyFeatures}):
 * <ol>
 *   <li>Lines 3-5: features of every candidate and class: correlation (eq. 6) and stability (eq. 7, XOR or
 *       pairwise reading). A candidate whose saliency maps are not finite (its parameters overflow the forward
 *       pass) is flagged outright: no benign model does that on clean images.</li>
 *   <li>Line 6, eq. (8): both features are z-scored over all candidates × classes and oriented so that "less
 *       correlated" and "more stable" both raise suspicion: s_co = −z(correlation), s_st = −z(stability),
 *       f = λ_co·s_co + λ_st·s_st. A model's suspect class is the class with the largest f (ties: lowest class);
 *       (s_co, s_st, f) of that class is the model's point.</li>
 *   <li>Line 7, secondary clustering: K-means with k = 2 on the candidates' points (seeded). The cluster with the
 *       higher mean f is called malicious only if it is separated: its mean f lies more than {@code guard} robust
 *       standard deviations (1.4826 × MAD of f over all candidates) above the median f of the other cluster.
 *       Without this guard K-means always splits in two and flags clean models in attack-free rounds.
 *       At least 3 usable candidates are needed to compare; with fewer, MNIA flags nobody (and says so).</li>
 *   <li>Verdict propagation: when a flagged candidate is the sampled member of an LMCA cluster, the rest of that
 *       cluster is inspected too ({@link Propagation#INSPECT}, default): each member's point is computed with the
 *       same z-scoring and it is flagged when it lies nearer the malicious centre than the benign one. Option
 *       {@link Propagation#CLUSTER}: flag the whole cluster without inspecting it.</li>
 * </ol>
 */
public final class NeuronInspection {

    /** How a flagged sampled member's LMCA cluster is handled. */
    public enum Propagation { INSPECT, CLUSTER }

    /** Which deviations of the features raise suspicion. */
    public enum Orientation {
        /** The paper's reading: only "less correlated" and "more stable" (s = −z). */
        PAPER,
        /** Any deviation from the other candidates, either way (s = |z|). */
        TWO_SIDED
    }

    /** How the features are put on one scale before eq. (8). */
    public enum Scaling {
        /** z-score over all candidates × classes (mean, standard deviation). */
        POOLED,
        /** Per class, robust z-score across the candidates: (x − median) / (1.4826·MAD). */
        PER_CLASS
    }

    /** Which class's features form a model's point. */
    public enum PointOf {
        /** The suspect class: the class with the largest f. */
        SUSPECT_CLASS,
        /** The mean over all classes (a model-level deviation). */
        CLASS_MEAN
    }

    /** Which candidates of a separated secondary clustering are flagged. */
    public enum Rule {
        /** Every member of the separated malicious cluster (the interpretation). */
        CLUSTER,
        /**
         * Every candidate whose own f lies more than {@code guard} robust standard deviations above the benign
         * cluster's median f (each model judged on its own point; K-means can split a group of very different
         * attackers and leave some in the "benign" cluster).
         */
        MEMBER
    }

    /** Which models define "normal" (the z-scores' centre and spread, and the robust scale of f). */
    public enum Reference {
        /** All usable candidates (the interpretation). */
        CANDIDATES,
        /**
         * LMCA's randomly sampled cluster members (a random sample of the non-outliers), when at least
         * {@link #MIN_CANDIDATES} are usable, else all candidates: outliers are judged against the typical
         * population instead of inflating the spread they are measured with.
         */
        SAMPLED
    }

    /**
     * How the features become a point (orientation, scaling, aggregation over classes, reference) and how points
     * become verdicts (rule). {@link #PAPER} is the interpretation's reading.
     */
    public record Scoring(Orientation orientation, Scaling scaling, PointOf pointOf, Rule rule, Reference reference) {

        /** The first reading (docs/BADFL.md): s = −z, pooled z-scores, the suspect class's point, whole cluster. */
        public static final Scoring PAPER = new Scoring(Orientation.PAPER, Scaling.POOLED, PointOf.SUSPECT_CLASS,
            Rule.CLUSTER, Reference.CANDIDATES);

        /**
         * The measured default (docs/BADFL.md): any deviation counts (two-sided), robust per-class z-scores
         * against LMCA's sampled members, the suspect class's point, each candidate judged on its own anomaly
         * index.
         */
        public static final Scoring DEVIATION = new Scoring(Orientation.TWO_SIDED, Scaling.PER_CLASS,
            PointOf.SUSPECT_CLASS, Rule.MEMBER, Reference.SAMPLED);

        public Scoring {
            if (orientation == null || scaling == null || pointOf == null || rule == null || reference == null) {
                throw new IllegalArgumentException("badfl: orientation, scaling, point, rule and reference must be "
                    + "given");
            }
        }
    }

    /**
     * Default guard: 3 robust standard deviations (measured, docs/BADFL.md; the interpretation's 2, the Neural
     * Cleanse anomaly-index convention, flagged benign models in most attack-free rounds).
     */
    public static final double DEFAULT_GUARD = 3.0;
    /** The interpretation's guard. */
    public static final double INTERPRETATION_GUARD = 2.0;
    /** Floor of the robust scale, in z-score units (identical candidates have MAD 0). */
    static final double MIN_SCALE = 1e-6;
    /** Fewest usable candidates the secondary clustering compares. */
    public static final int MIN_CANDIDATES = 3;

    /** Features of a round's update row, computed on demand (e.g. by inspecting G + Δ_row). */
    @FunctionalInterface
    public interface FeatureSource {
        ModelFeatures features(int row);
    }

    private final double lambdaCo;
    private final double lambdaSt;
    private final Stability stability;
    private final double guard;
    private final double propagatedGuard;
    private final Propagation propagation;
    private final Scoring scoring;

    /**
     * @param lambdaCo    weight λ_co ≥ 0 of the correlation score in eq. (8) (default 1)
     * @param lambdaSt    weight λ_st ≥ 0 of the stability score (default 1); λ_co + λ_st &gt; 0
     * @param stability   reading of eq. (7) (default {@link Stability#XOR})
     * @param guard       separation in robust standard deviations a malicious cluster needs, &gt; 0 (default 2)
     * @param propagation handling of a flagged sampled member's cluster (default {@link Propagation#INSPECT})
     * @param scoring     how features become points (default {@link Scoring#PAPER})
     * @param propagatedGuard under {@link Rule#MEMBER}: the anomaly index a member inspected because its cluster's
     *                    sampled member was flagged needs, ≥ guard (candidates need {@code guard}); default
     *                    guard (a stricter one lost DBA detections, docs/BADFL.md); unused by {@link Rule#CLUSTER}
     */
    public NeuronInspection(double lambdaCo, double lambdaSt, Stability stability, double guard,
                            Propagation propagation, Scoring scoring, double propagatedGuard) {
        if (!(lambdaCo >= 0) || !(lambdaSt >= 0) || !(lambdaCo + lambdaSt > 0) || Double.isInfinite(lambdaCo)
            || Double.isInfinite(lambdaSt)) {
            throw new IllegalArgumentException("badfl: lambda-co and lambda-st must be finite, >= 0 and not both 0, got "
                + lambdaCo + " and " + lambdaSt);
        }
        if (!(guard > 0) || Double.isInfinite(guard)) {
            throw new IllegalArgumentException("badfl: guard must be finite and > 0, got " + guard);
        }
        if (stability == null || propagation == null || scoring == null) {
            throw new IllegalArgumentException("badfl: stability, propagation and scoring must be given");
        }
        if (!(propagatedGuard >= guard) || Double.isInfinite(propagatedGuard)) {
            throw new IllegalArgumentException("badfl: propagated-guard must be finite and >= guard (" + guard + "), got "
                + propagatedGuard);
        }
        this.propagatedGuard = propagatedGuard;
        this.lambdaCo = lambdaCo;
        this.lambdaSt = lambdaSt;
        this.stability = stability;
        this.guard = guard;
        this.propagation = propagation;
        this.scoring = scoring;
    }

    /** One guard for every inspected model (propagated-guard = guard). */
    public NeuronInspection(double lambdaCo, double lambdaSt, Stability stability, double guard,
                            Propagation propagation, Scoring scoring) {
        this(lambdaCo, lambdaSt, stability, guard, propagation, scoring, guard);
    }

    /** The paper's scoring with the given weights, stability reading, guard and propagation. */
    public NeuronInspection(double lambdaCo, double lambdaSt, Stability stability, double guard,
                            Propagation propagation) {
        this(lambdaCo, lambdaSt, stability, guard, propagation, Scoring.PAPER);
    }

    /**
     * The defaults: λ_co = λ_st = 1, pairwise stability, guard 3 (for propagated members too), deviation scoring,
     * inspect propagated clusters.
     */
    public NeuronInspection() {
        this(1, 1, Stability.PAIRWISE, DEFAULT_GUARD, Propagation.INSPECT, Scoring.DEVIATION);
    }

    /** The interpretation's reading: λ_co = λ_st = 1, XOR stability, guard 2, paper scoring, inspect clusters. */
    public static NeuronInspection interpretation() {
        return new NeuronInspection(1, 1, Stability.XOR, INTERPRETATION_GUARD, Propagation.INSPECT, Scoring.PAPER);
    }

    /**
     * A model's point for the secondary clustering.
     *
     * @param suspectClass     the class with the largest f
     * @param correlationScore s_co = −z(correlation) of that class
     * @param stabilityScore   s_st = −z(stability) of that class
     * @param f                eq. (8) of that class
     */
    public record Point(int suspectClass, double correlationScore, double stabilityScore, double f) {

        double[] coordinates() {
            return new double[] {correlationScore, stabilityScore, f};
        }
    }

    /**
     * What MNIA concluded about one inspected row.
     *
     * @param row     the update row
     * @param flagged judged malicious
     * @param point   its point (null when its maps were not finite or it was flagged with its cluster uninspected)
     * @param reason  e.g. "MNIA: class 0 f=4.1, malicious cluster (separation 5.3 > 2)"
     */
    public record Judgement(int row, boolean flagged, Point point, String reason) {
    }

    /**
     * MNIA's outcome for one round.
     *
     * @param judgements  per judged row (inspected candidates, then propagated members), in the order judged
     * @param separated   whether the secondary clustering found a separated malicious cluster
     * @param separation  (mean f of the suspect cluster − median f of the other) / robust scale; NaN when not
     *                    computed
     * @param inspections models inspected (saliency computed)
     * @param note        what a user should know (too few candidates, ...), empty otherwise
     */
    public record Result(Map<Integer, Judgement> judgements, boolean separated, double separation, int inspections,
                         String note) {

        /** Rows flagged, increasing. */
        public int[] flagged() {
            return judgements.values().stream().filter(Judgement::flagged).mapToInt(Judgement::row).sorted().toArray();
        }
    }

    /**
     * Runs Algorithm 2 on LMCA's candidates.
     *
     * @param lmca     LMCA's result for this round
     * @param source   features of a row (called at most once per row)
     * @param seed     the round's seed (the secondary K-means derives from it)
     */
    public Result run(Lmca.Result lmca, FeatureSource source, long seed) {
        Map<Integer, Judgement> judgements = new LinkedHashMap<>();
        int inspections = 0;

        // Lines 3-5: features of every candidate.
        List<Integer> usable = new ArrayList<>();
        List<ModelFeatures> usableFeatures = new ArrayList<>();
        for (int row : lmca.candidates()) {
            ModelFeatures mf = source.features(row);
            inspections++;
            if (mf.usable()) {
                usable.add(row);
                usableFeatures.add(mf);
            } else {
                judgements.put(row, new Judgement(row, true, null, "MNIA: " + mf.problem()));
            }
        }
        if (usable.size() < MIN_CANDIDATES) {
            for (int row : usable) {
                judgements.put(row, new Judgement(row, false, null, "MNIA: not judged (" + usable.size()
                    + " usable candidates, " + MIN_CANDIDATES + " needed to compare)"));
            }
            String note = usable.size() + " usable inspection candidate" + (usable.size() == 1 ? "" : "s")
                + ": too few for MNIA's secondary clustering, nobody flagged by saliency";
            Result partial = new Result(judgements, false, Double.NaN, inspections, note);
            return propagateUninspectable(lmca, source, partial);
        }

        // Line 6: z-scoring over candidates x classes (or the reference), eq. (8), one point per model.
        List<ModelFeatures> referenceFeatures = new ArrayList<>();
        boolean[] inReference = new boolean[usable.size()];
        if (scoring.reference() == Reference.SAMPLED) {
            for (int a = 0; a < usable.size(); a++) {
                if (lmca.isRepresentative(usable.get(a))) {
                    inReference[a] = true;
                    referenceFeatures.add(usableFeatures.get(a));
                }
            }
        }
        if (referenceFeatures.size() < MIN_CANDIDATES) {
            referenceFeatures = usableFeatures;
            Arrays.fill(inReference, true);
        }
        boolean ownReference = scoring.reference() == Reference.SAMPLED && referenceFeatures != usableFeatures;
        Scale scale = Scale.of(referenceFeatures, stability, scoring.scaling());
        Point[] points = new Point[usable.size()];
        double[][] coordinates = new double[usable.size()][];
        for (int a = 0; a < points.length; a++) {
            points[a] = point(usableFeatures.get(a), scale);
            coordinates[a] = points[a].coordinates();
        }

        // Line 7: secondary K-means (k = 2) with the separation guard.
        KMeans.Result km = new KMeans(2).fit(coordinates, Seeds.derive(seed, "badfl:mnia-kmeans"));
        int suspect = suspectCluster(km, points);
        double[] referenceF = new double[usable.size()];
        int r = 0;
        for (int a = 0; a < points.length; a++) {
            if (inReference[a]) {
                referenceF[r++] = points[a].f();
            }
        }
        referenceF = Arrays.copyOf(referenceF, r);
        double robust = Math.max(MIN_SCALE, 1.4826 * mad(referenceF));
        double separation = Double.NaN;
        boolean separated = false;
        double benignMedian = Double.NaN;
        if (km.centres().length == 2) {
            double[] benignF = fOf(points, km.assignments(), 1 - suspect);
            double[] suspectF = fOf(points, km.assignments(), suspect);
            if (benignF.length > 0 && suspectF.length > 0) {
                // Benign side: the reference's median with its own reference, else the benign cluster's.
                benignMedian = ownReference ? Lmca.median(referenceF) : Lmca.median(benignF);
                separation = (mean(suspectF) - benignMedian) / robust;
                separated = separation > guard;
            }
        }
        for (int a = 0; a < points.length; a++) {
            boolean flagged = separated && (scoring.rule() == Rule.CLUSTER ? km.assignments()[a] == suspect
                : (points[a].f() - benignMedian) / robust > guard);
            judgements.put(usable.get(a), new Judgement(usable.get(a), flagged, points[a],
                describe(points[a], flagged, separated, separation, (points[a].f() - benignMedian) / robust)));
        }

        // Verdict propagation into the LMCA clusters of flagged sampled members.
        double[][] centres = km.centres();
        int benign = 1 - suspect;
        List<Integer> flaggedRepresentatives = new ArrayList<>();
        for (Judgement j : judgements.values()) {
            if (j.flagged() && lmca.isRepresentative(j.row())) {
                flaggedRepresentatives.add(j.row());
            }
        }
        for (int rep : flaggedRepresentatives) {
            for (int member : lmca.members(lmca.clusterOf()[rep])) {
                if (judgements.containsKey(member)) {
                    continue;
                }
                if (propagation == Propagation.CLUSTER) {
                    judgements.put(member, new Judgement(member, true, null, "MNIA: LMCA cluster "
                        + lmca.clusterOf()[rep] + " flagged with its sampled member " + rep + " (not inspected)"));
                    continue;
                }
                ModelFeatures mf = source.features(member);
                inspections++;
                if (!mf.usable()) {
                    judgements.put(member, new Judgement(member, true, null, "MNIA: " + mf.problem()));
                    continue;
                }
                Point p = point(mf, scale);
                String why;
                boolean flagged;
                if (scoring.rule() == Rule.CLUSTER) {
                    flagged = centres.length == 2 && squaredDistance(p.coordinates(), centres[suspect])
                        < squaredDistance(p.coordinates(), centres[benign]);
                    why = flagged ? ", nearer the malicious centre" : ", nearer the benign centre";
                } else {
                    double index = (p.f() - benignMedian) / robust;
                    flagged = index > propagatedGuard;
                    why = ", anomaly index " + fmt(index) + (flagged ? " > " : " <= ")
                        + (propagatedGuard == guard ? "guard " : "propagated-guard ") + fmt(propagatedGuard);
                }
                judgements.put(member, new Judgement(member, flagged, p, "MNIA: class " + p.suspectClass() + " f="
                    + fmt(p.f()) + why + " (cluster of flagged member " + rep + ")"));
            }
        }
        return new Result(judgements, separated, separation, inspections, "");
    }

    /** With too few usable candidates, a representative flagged for non-finite maps still takes its cluster along. */
    private Result propagateUninspectable(Lmca.Result lmca, FeatureSource source, Result partial) {
        Map<Integer, Judgement> judgements = new LinkedHashMap<>(partial.judgements());
        int inspections = partial.inspections();
        for (Judgement j : partial.judgements().values()) {
            if (!j.flagged() || !lmca.isRepresentative(j.row())) {
                continue;
            }
            for (int member : lmca.members(lmca.clusterOf()[j.row()])) {
                if (judgements.containsKey(member)) {
                    continue;
                }
                if (propagation == Propagation.CLUSTER) {
                    judgements.put(member, new Judgement(member, true, null, "MNIA: LMCA cluster flagged with its "
                        + "sampled member " + j.row() + " (not inspected)"));
                    continue;
                }
                ModelFeatures mf = source.features(member);
                inspections++;
                judgements.put(member, mf.usable()
                    ? new Judgement(member, false, null, "MNIA: not judged (too few usable candidates)")
                    : new Judgement(member, true, null, "MNIA: " + mf.problem()));
            }
        }
        return new Result(judgements, false, Double.NaN, inspections, partial.note());
    }

    private String describe(Point p, boolean flagged, boolean separated, double separation, double index) {
        String head = "MNIA: class " + p.suspectClass() + " f=" + fmt(p.f());
        if (scoring.rule() == Rule.MEMBER && separated) {
            return head + ", anomaly index " + fmt(index) + (flagged ? " > " : " <= ") + "guard " + fmt(guard)
                + " (separation " + fmt(separation) + ")";
        }
        if (flagged) {
            return head + ", malicious cluster (separation " + fmt(separation) + " > guard " + fmt(guard) + ")";
        }
        if (separated) {
            return head + ", benign cluster";
        }
        return head + ", no separated cluster (separation " + fmt(separation) + " <= guard " + fmt(guard) + ")";
    }

    /**
     * Centre and spread of both features (for the z-scores): pooled over all models × classes (one centre and
     * spread per feature, mean and standard deviation), or per class (median and 1.4826·MAD across the models).
     */
    record Scale(double[] centreCo, double[] spreadCo, double[] centreSt, double[] spreadSt, Stability mode) {

        static Scale of(List<ModelFeatures> models, Stability mode, Scaling scaling) {
            int classes = models.get(0).classes().length;
            if (scaling == Scaling.POOLED) {
                int count = 0;
                double sumCo = 0;
                double sumSt = 0;
                for (ModelFeatures m : models) {
                    for (ClassFeatures c : m.classes()) {
                        sumCo += c.correlation();
                        sumSt += c.stability(mode);
                        count++;
                    }
                }
                double meanCo = sumCo / count;
                double meanSt = sumSt / count;
                double ssCo = 0;
                double ssSt = 0;
                for (ModelFeatures m : models) {
                    for (ClassFeatures c : m.classes()) {
                        ssCo += (c.correlation() - meanCo) * (c.correlation() - meanCo);
                        ssSt += (c.stability(mode) - meanSt) * (c.stability(mode) - meanSt);
                    }
                }
                return new Scale(filled(classes, meanCo), filled(classes, Math.sqrt(ssCo / count)),
                    filled(classes, meanSt), filled(classes, Math.sqrt(ssSt / count)), mode);
            }
            double[] cCo = new double[classes];
            double[] sCo = new double[classes];
            double[] cSt = new double[classes];
            double[] sSt = new double[classes];
            double[] co = new double[models.size()];
            double[] st = new double[models.size()];
            for (int k = 0; k < classes; k++) {
                for (int m = 0; m < models.size(); m++) {
                    co[m] = models.get(m).classes()[k].correlation();
                    st[m] = models.get(m).classes()[k].stability(mode);
                }
                cCo[k] = Lmca.median(co);
                sCo[k] = 1.4826 * mad(co);
                cSt[k] = Lmca.median(st);
                sSt[k] = 1.4826 * mad(st);
            }
            return new Scale(cCo, sCo, cSt, sSt, mode);
        }

        private static double[] filled(int n, double v) {
            double[] a = new double[n];
            Arrays.fill(a, v);
            return a;
        }

        /** z-score, 0 when the feature does not vary. */
        static double z(double value, double centre, double spread) {
            return spread > 0 ? (value - centre) / spread : 0;
        }
    }

    /**
     * Eq. (8) per class, oriented so that suspicious = high; the model's point is the suspect class's (s_co, s_st,
     * f) or the mean over classes.
     */
    Point point(ModelFeatures features, Scale scale) {
        ClassFeatures[] classes = features.classes();
        if (classes.length == 0) {
            throw new IllegalArgumentException("model inspector: a model has no classes");
        }
        Point best = null;
        double sumCo = 0;
        double sumSt = 0;
        double sumF = 0;
        for (int c = 0; c < classes.length; c++) {
            double zCo = Scale.z(classes[c].correlation(), scale.centreCo()[c], scale.spreadCo()[c]);
            double zSt = Scale.z(classes[c].stability(stability), scale.centreSt()[c], scale.spreadSt()[c]);
            double sCo = scoring.orientation() == Orientation.PAPER ? -zCo : Math.abs(zCo);
            double sSt = scoring.orientation() == Orientation.PAPER ? -zSt : Math.abs(zSt);
            double f = lambdaCo * sCo + lambdaSt * sSt;
            sumCo += sCo;
            sumSt += sSt;
            sumF += f;
            if (best == null || f > best.f()) {
                best = new Point(c, sCo, sSt, f);
            }
        }
        if (scoring.pointOf() == PointOf.CLASS_MEAN) {
            int k = classes.length;
            return new Point(best.suspectClass(), sumCo / k, sumSt / k, sumF / k);
        }
        return best;
    }

    /** Cluster with the higher mean f (cluster 0 when K-means made one cluster). */
    private static int suspectCluster(KMeans.Result km, Point[] points) {
        if (km.centres().length < 2) {
            return 0;
        }
        double[] f0 = fOf(points, km.assignments(), 0);
        double[] f1 = fOf(points, km.assignments(), 1);
        if (f0.length == 0) {
            return 1;
        }
        if (f1.length == 0) {
            return 0;
        }
        return mean(f1) > mean(f0) ? 1 : 0;
    }

    private static double[] fOf(Point[] points, int[] assignments, int cluster) {
        List<Double> out = new ArrayList<>();
        for (int a = 0; a < points.length; a++) {
            if (assignments[a] == cluster) {
                out.add(points[a].f());
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    /** Median absolute deviation from the median. */
    static double mad(double[] v) {
        double med = Lmca.median(v);
        double[] dev = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            dev[i] = Math.abs(v[i] - med);
        }
        return Lmca.median(dev);
    }

    private static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s;
    }

    public double guard() {
        return guard;
    }

    public Stability stability() {
        return stability;
    }

    public Propagation propagation() {
        return propagation;
    }

    public Scoring scoring() {
        return scoring;
    }
}
