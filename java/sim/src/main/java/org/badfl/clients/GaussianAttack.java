package org.badfl.clients;

import java.util.SplittableRandom;
import org.badfl.util.Seeds;

/**
 * Random updates (Blanchard, El Mhamdi, Guerraoui, Stainer, "Machine Learning with Adversaries: Byzantine Tolerant
 * Gradient Descent", NeurIPS 2017; docs/ATTACKS.md, "Gaussian"): each malicious client sends an update of
 * independent N(mean, std²) coordinates, drawn from {@code Seeds.derive(seed, "gaussian", k)} for its k-th client.
 * Not omniscient: it ignores every other update.
 */
public final class GaussianAttack extends ModelPoisoningAttack {

    private final double noiseMean;
    private final double noiseStd;

    /**
     * @param noiseMean mean of every coordinate (finite; FLPoison 0)
     * @param noiseStd  standard deviation (> 0; FLPoison 1)
     */
    public GaussianAttack(double noiseMean, double noiseStd) {
        super("gaussian");
        if (!Double.isFinite(noiseMean)) {
            throw new IllegalArgumentException("attack gaussian: parameter noise-mean must be finite, found "
                + noiseMean);
        }
        if (!(noiseStd > 0 && Double.isFinite(noiseStd))) {
            throw new IllegalArgumentException("attack gaussian: parameter noise-std must be a finite number > 0, "
                + "found " + noiseStd);
        }
        this.noiseMean = noiseMean;
        this.noiseStd = noiseStd;
    }

    @Override
    public boolean omniscient() {
        return false;
    }

    @Override
    protected float[][] craftRows(RoundView view, long seed) {
        float[][] out = new float[view.malicious()][view.dimension()];
        for (int k = 0; k < out.length; k++) {
            SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, "gaussian", k));
            for (int j = 0; j < out[k].length; j++) {
                out[k][j] = (float) (noiseMean + noiseStd * rng.nextGaussian());
            }
        }
        return out;
    }

    @Override
    public String describe() {
        return super.describe() + ", N(" + noiseMean + ", " + noiseStd + "^2)";
    }
}
