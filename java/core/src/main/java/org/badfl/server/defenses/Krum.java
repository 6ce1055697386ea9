package org.badfl.server.defenses;

import static org.badfl.server.defenses.DefenseSupport.fmt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.detect.GramMatrix;

/**
 * Krum (Blanchard, El Mhamdi, Guerraoui, Stainer, "Machine learning with adversaries: Byzantine tolerant
 * gradient descent", NeurIPS 2017; vio1etus/FLPoison {@code aggregators/krum.py}; docs/DEFENSES.md, "Krum"):
 * score_i = sum of the n − f − 2 smallest squared distances ‖Δ_i − Δ_j‖² (j ≠ i), distances over the trainable
 * parameters from one Gram matrix; G ← G + Δ_i* for the lowest score (lowest index on ties). The chosen update
 * is applied whole, BatchNorm running statistics included.
 * <p>Small rounds: the guarantee needs n &gt; 2f + 2; when n ≤ 2f + 2 the rule still runs and the note says so.
 * When n − f − 2 &lt; 1 (n ≤ f + 2) each score uses the single nearest neighbour (the smallest neighbourhood
 * that still compares updates); with n = 1 the only update is chosen.
 * <p>f: a fixed number of tolerated attackers, or {@link #AUTO_F} for the largest f with n &gt; 2f + 2 in each
 * round, ⌊(n − 3)/2⌋ (0 for n ≤ 4).
 * <p>Verdicts: the chosen update accepted; every other rejected and flagged (Krum's rejection is its judgement).
 */
public final class Krum implements Defense {

    /** f chosen per round as ⌊(n − 3)/2⌋. */
    public static final int AUTO_F = -1;

    private final int f;

    /** @param f tolerated attackers ≥ 0, or {@link #AUTO_F} */
    public Krum(int f) {
        DefenseSupport.require(f >= 0 || f == AUTO_F, "krum", "f", ">= 0 or auto", f);
        this.f = f;
    }

    /** f = auto. */
    public Krum() {
        this(AUTO_F);
    }

    @Override
    public String name() {
        return "krum";
    }

    @Override
    public boolean flagsClients() {
        return true;
    }

    /** The f used for a round of n updates. */
    public int attackersFor(int n) {
        return f(f, n);
    }

    static int f(int f, int n) {
        return f == AUTO_F ? Math.max(0, (n - 3) / 2) : f;
    }

    /** Neighbours per score: n − f − 2, at least 1 (for n ≥ 2), at most n − 1. */
    static int neighbours(int n, int f) {
        return Math.max(Math.min(1, n - 1), Math.min(n - 1, n - f - 2));
    }

    /** Krum scores from a Gram matrix (n ≥ 1). */
    public static double[] scores(GramMatrix g, int f) {
        int n = g.size();
        int m = neighbours(n, f);
        double[] scores = new double[n];
        double[] distances = new double[Math.max(0, n - 1)];
        for (int i = 0; i < n; i++) {
            int at = 0;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    distances[at++] = g.squaredDistance(i, j);
                }
            }
            Arrays.sort(distances);
            double s = 0;
            for (int k = 0; k < m; k++) {
                s += distances[k];
            }
            scores[i] = s;
        }
        return scores;
    }

    /** Row indices by increasing score, ties by index. */
    static int[] ranking(double[] scores) {
        return IntStream.range(0, scores.length).boxed()
            .sorted(Comparator.<Integer>comparingDouble(i -> scores[i]).thenComparingInt(i -> i))
            .mapToInt(Integer::intValue).toArray();
    }

    /** Note for rounds too small for Krum's guarantee, or empty. */
    static String smallRoundNote(int n, int f) {
        if (n > 2 * f + 2) {
            return "";
        }
        String note = "n = " + n + " <= 2f + 2 = " + (2 * f + 2) + ": Krum's guarantee does not hold";
        return n - f - 2 < 1 && n > 1 ? note + "; scores use 1 nearest neighbour" : note;
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        if (n == 0) {
            return DefenseSupport.emptyRound(input);
        }
        int fr = attackersFor(n);
        double[] scores = scores(GramMatrix.of(updates, input.layout().trainableRanges(), input.context().kernels()), fr);
        int chosen = ranking(scores)[0];
        float[] delta = updates.row(chosen);
        float[] next = CoordinateMedian.addTo(input.global(), delta);
        List<ClientVerdict> verdicts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String reason = "Krum score " + fmt(scores[i]);
            verdicts.add(i == chosen ? ClientVerdict.accepted(updates.clientId(i), reason)
                : ClientVerdict.rejected(updates.clientId(i), true, reason + " > lowest " + fmt(scores[chosen])));
        }
        return new RoundResult(next, verdicts, smallRoundNote(n, fr));
    }
}
