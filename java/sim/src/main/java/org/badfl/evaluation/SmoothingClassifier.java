package org.badfl.evaluation;

import java.util.ArrayList;
import java.util.List;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;
import org.badfl.server.noise.GaussianNoise;
import org.badfl.util.Seeds;

/**
 * Parameter-smoothing classifier (BADFL, Zhang et al., TKDE 2024, Section V-C, eq. 11; CRFL, Xie et al., ICML 2021,
 * AI-secure/CRFL {@code smooth_mnist.py}, {@code certify_mnist.py}):
 * h_s(x; w) = argmax_y P_{w' ~ N(w, σ²I)}[h(x; w') = y], estimated by Monte Carlo with M noisy copies of the
 * parameters.
 * <ul>
 *   <li>Copy m = w + σ·z_m on the trainable parameters (BatchNorm running statistics get none, as in training),
 *       z_m = {@link GaussianNoise} stream m of {@code Seeds.derive(seed, "smoothing")}: a pure function of
 *       (seed, m), so copies are regenerated, never stored, and the result does not depend on threads.</li>
 *   <li>Per input: class counts over the copies; A = the most frequent class, B = the runner-up (lowest class
 *       index on ties, as numpy's argmax in the reference; B = the lowest class ≠ A when no other class was
 *       predicted, with count 0).</li>
 *   <li>Hoeffding bounds with error tolerance α: p̲_A = max(1e-8, p̂_A − √(ln(1/α)/(2M))),
 *       p̄_B = min(1 − 1e-8, p̂_B + √(ln(1/α)/(2M))) (CRFL {@code certify}).</li>
 *   <li>Abstain when p̲_A ≤ p̄_B (no certified majority); otherwise predict A and certify the radius of eq. (13)
 *       ({@link CertifiedRadius}).</li>
 * </ul>
 */
public final class SmoothingClassifier {

    /** The base classifier h: arg-max class of each image for a parameter vector. */
    @FunctionalInterface
    public interface BaseClassifier {
        /**
         * Writes the predicted class of images {@code [0, count)} of {@code images} (NCHW, not modified) for the
         * model with parameters {@code params} (not modified) into {@code out}.
         */
        void predict(float[] params, float[] images, int count, int[] out);
    }

    private final double sigma;
    private final int copies;
    private final double alpha;
    private final long seed;

