package org.badfl.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The options of one defense as text (from the command line, a scenario file, or a linking server's config),
 * read with typed getters that name the defense, the option and the expected form in their errors. A factory
 * reads every option it knows, then {@link #rejectUnknown()} reports anything left (a typo must not silently
 * fall back to a default).
 */
public final class DefenseOptions {

    private final String defense;
    private final Map<String, String> values;
    private final Set<String> known = new LinkedHashSet<>();

    /** @param values option name → value (not modified; keys are case-sensitive, lower-case by convention) */
    public DefenseOptions(String defense, Map<String, String> values) {
        this.defense = defense;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * Parses "key=value,key=value" (blank = no options), e.g. {@code "lambda=0.001,median-over=admitted"}.
     */
    public static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("defense options: expected key=value, found '" + part.trim() + "'");
            }
            String key = part.substring(0, eq).trim();
            if (out.put(key, part.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("defense options: '" + key + "' given twice");
            }
        }
        return out;
    }

    public double getDouble(String key, double defaultValue) {
        known.add(key);
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw bad(key, "a number", v);
        }
    }

    public int getInt(String key, int defaultValue) {
        known.add(key);
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw bad(key, "an integer", v);
        }
    }

    /** An integer, or {@code autoValue} when the option is "auto" (or absent and the default is auto). */
    public int getIntOrAuto(String key, int autoValue) {
        known.add(key);
        String v = values.get(key);
        if (v == null || v.equalsIgnoreCase("auto")) {
            return autoValue;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw bad(key, "an integer or 'auto'", v);
        }
    }

    /** One of {@code allowed} (case-insensitive), returned in lower case. */
    public String getChoice(String key, String defaultValue, String... allowed) {
        known.add(key);
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        for (String a : allowed) {
            if (a.equalsIgnoreCase(v)) {
                return a.toLowerCase(Locale.ROOT);
            }
        }
        throw bad(key, "one of " + String.join(", ", allowed), v);
    }

    /** Throws when an option was given that no getter asked for, listing the valid ones. */
    public void rejectUnknown() {
        List<String> unknown = new ArrayList<>();
        for (String k : values.keySet()) {
            if (!known.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("defense " + defense + ": unknown option" + (unknown.size() > 1 ? "s " : " ")
                + String.join(", ", unknown) + "; valid options: "
                + (known.isEmpty() ? "none" : String.join(", ", known)));
        }
    }

    private IllegalArgumentException bad(String key, String expected, String found) {
        return new IllegalArgumentException("defense " + defense + ": option " + key + " must be " + expected
            + ", found '" + found + "'");
    }
}
