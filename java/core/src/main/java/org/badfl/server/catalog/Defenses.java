package org.badfl.server.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.badfl.server.Defense;
import org.badfl.server.DefenseOptions;
import org.badfl.server.badfl.BadflOptions;
import org.badfl.server.defenses.CoordinateMedian;
import org.badfl.server.defenses.Crfl;
import org.badfl.server.defenses.FedAvg;
import org.badfl.server.defenses.FlTrust;
import org.badfl.server.defenses.Flame;
import org.badfl.server.defenses.Krum;
import org.badfl.server.defenses.MultiKrum;
import org.badfl.server.defenses.NormClipping;
import org.badfl.server.defenses.Rlr;
import org.badfl.server.defenses.TrimmedMean;
import org.badfl.server.defenses.Auror;
import org.badfl.server.defenses.Bucketing;
import org.badfl.server.defenses.Bulyan;
import org.badfl.server.defenses.CenteredClipping;
import org.badfl.server.defenses.DeepSight;
import org.badfl.server.defenses.DnC;
import org.badfl.server.defenses.FlDetector;
import org.badfl.server.defenses.FoolsGold;
import org.badfl.server.defenses.Lasa;
import org.badfl.server.defenses.Rfa;
import org.badfl.server.defenses.SignGuard;
import org.badfl.server.defenses.SimpleClustering;

/**
 * Registry of the defenses by command-line name (the baselines of {@code org.badfl.server.defenses} and BADFL of
 * {@code org.badfl.server.badfl}; this package sits above both so that neither imports the other): {@code Defenses.create("flame", Map.of("lambda", "0.001"))}.
 * Options are text (see {@link DefenseOptions}); defaults are the papers'/specs' (each class documents its
 * hyperparameters). An unknown name or option is an {@link IllegalArgumentException} that lists the valid ones.
 * <p>Names and options:
 * <ul>
 *   <li>{@code fedavg}: none</li>
 *   <li>{@code flame}: lambda (0.001), vectors (updates | models), median-over (all | admitted)</li>
 *   <li>{@code rlr}: threshold (4), server-lr (1)</li>
 *   <li>{@code crfl}: schedule (mnist | emnist | constant), rho (constant schedule's ρ), sigma (0.01)</li>
 *   <li>{@code fltrust}: none (needs {@link org.badfl.server.ServerContext#rootUpdate})</li>
 *   <li>{@code median}: none</li>
 *   <li>{@code trimmed-mean}: beta (0.1)</li>
 *   <li>{@code krum}: f (auto = ⌊(n−3)/2⌋)</li>
 *   <li>{@code multi-krum}: f (auto), m (auto = n − f)</li>
 *   <li>{@code norm-clipping}: bound (3), sigma (0)</li>
 * </ul>
 * {@code badfl}: see {@link BadflOptions}; {@code badfl-paper} is badfl with {@code preset=paper}. The FLPoison catalogue defenses ({@code rfa}, {@code bulyan},
 * {@code centered-clipping}, {@code foolsgold}, {@code signguard}, {@code bucketing}, {@code dnc}, {@code auror},
 * {@code simple-clustering}, {@code deepsight}, {@code fldetector},
 * {@code lasa}) parse their own options ({@code fromOptions}; docs/DEFENSES-CATALOGUE.md lists them).
 * A new defense is added with one line in a static block.
 */
public final class Defenses {

