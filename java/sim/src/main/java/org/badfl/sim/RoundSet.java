package org.badfl.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A set of 1-based rounds written as a list of rounds and ranges: {@code none}, {@code 5}, {@code 5,10,20},
 * {@code 30-40}, {@code 3,10-12} (spaces ignored). Used by the per-round defense switch ({@code defense-off-rounds}).
 *
 * @param rounds the rounds, ascending, each &gt;= 1
 */
public record RoundSet(TreeSet<Integer> rounds) {

    /** No round. */
    public static final RoundSet NONE = new RoundSet(new TreeSet<>());

    private static final String FORMS = "none, or rounds and ranges such as 5 or 5,10,20-30 (positive integers, "
        + "ranges from <= to)";

    public RoundSet {
        rounds = new TreeSet<>(rounds);
        if (!rounds.isEmpty() && rounds.first() < 1) {
            throw new IllegalArgumentException("round set: rounds start at 1, found " + rounds.first());
        }
    }

    /**
     * Parses the forms in the class documentation.
     *
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static RoundSet parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("round set: expected " + FORMS + ", found nothing");
        }
        String s = text.replace(" ", "").toLowerCase(Locale.ROOT);
        if (s.equals("none") || s.isEmpty()) {
            return NONE;
        }
        TreeSet<Integer> out = new TreeSet<>();
        try {
            for (String part : s.split(",", -1)) {
                int dash = part.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
                if (from < 1 || to < from) {
                    throw new NumberFormatException();
                }
                for (int t = from; t <= to; t++) {
                    out.add(t);
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("round set: expected " + FORMS + ", found '" + text + "'");
        }
        return new RoundSet(out);
    }

    public boolean contains(int round) {
        return rounds.contains(round);
    }

    public boolean isEmpty() {
        return rounds.isEmpty();
    }

    /** The largest round, or 0 when empty. */
    public int last() {
        return rounds.isEmpty() ? 0 : rounds.last();
    }

    @Override
    public TreeSet<Integer> rounds() {
        return new TreeSet<>(rounds);
    }

    /** The canonical text form: "none", or runs of consecutive rounds as ranges ({@link #parse} gives it back). */
    @Override
    public String toString() {
        if (rounds.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        Integer start = null;
        Integer prev = null;
        for (int t : rounds) {
            if (prev != null && t == prev + 1) {
                prev = t;
                continue;
            }
            if (start != null) {
                parts.add(start.equals(prev) ? start.toString() : start + "-" + prev);
            }
            start = t;
            prev = t;
        }
        parts.add(start.equals(prev) ? start.toString() : start + "-" + prev);
        return String.join(",", parts);
    }
}
