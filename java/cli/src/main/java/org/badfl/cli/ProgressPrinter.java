package org.badfl.cli;

import org.badfl.sim.DefenseResult;
import org.badfl.sim.RoundRecord;
import org.badfl.sim.SimulationListener;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a run's progress: on a terminal a progress bar per defense that advances with every trained client and
 * shows the round and the last ACC/ASR; otherwise (output redirected, CI logs) one plain line per round.
 */
public final class ProgressPrinter implements SimulationListener {

    /** How progress is shown. */
    public enum Mode {
        /** bar on a terminal, plain lines otherwise */
        AUTO,
        BAR,
        PLAIN,
        NONE;

        /** Parses auto, bar, plain or none. */
        public static Mode parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--progress: expected auto, bar, plain or none, found '" + text + "'");
            }
        }
    }

    private final PrintWriter out;
    private final PrintStream barStream;
    private final boolean bar;
    private final boolean silent;
    private ProgressBar progressBar;
    private String defense;
    private int defenseCount;
    private int defenseIndex;
    private int rounds;

    /**
     * @param mode      how to show progress ({@link Mode#AUTO}: a bar when {@code System.console()} exists)
     * @param out       where plain lines and messages go
     * @param barStream where the bar is drawn (the terminal)
     */
    public ProgressPrinter(Mode mode, PrintWriter out, PrintStream barStream) {
        this.out = out;
        this.barStream = barStream;
        this.silent = mode == Mode.NONE;
        this.bar = mode == Mode.BAR || (mode == Mode.AUTO && System.console() != null);
    }

    @Override
    public void defenseStarted(String name, int index, int count, int firstRound, int totalRounds,
                               int clientsPerRound) {
        this.defense = name;
        this.defenseIndex = index;
        this.defenseCount = count;
        this.rounds = totalRounds;
        if (silent) {
            return;
        }
        if (bar) {
            long max = (long) (totalRounds - firstRound + 1) * clientsPerRound;
            progressBar = new ProgressBarBuilder()
                .setTaskName(String.format(Locale.ROOT, "[%d/%d] %-10s", index + 1, count, name))
                .setInitialMax(max)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setConsumer(new ConsoleProgressBarConsumer(barStream))
                .setUpdateIntervalMillis(250)
                .continuousUpdate()
                .hideEta()
                .build();
            progressBar.setExtraMessage("round " + firstRound + "/" + totalRounds);
        } else {
            out.printf(Locale.ROOT, "[%d/%d] %s: rounds %d..%d%n", index + 1, count, name, firstRound, totalRounds);
            out.flush();
        }
    }

    @Override
    public void clientTrained() {
        ProgressBar b = progressBar;
        if (b != null) {
            b.step();
        }
    }

    @Override
    public void roundFinished(RoundRecord r) {
        if (silent) {
            return;
        }
        String metrics = Double.isNaN(r.acc()) ? "not evaluated (eval-every)"
            : String.format(Locale.ROOT, "acc %.2f%%%s", 100 * r.acc(),
                r.meanAsr() == null ? "" : String.format(Locale.ROOT, " asr %.2f%%", 100 * r.meanAsr()));
        if (progressBar != null) {
            progressBar.setExtraMessage("round " + r.round() + "/" + rounds + " " + metrics);
        } else {
            out.printf(Locale.ROOT, "[%d/%d] %s round %d/%d: %s%s (train %.1f s, defense %.2f s, eval %.1f s)%s%n",
                defenseIndex + 1, defenseCount, defense, r.round(), rounds, metrics,
                r.detection() == null ? "" : ", flagged " + r.detection().flagged() + " (" + r.detection().tp()
                    + " of " + r.attacking() + " attackers)",
                r.trainSeconds(), r.defenseSeconds(), r.evalSeconds(), r.note().isEmpty() ? "" : "; " + r.note());
            out.flush();
        }
    }

    @Override
    public void defenseFinished(DefenseResult result) {
        if (progressBar != null) {
            progressBar.close();
            progressBar = null;
        }
    }

    @Override
    public void info(String message) {
        if (!silent) {
            out.println(message);
            out.flush();
        }
    }

    /** Closes a bar left open (run stopped by an exception). */
    public void close() {
        if (progressBar != null) {
            progressBar.close();
            progressBar = null;
        }
    }
}
