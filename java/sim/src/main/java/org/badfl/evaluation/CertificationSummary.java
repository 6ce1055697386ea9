package org.badfl.evaluation;

import java.util.Arrays;

/**
 * The certified radii of a smoothed classifier on a labelled image set, summarised as CRFL reports them (Xie et
 * al., ICML 2021, Fig. 2; BADFL eq. 13): the radius of eq. (13) ({@link CertifiedRadius}) of each image the
 * smoothed classifier gets right, its mean and median, and the certified accuracy at a few radii (the fraction of
 * all images predicted correctly with a radius at least r; at r = 0 it is the smoothed accuracy).
 *
 * @param images            images classified
 * @param correct           images predicted correctly (not abstained)
 * @param meanRadius        mean radius over the correct images (NaN when none)
 * @param medianRadius      median radius over the correct images (NaN when none)
 * @param radii             the radii r of {@code certifiedAccuracy}, ascending
 * @param certifiedAccuracy certified accuracy at each of {@code radii}
 */
public record CertificationSummary(int images, int correct, double meanRadius, double medianRadius, double[] radii,
                                   double[] certifiedAccuracy) {

    public CertificationSummary {
        radii = radii.clone();
        certifiedAccuracy = certifiedAccuracy.clone();
    }

    /**
     * @param predictions smoothed predictions of the images
     * @param labels      their true labels
     * @param radius      eq. (13) with the scenario's parameters
     * @param radii       radii to report the certified accuracy at (ascending, each &gt;= 0)
     */
    public static CertificationSummary of(SmoothingClassifier.Result predictions, int[] labels, CertifiedRadius radius,
                                          double[] radii) {
        SmoothingClassifier.Prediction[] p = predictions.predictions();
        if (labels.length != p.length) {
            throw new IllegalArgumentException("certification: " + labels.length + " labels for " + p.length
                + " predictions");
        }
        for (int k = 0; k < radii.length; k++) {
            if (!(radii[k] >= 0) || (k > 0 && radii[k] <= radii[k - 1])) {
                throw new IllegalArgumentException("certification: radii must be ascending and >= 0, got "
                    + Arrays.toString(radii));
            }
        }
        double[] certified = new double[p.length];
        int correct = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i].label() == labels[i]) {
                certified[correct++] = radius.radius(p[i]);
            }
        }
        double[] ok = Arrays.copyOf(certified, correct);
        Arrays.sort(ok);
        double mean = Double.NaN;
        double median = Double.NaN;
        if (correct > 0) {
            double sum = 0;
            for (double r : ok) {
                sum += r;
            }
            mean = sum / correct;
            median = correct % 2 == 1 ? ok[correct / 2] : (ok[correct / 2 - 1] + ok[correct / 2]) / 2;
        }
        double[] acc = new double[radii.length];
        for (int k = 0; k < radii.length; k++) {
            int atLeast = 0;
            for (double r : ok) {
                if (r >= radii[k]) {
                    atLeast++;
                }
            }
            acc[k] = p.length == 0 ? 0 : (double) atLeast / p.length;
        }
        return new CertificationSummary(p.length, correct, mean, median, radii, acc);
    }
}