    /**
     * @param sigma  σ ≥ 0 of the parameter noise (BADFL: σ_T; CRFL: its training σ)
     * @param copies M ≥ 1 (interpretation: 100 on CPU, 1000 on GPU; CRFL 1000)
     * @param alpha  Hoeffding error tolerance in (0, 1) (0.001)
     * @param seed   noise seed (copy m's noise is a function of (seed, m) only)
     */
    public SmoothingClassifier(double sigma, int copies, double alpha, long seed) {
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("smoothing: sigma must be finite and >= 0, got " + sigma);
        }
        if (copies < 1) {
            throw new IllegalArgumentException("smoothing: copies M must be >= 1, got " + copies);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("smoothing: alpha must be in (0, 1), got " + alpha);
        }
        this.sigma = sigma;
        this.copies = copies;
        this.alpha = alpha;
        this.seed = seed;
    }

    public double sigma() {
        return sigma;
    }

    public int copies() {
        return copies;
    }

    public double alpha() {
        return alpha;
    }

    /** Half-width of the Hoeffding interval: √(ln(1/α)/(2M)). */
    public static double hoeffding(int copies, double alpha) {
        return Math.sqrt(Math.log(1 / alpha) / (2.0 * copies));
    }

    /**
     * The smoothed prediction for one input.
     *
     * @param classA  majority class A
     * @param classB  runner-up class B
     * @param countA  copies predicting A
     * @param countB  copies predicting B
     * @param pA      p̂_A = countA / M
     * @param pB      p̂_B = countB / M
     * @param pALower p̲_A, Hoeffding lower bound (floored at 1e-8)
     * @param pBUpper p̄_B, Hoeffding upper bound (capped at 1 − 1e-8)
     * @param abstain true when p̲_A ≤ p̄_B
     */
    public record Prediction(int classA, int classB, int countA, int countB, double pA, double pB, double pALower,
                             double pBUpper, boolean abstain) {

        /** The smoothed label, or −1 when abstaining. */
        public int label() {
            return abstain ? -1 : classA;
        }
    }

    /** Smoothed predictions for one set of images. */
    public record Result(Prediction[] predictions) {

        /** Fraction of images predicted (not abstained) and equal to their label. */
        public double accuracy(int[] labels) {
            checkLabels(labels);
            int ok = 0;
            for (int i = 0; i < predictions.length; i++) {
                if (predictions[i].label() == labels[i]) {
                    ok++;
                }
            }
            return predictions.length == 0 ? 0 : (double) ok / predictions.length;
        }

        /** Fraction of images on which the smoothed classifier abstains. */
        public double abstentionRate() {
            int a = 0;
            for (Prediction p : predictions) {
                if (p.abstain()) {
                    a++;
                }
            }
            return predictions.length == 0 ? 0 : (double) a / predictions.length;
        }

        /** Fraction of images predicted as {@code target} (not abstained): the smoothed attack success rate. */
        public double rateOf(int target) {
            int hit = 0;
            for (Prediction p : predictions) {
                if (p.label() == target) {
                    hit++;
                }
            }
            return predictions.length == 0 ? 0 : (double) hit / predictions.length;
        }

        /** Fraction predicted correctly with certified radius ≥ r (certified accuracy at r, CRFL's CertifiedAcc). */
        public double certifiedAccuracy(int[] labels, CertifiedRadius radius, double r) {
            checkLabels(labels);
            int ok = 0;
            for (int i = 0; i < predictions.length; i++) {
                Prediction p = predictions[i];
                if (p.label() == labels[i] && radius.radius(p) >= r) {
                    ok++;
                }
            }
            return predictions.length == 0 ? 0 : (double) ok / predictions.length;
        }

        private void checkLabels(int[] labels) {
            if (labels.length != predictions.length) {
                throw new IllegalArgumentException("smoothing: " + labels.length + " labels for "
                    + predictions.length + " predictions");
            }
        }
    }

    /**
     * Smoothed predictions for one image set.
     *
     * @see #classify(float[], ParamLayout, int, List, int[], BaseClassifier, Compute)
     */
    public Result classify(float[] params, ParamLayout layout, int classes, float[] images, int count,
                           BaseClassifier base, Compute compute) {
        return classify(params, layout, classes, List.of(images), new int[] {count}, base, compute).get(0);
    }

    /**
     * Smoothed predictions for several image sets with the same M noisy copies (each copy is built once).
     *
     * @param params  the model w (layout's length; not modified)
     * @param classes number of classes of the base classifier
     * @param sets    image sets (NCHW; not modified)
     * @param counts  images per set
     * @param base    the base classifier h
     * @param compute threads for the noise
     */
    public List<Result> classify(float[] params, ParamLayout layout, int classes, List<float[]> sets, int[] counts,
                                 BaseClassifier base, Compute compute) {
        layout.checkLength("smoothed model", params);
        if (classes < 1) {
            throw new IllegalArgumentException("smoothing: classes must be >= 1, got " + classes);
        }
        if (sets.size() != counts.length) {
            throw new IllegalArgumentException("smoothing: " + sets.size() + " image sets but " + counts.length
                + " counts");
        }
        int[][][] votes = new int[sets.size()][][];
        int[][] predicted = new int[sets.size()][];
        for (int s = 0; s < sets.size(); s++) {
            votes[s] = new int[counts[s]][classes];
            predicted[s] = new int[counts[s]];
        }
        int[] ranges = layout.trainableRanges();
        long noiseSeed = Seeds.derive(seed, "smoothing");
        float[] copy = new float[params.length];
        float[] noise = new float[params.length];
        for (int m = 0; m < copies; m++) {
            noisyCopy(params, ranges, noiseSeed, m, copy, noise, compute);
            for (int s = 0; s < sets.size(); s++) {
                if (counts[s] == 0) {
                    continue;
                }
                base.predict(copy, sets.get(s), counts[s], predicted[s]);
                for (int i = 0; i < counts[s]; i++) {
                    int y = predicted[s][i];
                    if (y < 0 || y >= classes) {
                        throw new IllegalStateException("smoothing: base classifier predicted class " + y
                            + ", expected one in [0, " + classes + ")");
                    }
                    votes[s][i][y]++;
                }
            }
        }
        List<Result> results = new ArrayList<>(sets.size());
        for (int s = 0; s < sets.size(); s++) {
            Prediction[] p = new Prediction[counts[s]];
            for (int i = 0; i < counts[s]; i++) {
                p[i] = predictionFromCounts(votes[s][i], copies, alpha);
            }
            results.add(new Result(p));
        }
        return results;
    }

    /** Copy m: params + σ·z_m on the trainable coordinates. */
    void noisyCopy(float[] params, int[] ranges, long noiseSeed, int m, float[] copy, float[] noise, Compute compute) {
        System.arraycopy(params, 0, copy, 0, params.length);
        if (sigma == 0) {
            return;
        }
        java.util.Arrays.fill(noise, 0f);
        GaussianNoise.add(noise, sigma, noiseSeed, m, compute);
        for (int r = 0; r < ranges.length; r += 2) {
            for (int c = ranges[r]; c < ranges[r + 1]; c++) {
                copy[c] += noise[c];
            }
        }
    }

    /** A, B, p̂, Hoeffding bounds and abstention from one input's class counts (M = Σ counts). */
    public static Prediction predictionFromCounts(int[] counts, int copies, double alpha) {
        int a = 0;
        for (int c = 1; c < counts.length; c++) {
            if (counts[c] > counts[a]) {
                a = c;
            }
        }
        int b = -1;
        for (int c = 0; c < counts.length; c++) {
            if (c != a && (b < 0 || counts[c] > counts[b])) {
                b = c;
            }
        }
        int countB = b < 0 ? 0 : counts[b];
        double pA = (double) counts[a] / copies;
        double pB = (double) countB / copies;
        double h = hoeffding(copies, alpha);
        double lower = Math.max(1e-8, pA - h);
        double upper = Math.min(1 - 1e-8, pB + h);
        return new Prediction(a, b, counts[a], countB, pA, pB, lower, upper, !(lower > upper));
    }
}
