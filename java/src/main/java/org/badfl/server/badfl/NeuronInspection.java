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
 * by BADFL-INTERPRETATION.md §2. Judges the candidates picked by {@link Lmca} from their saliency features
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

    /** Default guard: 2 robust standard deviations (the Neural Cleanse anomaly-index convention). */
    public static final double DEFAULT_GUARD = 2.0;
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
    private final Propagation propagation;

    /**
     * @param lambdaCo    weight λ_co ≥ 0 of the correlation score in eq. (8) (default 1)
     * @param lambdaSt    weight λ_st ≥ 0 of the stability score (default 1); λ_co + λ_st &gt; 0
     * @param stability   reading of eq. (7) (default {@link Stability#XOR})
     * @param guard       separation in robust standard deviations a malicious cluster needs, &gt; 0 (default 2)
     * @param propagation handling of a flagged sampled member's cluster (default {@link Propagation#INSPECT})
     */
    public NeuronInspection(double lambdaCo, double lambdaSt, Stability stability, double guard,
                            Propagation propagation) {
        if (!(lambdaCo >= 0) || !(lambdaSt >= 0) || !(lambdaCo + lambdaSt > 0) || Double.isInfinite(lambdaCo)
            || Double.isInfinite(lambdaSt)) {
            throw new IllegalArgumentException("badfl: lambda-co and lambda-st must be finite, >= 0 and not both 0, got "
                + lambdaCo + " and " + lambdaSt);
        }
        if (!(guard > 0) || Double.isInfinite(guard)) {
            throw new IllegalArgumentException("badfl: guard must be finite and > 0, got " + guard);
        }
        if (stability == null || propagation == null) {
            throw new IllegalArgumentException("badfl: stability and propagation must be given");
        }
        this.lambdaCo = lambdaCo;
        this.lambdaSt = lambdaSt;
        this.stability = stability;
        this.guard = guard;
        this.propagation = propagation;
    }

    /** The defaults: λ_co = λ_st = 1, XOR stability, guard 2, inspect propagated clusters. */
    public NeuronInspection() {
        this(1, 1, Stability.XOR, DEFAULT_GUARD, Propagation.INSPECT);
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

        // Line 6: z-scoring over candidates x classes, eq. (8), one point per model.
        Scale scale = Scale.of(usableFeatures, stability);
        Point[] points = new Point[usable.size()];
        double[][] coordinates = new double[usable.size()][];
        for (int a = 0; a < points.length; a++) {
            points[a] = point(usableFeatures.get(a), scale);
            coordinates[a] = points[a].coordinates();
        }

        // Line 7: secondary K-means (k = 2) with the separation guard.
        KMeans.Result km = new KMeans(2).fit(coordinates, Seeds.derive(seed, "badfl:mnia-kmeans"));
        int suspect = suspectCluster(km, points);
        double[] allF = Arrays.stream(points).mapToDouble(Point::f).toArray();
        double robust = Math.max(MIN_SCALE, 1.4826 * mad(allF));
        double separation = Double.NaN;
        boolean separated = false;
        if (km.centres().length == 2) {
            double[] benignF = fOf(points, km.assignments(), 1 - suspect);
            double[] suspectF = fOf(points, km.assignments(), suspect);
            if (benignF.length > 0 && suspectF.length > 0) {
                separation = (mean(suspectF) - Lmca.median(benignF)) / robust;
                separated = separation > guard;
            }
        }
        for (int a = 0; a < points.length; a++) {
            boolean flagged = separated && km.assignments()[a] == suspect;
            judgements.put(usable.get(a), new Judgement(usable.get(a), flagged, points[a],
                describe(points[a], flagged, separated, separation)));
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
                boolean flagged = centres.length == 2
                    && squaredDistance(p.coordinates(), centres[suspect])
                    < squaredDistance(p.coordinates(), centres[benign]);
                judgements.put(member, new Judgement(member, flagged, p, "MNIA: class " + p.suspectClass() + " f="
                    + fmt(p.f()) + (flagged ? ", nearer the malicious centre" : ", nearer the benign centre")
                    + " (cluster of flagged member " + rep + ")"));
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

    private String describe(Point p, boolean flagged, boolean separated, double separation) {
        String head = "MNIA: class " + p.suspectClass() + " f=" + fmt(p.f());
        if (flagged) {
            return head + ", malicious cluster (separation " + fmt(separation) + " > guard " + fmt(guard) + ")";
        }
        if (separated) {
            return head + ", benign cluster";
        }
        return head + ", no separated cluster (separation " + fmt(separation) + " <= guard " + fmt(guard) + ")";
    }

    /** Mean and standard deviation of both features over all models × classes (for the z-scores). */
    record Scale(double meanCo, double sdCo, double meanSt, double sdSt, Stability mode) {

        static Scale of(List<ModelFeatures> models, Stability mode) {
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
            double meanCo = count == 0 ? 0 : sumCo / count;
            double meanSt = count == 0 ? 0 : sumSt / count;
            double ssCo = 0;
            double ssSt = 0;
            for (ModelFeatures m : models) {
                for (ClassFeatures c : m.classes()) {
                    ssCo += (c.correlation() - meanCo) * (c.correlation() - meanCo);
                    ssSt += (c.stability(mode) - meanSt) * (c.stability(mode) - meanSt);
                }
            }
            return new Scale(meanCo, count == 0 ? 0 : Math.sqrt(ssCo / count), meanSt,
                count == 0 ? 0 : Math.sqrt(ssSt / count), mode);
        }

        /** z-score, 0 when the feature does not vary. */
        static double z(double value, double mean, double sd) {
            return sd > 0 ? (value - mean) / sd : 0;
        }
    }

    /** Eq. (8) per class with the orientation "suspicious = high"; the point of the class with the largest f. */
    Point point(ModelFeatures features, Scale scale) {
        ClassFeatures[] classes = features.classes();
        Point best = null;
        for (int c = 0; c < classes.length; c++) {
            double sCo = -Scale.z(classes[c].correlation(), scale.meanCo(), scale.sdCo());
            double sSt = -Scale.z(classes[c].stability(stability), scale.meanSt(), scale.sdSt());
            double f = lambdaCo * sCo + lambdaSt * sSt;
            if (best == null || f > best.f()) {
                best = new Point(c, sCo, sSt, f);
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("model inspector: a model has no classes");
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
}