    private static final Map<String, Function<DefenseOptions, Defense>> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put("fedavg", o -> new FedAvg());
        FACTORIES.put("flame", o -> new Flame(o.getDouble("lambda", Flame.DEFAULT_LAMBDA),
            Flame.Vectors.valueOf(o.getChoice("vectors", "updates", "updates", "models").toUpperCase(java.util.Locale.ROOT)),
            Flame.MedianOver.valueOf(o.getChoice("median-over", "all", "all", "admitted").toUpperCase(java.util.Locale.ROOT))));
        FACTORIES.put("rlr", o -> new Rlr(o.getInt("threshold", Rlr.DEFAULT_THRESHOLD), o.getDouble("server-lr", 1.0)));
        FACTORIES.put("crfl", Defenses::crfl);
        FACTORIES.put("fltrust", o -> new FlTrust());
        FACTORIES.put("median", o -> new CoordinateMedian());
        FACTORIES.put("trimmed-mean", o -> new TrimmedMean(o.getDouble("beta", TrimmedMean.DEFAULT_BETA)));
        FACTORIES.put("krum", o -> new Krum(o.getIntOrAuto("f", Krum.AUTO_F)));
        FACTORIES.put("multi-krum", o -> new MultiKrum(o.getIntOrAuto("f", Krum.AUTO_F),
            o.getIntOrAuto("m", MultiKrum.AUTO_M)));
        FACTORIES.put("norm-clipping", o -> new NormClipping(o.getDouble("bound", NormClipping.DEFAULT_BOUND),
            o.getDouble("sigma", 0.0)));
        FACTORIES.put("badfl", BadflOptions::create);
        FACTORIES.put("badfl-paper", BadflOptions::createPaper);
    }

    /** Defenses that parse their own text options ({@code fromOptions}), in registration order after the above. */
    private static final Map<String, Function<Map<String, String>, Defense>> SELF_PARSING = new LinkedHashMap<>();

    static {
        SELF_PARSING.put("rfa", Rfa::fromOptions);
        SELF_PARSING.put("bulyan", Bulyan::fromOptions);
        SELF_PARSING.put("centered-clipping", CenteredClipping::fromOptions);
        SELF_PARSING.put("foolsgold", FoolsGold::fromOptions);
        SELF_PARSING.put("signguard", SignGuard::fromOptions);
        SELF_PARSING.put("bucketing", o -> Bucketing.fromOptions(o, Defenses::create));
        SELF_PARSING.put("dnc", DnC::fromOptions);
        SELF_PARSING.put("auror", Auror::fromOptions);
        SELF_PARSING.put("simple-clustering", SimpleClustering::fromOptions);
        SELF_PARSING.put("deepsight", DeepSight::fromOptions);
        SELF_PARSING.put("fldetector", FlDetector::fromOptions);
        SELF_PARSING.put("lasa", Lasa::fromOptions);
    }

    private Defenses() {
    }

    /** Registered names, in registration order. */
    public static List<String> names() {
        List<String> names = new ArrayList<>(FACTORIES.keySet());
        names.addAll(SELF_PARSING.keySet());
        return Collections.unmodifiableList(names);
    }

    /** A defense with default hyperparameters. */
    public static Defense create(String name) {
        return create(name, Map.of());
    }

    /**
     * A defense by name with text options.
     *
     * @throws IllegalArgumentException unknown name (the message lists the valid names), unknown option (lists the
     *                                  valid options), or a bad value (names option, expected form and value)
     */
    public static Defense create(String name, Map<String, String> options) {
        Function<Map<String, String>, Defense> selfParsing = SELF_PARSING.get(name);
        if (selfParsing != null) {
            return selfParsing.apply(options == null ? Map.of() : options);
        }
        Function<DefenseOptions, Defense> factory = FACTORIES.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown defense '" + name + "'; valid names: "
                + String.join(", ", names()));
        }
        DefenseOptions o = new DefenseOptions(name, options);
        Defense d = factory.apply(o);
        o.rejectUnknown();
        return d;
    }

    private static Defense crfl(DefenseOptions o) {
        String schedule = o.getChoice("schedule", "mnist", "mnist", "emnist", "constant");
        double rho = o.getDouble("rho", Double.NaN);
        double sigma = o.getDouble("sigma", Crfl.DEFAULT_SIGMA);
        Crfl.Schedule s = switch (schedule) {
            case "mnist" -> Crfl.Schedule.MNIST;
            case "emnist" -> Crfl.Schedule.EMNIST;
            default -> {
                if (Double.isNaN(rho)) {
                    throw new IllegalArgumentException("defense crfl: schedule=constant needs option rho");
                }
                yield Crfl.Schedule.constant(rho);
            }
        };
        if (!Double.isNaN(rho) && !schedule.equals("constant")) {
            throw new IllegalArgumentException("defense crfl: option rho applies to schedule=constant only, schedule is "
                + schedule);
        }
        return new Crfl(s, sigma);
    }
}
