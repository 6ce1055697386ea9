package org.badfl.server.defenses;

import org.badfl.server.DefenseOptions;
import static org.badfl.server.defenses.DefenseSupport.fmt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.badfl.engine.Compute;
import org.badfl.server.AggregationKernels;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Divide-and-Conquer, DnC (Shejwalkar, Houmansadr, "Manipulating the Byzantine: optimizing model poisoning
 * attacks and defenses for federated learning", NDSS 2021, Algorithm 2). In each of {@code iterations} rounds of
 * filtering:
 * <ol>
 *   <li>draw b = max(1, ⌊fraction·P⌋) of the P trainable coordinates without replacement (from the round seed);</li>
 *   <li>centre the sub-sampled updates, c_i = x_i − μ, μ their mean;</li>
 *   <li>v = the top right singular vector of C = [c_1; …; c_n]; outlier score s_i = ⟨c_i, v⟩²;</li>
 *   <li>keep the n − ⌊c·f⌋ lowest scores (lowest index on ties).</li>
 * </ol>
 * G ← G + plain mean of the updates kept in every iteration (the intersection), every coordinate.
 * <p>Computation: ⟨c_i, v⟩² = λ₁·u_i² where (λ₁, u) is the top eigenpair of C·Cᵀ = J·K·J (K the Gram matrix of
 * the sub-sampled updates, J = I − 11ᵀ/n), so each iteration reads only the b sampled coordinates of every row
 * into an n×n Gram matrix (gathered block by block, {@link AggregationKernels#gram}) and takes one n×n symmetric eigendecomposition (EJML). The
 * sign of v is irrelevant (scores are squares); when λ₁ is a repeated eigenvalue, v, like numpy's SVD, is one
 * vector of the top eigenspace.
 * <p>No code of the authors' defense is public (their repository holds the attacks); FLPoison
 * ({@code aggregators/dnc.py}) implements the algorithm as written, with b as a fraction 0.2 of the parameters,
 * 5 iterations and c = 1; those are the defaults here. f: a fixed number of attackers (the paper assumes it
 * known, FLPoison reads its scenario's number of attackers), or {@link #AUTO_F} = ⌊n/5⌋ per round (the adversary
 * share 0.2 of most FLPoison configurations; removing the largest minority in each of 5 iterations would often
 * leave nobody). A round where ⌊c·f⌋ ≥ n is an error naming the bound. An empty intersection leaves G unchanged
 * with a note.
 * <p>Verdicts: kept accepted; removed rejected and flagged, the reason giving the first iteration that removed it.
 */
public final class DnC implements Defense {

    /** f chosen per round as ⌊n/5⌋ (the adversary share 0.2 of most FLPoison configurations). */
    public static final int AUTO_F = -1;
    public static final double DEFAULT_FRACTION = 0.2;
    public static final int DEFAULT_ITERATIONS = 5;
    public static final double DEFAULT_FILTER = 1.0;

    /** Sampled coordinates gathered per Gram call (n·BLOCK floats of scratch). */
    static final int BLOCK = 1 << 16;

    private final int f;
    private final double fraction;
    private final int iterations;
    private final double filter;

    /**
     * @param f          attackers ≥ 0, or {@link #AUTO_F}
     * @param fraction   share of the trainable coordinates sampled per iteration, in (0, 1]
     * @param iterations filtering iterations ≥ 1
     * @param filter     c &gt; 0: ⌊c·f⌋ updates removed per iteration
     */
    public DnC(int f, double fraction, int iterations, double filter) {
        DefenseSupport.require(f >= 0 || f == AUTO_F, "dnc", "f", ">= 0 or auto", f);
        DefenseSupport.require(fraction > 0 && fraction <= 1, "dnc", "fraction", "in (0, 1]", fraction);
        DefenseSupport.require(iterations >= 1, "dnc", "iterations", ">= 1", iterations);
        DefenseSupport.require(filter > 0 && Double.isFinite(filter), "dnc", "filter", "finite and > 0", filter);
        this.f = f;
        this.fraction = fraction;
        this.iterations = iterations;
        this.filter = filter;
    }

    /** f = auto, fraction 0.2, 5 iterations, c = 1. */
    public DnC() {
        this(AUTO_F, DEFAULT_FRACTION, DEFAULT_ITERATIONS, DEFAULT_FILTER);
    }

    /** Options {@code f} (auto), {@code fraction} (0.2), {@code iterations} (5), {@code filter} (1.0). */
    public static DnC fromOptions(Map<String, String> options) {
        DefenseOptions o = new DefenseOptions("dnc", options);
        DnC d = new DnC(o.getIntOrAuto("f", AUTO_F), o.getDouble("fraction", DEFAULT_FRACTION),
            o.getInt("iterations", DEFAULT_ITERATIONS), o.getDouble("filter", DEFAULT_FILTER));
        o.rejectUnknown();
        return d;
    }

    @Override
    public String name() {
        return "dnc";
    }

    @Override
    public boolean flagsClients() {
        return true;
    }

    /** Updates removed per iteration for n updates, ⌊c·f⌋; throws when it leaves none. */
    public int removedFor(int n) {
        int fr = f == AUTO_F ? n / 5 : f;
        int removed = (int) Math.floor(filter * fr);
        if (removed >= n) {
            throw new IllegalArgumentException("dnc: filter·f = " + fmt(filter) + "·" + fr + " removes " + removed
                + " updates per iteration, needs fewer than n = " + n);
        }
        return removed;
    }

    /** Outlier scores λ₁·u_i² from the Gram matrix K (row-major n×n) of the sub-sampled updates. */
    static double[] scores(double[] gram, int n) {
        double[] rowMean = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += gram[i * n + j];
            }
            rowMean[i] = s / n;
            total += s;
        }
        double mean = total / ((double) n * n);
        DMatrixRMaj centred = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double c = gram[i * n + j] - rowMean[i] - rowMean[j] + mean;
                centred.set(i, j, c);
                centred.set(j, i, c); // exactly symmetric, as the symmetric eigensolver requires
            }
        }
        EigenDecomposition_F64<DMatrixRMaj> eigen = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eigen.decompose(centred)) {
            throw new ArithmeticException("dnc: eigendecomposition of the " + n + "x" + n + " centred Gram matrix "
                + "did not converge");
        }
        int top = 0;
        for (int k = 1; k < n; k++) {
            if (eigen.getEigenvalue(k).getReal() > eigen.getEigenvalue(top).getReal()) {
                top = k;
            }
        }
        double lambda = Math.max(0.0, eigen.getEigenvalue(top).getReal());
        DMatrixRMaj u = eigen.getEigenVector(top);
        double[] s = new double[n];
        if (u == null) {
            return s;
        }
        double norm = 0;
        for (int i = 0; i < n; i++) {
            norm += u.get(i) * u.get(i);
        }
        for (int i = 0; i < n; i++) {
            s[i] = norm == 0 ? 0 : lambda * u.get(i) * u.get(i) / norm;
        }
        return s;
    }

    /** b distinct coordinates of the trainable ranges, ascending, drawn by a partial Fisher-Yates. */
    static int[] sample(int[] ranges, int trainable, int b, SplittableRandom rng) {
        int[] positions = new int[trainable];
        for (int t = 0; t < trainable; t++) {
            positions[t] = t;
        }
        for (int k = 0; k < b; k++) {
            int j = k + rng.nextInt(trainable - k);
            int tmp = positions[k];
            positions[k] = positions[j];
            positions[j] = tmp;
        }
        int[] chosen = Arrays.copyOf(positions, b);
        Arrays.sort(chosen);
        // trainable position → layout coordinate
        int[] coordinates = new int[b];
        int r = 0;
        int start = 0;
        for (int k = 0; k < b; k++) {
            while (chosen[k] >= start + (ranges[r + 1] - ranges[r])) {
                start += ranges[r + 1] - ranges[r];
                r += 2;
            }
            coordinates[k] = ranges[r] + (chosen[k] - start);
        }
        return coordinates;
    }

    /**
     * Gram matrix of the rows restricted to {@code coordinates}: the sampled columns are gathered block by block
     * ({@value #BLOCK} coordinates, rows gathered in parallel) into a fresh dense n × block scratch whose Gram
     * {@code kernels} computes; the block Grams are summed in block order, so the result does not depend on threads.
     */
    static double[] gram(float[][] rows, int[] coordinates, AggregationKernels kernels, Compute compute) {
        int n = rows.length;
        double[] g = new double[n * n];
        if (n == 0 || coordinates.length == 0) {
            return g;
        }
        for (int from = 0; from < coordinates.length; from += BLOCK) {
            int start = from;
            int length = Math.min(BLOCK, coordinates.length - from);
            // A fresh scratch per block: rows handed to the kernels must not change within a round (a device
            // implementation may answer a repeated call on the same row arrays from its cached Gram).
            float[][] scratch = new float[n][length];
            compute.parallelFor(n, i -> {
                float[] row = rows[i];
                float[] gathered = scratch[i];
                for (int k = 0; k < length; k++) {
                    gathered[k] = row[coordinates[start + k]];
                }
            });
            double[] part = kernels.gram(scratch, new int[] {0, length});
            for (int e = 0; e < g.length; e++) {
                g[e] += part[e];
            }
        }
        return g;
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        if (n == 0) {
            return DefenseSupport.emptyRound(input);
        }
        int removed = removedFor(n);
        int trainable = input.layout().trainableSize();
        if (trainable == 0) {
            throw new IllegalArgumentException("dnc: the layout has no trainable parameters to sub-sample");
        }
        int b = (int) Math.max(1, Math.floor(fraction * trainable));
        int[] ranges = input.layout().trainableRanges();
        float[][] rows = updates.rows();
        SplittableRandom rng = new SplittableRandom(input.seed());
        boolean[] kept = new boolean[n];
        Arrays.fill(kept, true);
        int[] removedIn = new int[n];
        double[][] scoresBy = new double[iterations][];
        for (int it = 0; it < iterations; it++) {
            int[] coordinates = sample(ranges, trainable, b, rng);
            double[] s = scores(gram(rows, coordinates, input.context().kernels(), input.context().compute()), n);
            scoresBy[it] = s;
            int[] order = IntStream.range(0, n).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> s[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
            for (int r = n - removed; r < n; r++) {
                int i = order[r];
                if (kept[i]) {
                    kept[i] = false;
                    removedIn[i] = it;
                }
            }
        }
        int count = 0;
        for (boolean k : kept) {
            count += k ? 1 : 0;
        }
        List<ClientVerdict> verdicts = new ArrayList<>(n);
        double[] weights = new double[n];
        for (int i = 0; i < n; i++) {
            int id = updates.clientId(i);
            if (kept[i]) {
                weights[i] = 1.0 / count;
                verdicts.add(ClientVerdict.accepted(id));
            } else {
                verdicts.add(ClientVerdict.rejected(id, true, "outlier score " + fmt(scoresBy[removedIn[i]][i])
                    + " among the " + removed + " highest in iteration " + (removedIn[i] + 1)));
            }
        }
        float[] next = input.global().clone();
        if (count == 0) {
            return new RoundResult(next, verdicts, "no update survived all " + iterations
                + " DnC iterations: G unchanged");
        }
        input.context().kernels().accumulate(rows, weights, next);
        return new RoundResult(next, verdicts, "");
    }
}
