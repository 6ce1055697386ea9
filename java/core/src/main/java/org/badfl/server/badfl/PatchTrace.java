package org.badfl.server.badfl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Diagnostic trace of patch deviation (off unless the environment variable {@code BADFL_PATCH_TRACE} names a
 * folder): per round and client the profile, LOF, MNIA flag and verdict ({@code patch.csv}), and which selected
 * clients attacked ({@code truth.csv}). For studying the rule offline; never changes a verdict.
 */
public final class PatchTrace {

    private static final String DIR = System.getenv("BADFL_PATCH_TRACE");

    private PatchTrace() {
    }

    private static synchronized void append(String file, String header, String text) {
        if (DIR == null || DIR.isEmpty()) {
            return;
        }
        try {
            Path p = Path.of(DIR).resolve(file);
            Files.createDirectories(p.getParent());
            if (!Files.exists(p)) {
                Files.writeString(p, header + "\n", StandardCharsets.UTF_8);
            }
            Files.writeString(p, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Which selected clients attack in a round (defense name, round, client, attacking). */
    public static void truth(String defense, int round, int[] selected, boolean[] attacking) {
        if (DIR == null || DIR.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < selected.length; i++) {
            b.append(defense).append(',').append(round).append(',').append(selected[i]).append(',')
                .append(attacking[i] ? 1 : 0).append('\n');
        }
        append("truth.csv", "defense,round,client,attacking", b.toString());
    }

    /** One round of patch deviation. */
    public static void round(int round, int[] clients, double[][][] profiles, double[] lof, boolean[] mnia,
                             PatchDeviation.Result r) {
        if (DIR == null || DIR.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < clients.length; i++) {
            b.append(round).append(',').append(clients[i]).append(',')
                .append(lof == null ? Double.NaN : lof[i]).append(',').append(mnia != null && mnia[i] ? 1 : 0)
                .append(',').append(r.scores()[i]).append(',').append(r.entered()[i]).append(',')
                .append(r.accumulated()[i]).append(',').append(r.flagged()[i] ? 1 : 0).append(',');
            double[][] p = profiles[i];
            if (p != null) {
                StringBuilder q = new StringBuilder();
                for (double[] row : p) {
                    for (double v : row) {
                        if (q.length() > 0) {
                            q.append(' ');
                        }
                        q.append(String.format(Locale.ROOT, "%.6g", v));
                    }
                }
                b.append(p.length).append(',').append(q);
            } else {
                b.append("0,");
            }
            b.append('\n');
        }
        append("patch.csv", "round,client,lof,mnia,score,entered,accumulated,flagged,classes,profile", b.toString());
    }
}
