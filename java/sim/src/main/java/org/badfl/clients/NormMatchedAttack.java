package org.badfl.clients;

import org.badfl.data.AsrSet;
import org.badfl.data.Dataset;
import org.badfl.data.Poisoning;
import org.badfl.engine.Network;

/**
 * Norm-matched backdoor, an adaptive attack against norm-based rules (clipping at the median norm, norm
 * outlier tests; docs/ATTACKS.md, "Norm-matched"): the malicious clients train a backdoor exactly as their base
 * attack does ({@link PixelPatternAttack} or {@link ConstrainAndScaleAttack}, without its scaling) and then, once
 * every client has trained, rescale the trainable part of their update so that its L2 norm equals the median
 * L2 norm of the round's honest updates. Omniscient (it reads the honest norms of the round). An update of norm 0
 * is sent as is.
 */
public final class NormMatchedAttack extends ModelPoisoningAttack {

    private final ClientAttack base;

    /** @param base the backdoor the clients train (pixel-pattern or constrain-and-scale) */
    public NormMatchedAttack(ClientAttack base) {
        super("norm-matched", checked(base).target(), base.poisonRatio(), null, null);
        this.base = base;
    }

    private static ClientAttack checked(ClientAttack base) {
        if (!(base instanceof PixelPatternAttack) || base instanceof DbaAttack) {
            throw new IllegalArgumentException("attack norm-matched: parameter base-attack must be pixel-pattern or "
                + "constrain-and-scale, found " + (base == null ? "none" : base.name()));
        }
        return base;
    }

    public ClientAttack base() {
        return base;
    }

    @Override
    public boolean trainsWithAttack() {
        return true;
    }

    @Override
    public Poisoning poisoning(int rank) {
        return base.poisoning(rank);
    }

    @Override
    public AsrSet asrSet(Dataset test) {
        return base.asrSet(test);
    }

    @Override
    public TrainingSettings settings(TrainingSettings honest) {
        return base.settings(honest);
    }

    @Override
    public void adjustGradients(Network net, float[] global) {
        base.adjustGradients(net, global);
    }

    @Override
    public void afterStep(Network net, float[] global) {
        base.afterStep(net, global);
    }

    /** The median honest norm of the round's view. */
    public static double medianBenignNorm(RoundView view) {
        int[] ranges = view.layout().trainableRanges();
        double[] norms = new double[view.benign().length];
        for (int i = 0; i < norms.length; i++) {
            norms[i] = norm(view.benign()[i], ranges);
        }
        return median(norms);
    }

    @Override
    protected float[][] craftRows(RoundView view, long seed) {
        int[] ranges = view.layout().trainableRanges();
        double target = medianBenignNorm(view);
        float[][] out = new float[view.malicious()][];
        for (int k = 0; k < out.length; k++) {
            float[] row = view.own()[k].clone();
            double n = norm(row, ranges);
            if (n > 0) {
                double f = target / n;
                for (int r = 0; r < ranges.length; r += 2) {
                    for (int j = ranges[r]; j < ranges[r + 1]; j++) {
                        row[j] = (float) (row[j] * f);
                    }
                }
            }
            out[k] = row;
        }
        return out;
    }

    @Override
    public String describe() {
        return "norm-matched (" + base.describe() + ", rescaled to the honest median norm; omniscient)";
    }
}
