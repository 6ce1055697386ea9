package org.badfl.server.badfl;

import java.util.Locale;
import org.badfl.server.Defense;
import org.badfl.server.badfl.BadflConfig.Detection;
import org.badfl.server.badfl.NeuronInspection.Propagation;
import org.badfl.server.badfl.SaliencyFeatures.Stability;
import org.badfl.server.badfl.WeightElimination.Mode;
import org.badfl.server.defenses.DefenseOptions;

/**
 * Text options of the "badfl" defense in the registry ({@code Defenses.create("badfl", options)}, command line
 * {@code --defense-option badfl:clipping=lm}). Every {@link BadflConfig} field is one option:
 * <pre>
 * detection        badfl | hdbscan | kmeans | off        (badfl)
 * lof-threshold    number &gt; 0                            (1.5)
 * lof-k            integer &gt;= 1 | auto                   (auto = max(2, ceil(n/2)))
 * norm-factor      0 (off) | number &gt;= 1                 (10)
 * lambda-co        number &gt;= 0                           (1)
 * lambda-st        number &gt;= 0                           (1)
 * stability        xor | pairwise                        (xor)
 * guard            number &gt; 0                            (2)
 * propagation      inspect | cluster                     (inspect)
 * clipping         layer | coordinate | remove | gm | lm (layer)
 * mwe              on | off                              (on)
 * sigma            number &gt;= 0                           (0.001; 1e-4 for non-IID data)
 * no-inspector     lmca | none                           (lmca)
 * smoothing        on | off                              (on)
 * smoothing-copies integer &gt;= 1                          (100)
 * smoothing-sigma  number &gt;= 0                           (absent: sigma)
 * alpha            number in (0, 1)                      (0.001)
 * </pre>
 */
public final class BadflOptions {

    private BadflOptions() {
    }

    /** The defense for these options (unknown options are reported by the registry afterwards). */
    public static Defense create(DefenseOptions o) {
        return new BadflDefense(config(o));
    }

    /** Reads every option (defaults from {@link BadflConfig#defaults()}). */
    public static BadflConfig config(DefenseOptions o) {
        BadflConfig d = BadflConfig.defaults();
        Detection detection = Detection.valueOf(upper(o.getChoice("detection", "badfl", "badfl", "hdbscan", "kmeans",
            "off")));
        double lofThreshold = o.getDouble("lof-threshold", d.lofThreshold());
        int lofK = o.getIntOrAuto("lof-k", Lmca.AUTO_K);
        if (lofK != Lmca.AUTO_K && lofK < 1) {
            throw new IllegalArgumentException("defense badfl: option lof-k must be an integer >= 1 or 'auto', found '"
                + lofK + "'");
        }
        double normFactor = o.getDouble("norm-factor", d.normFactor());
        double lambdaCo = o.getDouble("lambda-co", d.lambdaCo());
        double lambdaSt = o.getDouble("lambda-st", d.lambdaSt());
        Stability stability = Stability.valueOf(upper(o.getChoice("stability", "xor", "xor", "pairwise")));
        double guard = o.getDouble("guard", d.guard());
        Propagation propagation = Propagation.valueOf(upper(o.getChoice("propagation", "inspect", "inspect",
            "cluster")));
        Mode clipping = Mode.valueOf(upper(o.getChoice("clipping", "layer", "layer", "coordinate", "remove", "gm",
            "lm")));
        boolean mwe = o.getChoice("mwe", "on", "on", "off").equals("on");
        double sigma = o.getDouble("sigma", d.sigma());
        boolean lmcaOnly = o.getChoice("no-inspector", "lmca", "lmca", "none").equals("lmca");
        boolean smoothing = o.getChoice("smoothing", "on", "on", "off").equals("on");
        int copies = o.getInt("smoothing-copies", d.smoothingCopies());
        double smoothingSigma = o.getDouble("smoothing-sigma", Double.NaN);
        double alpha = o.getDouble("alpha", d.alpha());
        return new BadflConfig(detection, lofThreshold, lofK, normFactor, lambdaCo, lambdaSt, stability, guard,
            propagation, clipping, mwe, sigma, lmcaOnly, smoothing, copies, smoothingSigma, alpha);
    }

    private static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }
}
