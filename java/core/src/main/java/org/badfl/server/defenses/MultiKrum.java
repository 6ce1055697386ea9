package org.badfl.server.defenses;

import static org.badfl.server.defenses.DefenseSupport.fmt;

import java.util.ArrayList;
import java.util.List;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.RoundUpdates;
import org.badfl.server.detect.GramMatrix;

/**
 * Multi-Krum (Blanchard et al., NeurIPS 2017, §4; vio1etus/FLPoison {@code aggregators/multikrum.py}): the
 * {@link Krum} scores are computed once; the m updates with the lowest scores (lowest index on ties) are
 * selected and G ← G + their plain mean (all coordinates, BatchNorm statistics included; sample counts ignored,
 * as in both references). Default m = n − f (Blanchard's choice); small rounds as in {@link Krum}.
 * <p>Verdicts: selected accepted; others rejected and flagged.
 */
public final class MultiKrum implements Defense {

    /** m chosen per round as n − f. */
    public static final int AUTO_M = -1;

    private final int f;
    private final int selected;

    /**
     * @param f        tolerated attackers ≥ 0, or {@link Krum#AUTO_F}
     * @param selected m ≥ 1 updates to average (capped at n), or {@link #AUTO_M} for n − f (at least 1)
     */
    public MultiKrum(int f, int selected) {
        DefenseSupport.require(f >= 0 || f == Krum.AUTO_F, "multi-krum", "f", ">= 0 or auto", f);
        DefenseSupport.require(selected >= 1 || selected == AUTO_M, "multi-krum", "m", ">= 1 or auto", selected);
        this.f = f;
        this.selected = selected;
    }

    /** f = auto, m = n − f. */
    public MultiKrum() {
        this(Krum.AUTO_F, AUTO_M);
    }

    @Override
    public String name() {
        return "multi-krum";
    }

    @Override
    public boolean flagsClients() {
        return true;
    }

    /** m for a round of n updates. */
    public int selectedFor(int n) {
        int fr = Krum.f(f, n);
        return Math.max(1, Math.min(n, selected == AUTO_M ? n - fr : selected));
    }

    @Override
    public RoundResult aggregate(RoundInput input) {
        RoundUpdates updates = input.updates();
        int n = updates.size();
        if (n == 0) {
            return DefenseSupport.emptyRound(input);
        }
        int fr = Krum.f(f, n);
        double[] scores = Krum.scores(GramMatrix.of(updates, input.layout().trainableRanges(), input.context().kernels()), fr);
        int[] ranking = Krum.ranking(scores);
        int m = selectedFor(n);
        boolean[] isSelected = new boolean[n];
        double[] weights = new double[n];
        for (int r = 0; r < m; r++) {
            isSelected[ranking[r]] = true;
            weights[ranking[r]] = 1.0 / m;
        }
        float[] next = input.global().clone();
        input.context().kernels().accumulate(updates, weights, next);
        double cut = scores[ranking[m - 1]];
        List<ClientVerdict> verdicts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String reason = "Krum score " + fmt(scores[i]);
            verdicts.add(isSelected[i] ? ClientVerdict.accepted(updates.clientId(i), reason)
                : ClientVerdict.rejected(updates.clientId(i), true, reason + ", not among the " + m + " lowest (cut "
                    + fmt(cut) + ")"));
        }
        return new RoundResult(next, verdicts, Krum.smallRoundNote(n, fr));
    }
}
