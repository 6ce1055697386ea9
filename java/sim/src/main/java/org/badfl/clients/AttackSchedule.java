package org.badfl.clients;

import java.util.Locale;

/**
 * In which rounds an adversary attacks. Rounds are 1-based. Four forms, written as text in configs and on the
 * command line:
 * <ul>
 *   <li>{@code every-round}: rounds 1, 2, 3, ... (Bagdasaryan et al.'s and DBA's continuous attack);</li>
 *   <li>{@code from:R}: rounds R, R+1, ...;</li>
 *   <li>{@code every:F} or {@code from:R+every:F}: rounds R, R+F, R+2F, ... (R defaults to 1) — a fixed
 *       attack frequency;</li>
 *   <li>{@code single:R}: round R only (single-shot model replacement, docs/ATTACKS.md, "DBA").</li>
 * </ul>
 * In rounds outside the schedule the adversary's clients train honestly: a malicious client is otherwise a
 * normal client (docs/ATTACKS.md, "Common rules"). Immutable.
 *
 * @param start      first attack round (>= 1)
 * @param every      attack period in rounds (>= 1)
 * @param singleShot true when only {@code start} is attacked
 */
public record AttackSchedule(int start, int every, boolean singleShot) {

    /** Attacks every round from round 1. */
    public static final AttackSchedule EVERY_ROUND = new AttackSchedule(1, 1, false);

    public AttackSchedule {
        if (start < 1) {
            throw new IllegalArgumentException("attack schedule: first attack round must be >= 1, found " + start);
        }
        if (every < 1) {
            throw new IllegalArgumentException("attack schedule: period must be >= 1 round, found " + every);
        }
    }

    /** True when the adversary attacks in round {@code round} (1-based). */
    public boolean attacksIn(int round) {
        if (round < start) {
            return false;
        }
        if (singleShot) {
            return round == start;
        }
        return (round - start) % every == 0;
    }

    /**
     * Parses the text forms listed in the class documentation (case-insensitive, spaces ignored).
     *
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static AttackSchedule parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("attack schedule: expected " + FORMS + ", found nothing");
        }
        String s = text.replace(" ", "").toLowerCase(Locale.ROOT);
        try {
            if (s.equals("every-round") || s.equals("always")) {
                return EVERY_ROUND;
            }
            if (s.startsWith("single:")) {
                return new AttackSchedule(Integer.parseInt(s.substring(7)), 1, true);
            }
            int start = 1;
            int every = 1;
            boolean any = false;
            for (String part : s.split("\\+")) {
                if (part.startsWith("from:")) {
                    start = Integer.parseInt(part.substring(5));
                } else if (part.startsWith("every:")) {
                    every = Integer.parseInt(part.substring(6));
                } else {
                    throw new NumberFormatException();
                }
                any = true;
            }
            if (!any) {
                throw new NumberFormatException();
            }
            return new AttackSchedule(start, every, false);
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw new IllegalArgumentException("attack schedule: expected " + FORMS + ", found '" + text + "'");
        }
    }

    private static final String FORMS = "every-round, from:R, every:F, from:R+every:F or single:R (R, F positive integers)";

    /** The canonical text form ({@link #parse} of it gives this schedule back). */
    @Override
    public String toString() {
        if (singleShot) {
            return "single:" + start;
        }
        if (start == 1 && every == 1) {
            return "every-round";
        }
        if (every == 1) {
            return "from:" + start;
        }
        return start == 1 ? "every:" + every : "from:" + start + "+every:" + every;
    }
}
