package org.badfl.server.badfl;

import java.util.Locale;
import org.badfl.server.Defense;
import org.badfl.server.DefenseOptions;
import org.badfl.server.badfl.BadflConfig.Detection;
import org.badfl.server.badfl.SaliencyFeatures.Stability;
import org.badfl.server.badfl.WeightElimination.Mode;

/**
 * Text options of the "badfl" defense in the registry ({@code Defenses.create("badfl", options)}, command line
 * {@code --defense-option badfl:preset=paper}). A preset fixes the whole verdict rule; the other options are product
 * choices that refine it (docs/BADFL.md, "Presets and options"):
 * <pre>
 * preset           default | paper                       (default)
 * detection        badfl | hdbscan | kmeans | off        (badfl)       Fig. 9; off = "MMD off" (Fig. 8)
 * mwe              on | off                              (on)          "MWE off" (Fig. 8)
 * clipping         remove | layer | coordinate | gm | lm (preset's)    Fig. 10
 * smoothing        on | off                              (on)          "SC off" (Fig. 8)
 * sigma            number &gt;= 0                           (0.001)       Alg. 3; 1e-4 for non-IID data (Fig. 12)
 * smoothing-copies integer &gt;= 1                          (100)
 * smoothing-sigma  number &gt;= 0                           (absent: sigma)
 * alpha            number in (0, 1)                      (0.001)
 * lof-threshold    number &gt; 0                            (1.5)         Alg. 1
 * lof-k            integer &gt;= 1 | auto                   (auto = max(2, ceil(n/2)))
 * norm-guard       0 (off) | number &gt;= 1                 (preset's: 2 default, 0 paper)
 * no-inspector     lmca | none                           (lmca)
 * </pre>
 */
public final class BadflOptions {

    /** A whole verdict rule, chosen by name. */
    public enum Preset {
        /**
         * The shipped rule: LMCA with the norm criterion, MNIA with the measured readings (judged on LMCA's
         * outliers), patch deviation with its forgiving per-client memory, flagged updates removed, the norm guard.
         */
        DEFAULT,
        /**
         * Algorithms 1-3 as the paper writes them: LMCA, MNIA on the sampled members and outliers (its verdicts
         * propagated to their clusters), per-layer clipping of the flagged updates against the benign ones, noise;
         * each gap filled by the interpretation (docs/BADFL.md, "Interpretation choices"), no addition.
         */
        PAPER
    }

    private BadflOptions() {
    }

    /** The defense for these options (unknown options are reported by the registry afterwards). */
    public static Defense create(DefenseOptions o) {
        return new BadflDefense(config(o));
    }

    /**
     * The "badfl-paper" registry entry: the paper preset, refined by the same options except {@code preset}, so
     * that both presets can be compared within one run.
     */
    public static Defense createPaper(DefenseOptions o) {
        return new BadflDefense(config(o, Preset.PAPER), "badfl-paper");
    }

    /** The configuration a preset stands for, before any refining option. */
    public static BadflConfig preset(Preset preset) {
        return switch (preset) {
            case DEFAULT -> BadflConfig.defaults();
            case PAPER -> BadflConfig.builder()
                .normFactor(0)
                .normGuard(0)
                .stability(Stability.XOR)
                .guard(NeuronInspection.INTERPRETATION_GUARD)
                .scoring(NeuronInspection.Scoring.PAPER)
                .propagation(NeuronInspection.Propagation.INSPECT)
                .clipping(Mode.LAYER)
                .patch(false)
                .mniaScope(BadflConfig.MniaScope.ALL)
                .build();
        };
    }

    /** Reads the preset, then every refining option. */
    public static BadflConfig config(DefenseOptions o) {
        return config(o, Preset.valueOf(upper(o.getChoice("preset", "default", "default", "paper"))));
    }

    private static BadflConfig config(DefenseOptions o, Preset preset) {
        BadflConfig p = preset(preset);
        BadflConfig.Builder b = p.toBuilder();
        b.detection(Detection.valueOf(upper(o.getChoice("detection", lower(p.detection()), "badfl", "hdbscan",
            "kmeans", "off"))));
        b.eliminate(o.getChoice("mwe", p.eliminate() ? "on" : "off", "on", "off").equals("on"));
        b.clipping(Mode.valueOf(upper(o.getChoice("clipping", lower(p.clipping()), "remove", "layer", "coordinate",
            "gm", "lm"))));
        b.smoothing(o.getChoice("smoothing", p.smoothing() ? "on" : "off", "on", "off").equals("on"));
        b.sigma(o.getDouble("sigma", p.sigma()));
        b.smoothingCopies(o.getInt("smoothing-copies", p.smoothingCopies()));
        b.smoothingSigma(o.getDouble("smoothing-sigma", p.smoothingSigma()));
        b.alpha(o.getDouble("alpha", p.alpha()));
        b.lofThreshold(o.getDouble("lof-threshold", p.lofThreshold()));
        int lofK = o.getIntOrAuto("lof-k", p.lofK());
        if (lofK != Lmca.AUTO_K && lofK < 1) {
            throw new IllegalArgumentException("defense badfl: option lof-k must be an integer >= 1 or 'auto', found '"
                + lofK + "'");
        }
        b.lofK(lofK);
        b.normGuard(o.getDouble("norm-guard", p.normGuard()));
        b.lmcaOnlyWithoutInspector(o.getChoice("no-inspector", p.lmcaOnlyWithoutInspector() ? "lmca" : "none", "lmca",
            "none").equals("lmca"));
        return b.build();
    }

    /** Enum constant as an option value: TWO_SIDED -> two-sided. */
    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String upper(String s) {
        return s.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
