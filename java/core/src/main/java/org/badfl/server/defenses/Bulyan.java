package org.badfl.server.defenses;

import org.badfl.server.DefenseOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.detect.GramMatrix;

/**
 * Bulyan (El Mhamdi, Guerraoui, Rouault, "The hidden vulnerability of distributed learning in Byzantium", ICML
 * 2018, §4), over {@link Krum}:
 * <ol>
 *   <li>Selection: θ = n − 2f updates, chosen one at a time by Krum on the updates not yet chosen (each Krum
 *       round scores with the |R| − f − 2 nearest squared distances within the remaining set R, at least 1;
 *       lowest original index on ties). Distances over the trainable parameters, from one Gram matrix.</li>
 *   <li>Aggregation, per coordinate j over the θ selected: the β = θ − 2f = n − 4f values closest to their
 *       median (numpy's median, the midpoint for even θ; ties to the smaller value) are averaged:
 *       G[j] ← G[j] + mean of those β values. Every coordinate, BatchNorm running statistics included
 *       (as the coordinate-wise median).</li>
 * </ol>
 * Requires n ≥ 4f + 3 (the paper's condition); a fixed f that breaks it in a round is an error naming the bound.
 * f = {@link #AUTO_F} takes the largest f that satisfies it, ⌊(n − 3)/4⌋ (0 for n &lt; 7).
 * <p>FLPoison ({@code aggregators/bulyan.py}) departs from the paper in three ways; this class follows the paper:
 * it sets β = n − 2f (= θ, so the coordinate-wise stage averages all θ selected updates, no trimming); its Krum
 * scores sum the n − f − 1 smallest (unsquared) distances; and it reads the index Krum returns on the
 * reduced set as an index into the full set, so it may select an update twice and never one that the reduced
 * Krum chose. The condition n ≥ 4f + 3 is checked only on request there.
 * <p>Verdicts: the θ selected accepted; the others rejected and flagged. Sample counts are ignored (as in the
 * paper and FLPoison).
 */
public final class Bulyan implements Defense {

    /** f chosen per round as ⌊(n − 3)/4⌋. */
    public static final int AUTO_F = -1;

    /** Coordinates per parallel task of the coordinate-wise stage (fixed: results never depend on threads). */
    private static final int GRAIN = 1 << 14;

    private final int f;

    /** @param f tolerated attackers ≥ 0, or {@link #AUTO_F} */
    public Bulyan(int f) {
        DefenseSupport.require(f >= 0 || f == AUTO_F, "bulyan", "f", ">= 0 or auto", f);
        this.f = f;
    }

    /** f = auto. */
    public Bulyan() {
        this(AUTO_F);
    }

    /** Option {@code f} (an integer or {@code auto}, default auto); unknown keys rejected. */
    public static Bulyan fromOptions(Map<String, String> options) {
        DefenseOptions o = new DefenseOptions("bulyan", options);
        Bulyan b = new Bulyan(o.getIntOrAuto("f", AUTO_F));
        o.rejectUnknown();
        return b;
    }

    @Override
    public String name() {
        return "bulyan";
    }

    @Override
    public boolean flagsClients() {
        return true;
    }

    /** The f used for a round of n updates; throws when a fixed f breaks n ≥ 4f + 3. */
    public int attackersFor(int n) {
        if (f == AUTO_F) {
            return Math.max(0, (n - 3) / 4);
        }
        if (n < 4 * f + 3) {
            throw new IllegalArgumentException("bulyan: f = " + f + " needs n >= 4f + 3 = " + (4 * f + 3)
                + " updates, got n = " + n);
        }
        return f;
    }

    /**
     * Step 1: the θ = n − 2f rows chosen by iterated Krum, in the order chosen.
     *
     * @param gram Gram matrix of the n updates
     */
    public static int[] select(GramMatrix gram, int f) {
        int n = gram.size();
        int theta = n - 2 * f;
        List<Integer> remaining = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            remaining.add(i);
        }
        int[] chosen = new int[theta];
        for (int k = 0; k < theta; k++) {
            int[] r = remaining.stream().mapToInt(Integer::intValue).toArray();
            // Krum.ranking breaks ties by position in r, which is increasing original index.
            int best = r[Krum.ranking(Krum.scores(gram.select(r), f))[0]];
            chosen[k] = best;
            remaining.remove(Integer.valueOf(best));
        }
        return chosen;
    }

    /**
     * Mean of the {@code beta} values of {@code sorted} (ascending) closest to their median; ties go to the
     * smaller value.
     */
    static double meanClosestToMedian(double[] sorted, int beta) {
        int m = sorted.length;
        double median = (m & 1) == 1 ? sorted[m / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
        int lo = (m - 1) / 2; // last index whose value is <= the median
        int hi = lo + 1;
        double sum = 0;
        for (int k = 0; k < beta; k++) {
            if (hi >= m || (lo >= 0 && median - sorted[lo] <= sorted[hi] - median)) {
                sum += sorted[lo--];
            } else {
                sum += sorted[hi++];
            }
        }
        return sum / beta;
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        if (n == 0) {
            return DefenseSupport.emptyRound(input);
        }
        int fr = attackersFor(n);
        GramMatrix gram = GramMatrix.of(updates.rows(), input.layout().trainableRanges(), input.context().kernels());
        int[] chosen = select(gram, fr);
        int beta = chosen.length - 2 * fr;
        float[][] selected = new float[chosen.length][];
        for (int k = 0; k < chosen.length; k++) {
            selected[k] = updates.row(chosen[k]);
        }
        float[] global = input.global();
        float[] next = new float[global.length];
        input.context().compute().parallelRange(global.length, GRAIN, (from, to) -> {
            double[] column = new double[selected.length];
            for (int c = from; c < to; c++) {
                for (int k = 0; k < selected.length; k++) {
                    column[k] = selected[k][c];
                }
                Arrays.sort(column);
                next[c] = (float) (global[c] + meanClosestToMedian(column, beta));
            }
        });
        boolean[] isChosen = new boolean[n];
        for (int c : chosen) {
            isChosen[c] = true;
        }
        List<ClientVerdict> verdicts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            verdicts.add(isChosen[i] ? ClientVerdict.accepted(updates.clientId(i))
                : ClientVerdict.rejected(updates.clientId(i), true, "not among the " + chosen.length
                    + " updates chosen by iterated Krum (f = " + fr + ")"));
        }
        String note = "f = " + fr + ", selected " + chosen.length + ", averaged the " + beta
            + " values closest to each coordinate's median";
        return new RoundResult(next, verdicts, f == AUTO_F && n < 7 ? note + " (n < 7: f = 0)" : "");
    }
}
