package org.badfl.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.badfl.clients.ClientSeeds;
import org.badfl.clients.LocalTrainer;
import org.badfl.clients.TrainingSettings;
import org.badfl.data.AsrSet;
import org.badfl.data.Dataset;
import org.badfl.data.DatasetSource;
import org.badfl.data.Poisoning;
import org.badfl.data.TrainTest;
import org.badfl.data.Trigger;
import org.badfl.engine.Compute;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Models;
import org.badfl.engine.Network;
import org.badfl.server.badfl.DHash;
import org.badfl.server.badfl.SaliencyFeatures;
import org.badfl.server.badfl.SaliencyMap;
import org.badfl.util.Seeds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code badfl heatmaps}: the paper's Fig. 5/6 for any dataset and model. Trains a clean and a backdoored model
 * from the same initialisation on the same samples (the backdoored one with a trigger → target in a fraction of
 * every batch), then draws, for the same clean test images, the saliency map BADFL's neuron inspection uses
 * (guided backprop of each class logit, max over channels |g|, min–max per map) for every class, clean model left,
 * backdoored model right. Below each class column: the class's correlation (eq. 6, mean Σ|M|) and XOR stability
 * (eq. 7) over the shown images; the same numbers, with each model's ACC and ASR, go to a CSV next to the PNG
 * ({@link #featureTable}).
 */
@Command(name = "heatmaps", mixinStandardHelpOptions = true,
    description = {"Saliency heatmaps of a clean and a backdoored model on the same clean images, per class "
        + "(BADFL paper Fig. 5/6): PNG grid, rows = images, columns = classes, and a CSV of each class's "
        + "saliency features next to it.",
        "Trains both models quickly from one initialisation; the backdoored one on batches with a trigger -> target."})
public final class HeatmapsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--dataset", defaultValue = DatasetSource.DEFAULT, paramLabel = "SPEC",
        description = "Dataset source (default: ${DEFAULT-VALUE}; see 'badfl datasets').")
    String dataset;

    @Option(names = "--model", defaultValue = "cnn-small", description = "Model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--trigger", defaultValue = "backdoors101",
        description = "Trigger preset: backdoors101, square[:size=,row=,col=,value=], dba:0..3, dba:global "
            + "(default: ${DEFAULT-VALUE}; square for images smaller than 9x27).")
    String trigger;

    @Option(names = "--target", defaultValue = "0", description = "Backdoor target class (default: ${DEFAULT-VALUE}).")
    int target;

    @Option(names = "--poison-ratio", defaultValue = "0.5",
        description = "Fraction of every backdoored batch with the trigger (default: ${DEFAULT-VALUE}).")
    double poisonRatio;

    @Option(names = "--samples", defaultValue = "3000",
        description = "Training samples (first of the training split; default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--epochs", defaultValue = "2", description = "Training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.05", description = "SGD learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--images", defaultValue = "4",
        description = "Clean test images shown (rows), of different classes where possible (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--plain", description = "Plain gradients instead of guided backpropagation.")
    boolean plain;

    @Option(names = "--no-normalize", description = "Train and inspect on [0,1] pixels (default: normalised).")
    boolean noNormalize;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", defaultValue = "0", description = "Threads (0 = all cores; default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--out", defaultValue = "heatmaps.png", description = "Output PNG (default: ${DEFAULT-VALUE}).")
    Path out;

    /** What the command measured, for the summary and the picture. */
    record Trained(String name, float[] params, double accuracy, double asr) {
    }

    @Override
    public Integer call() throws IOException {
        checkOptions();
        PrintWriter w = spec.commandLine().getOut();
        TrainTest tt = DatasetSource.load(dataset);
        Dataset train = tt.train();
        Dataset test = tt.test();
        if (target >= train.numClasses()) {
            throw new IllegalArgumentException("--target " + target + ": expected a class in [0, " + train.numClasses()
                + ")");
        }
        ModelSpec modelSpec = Models.spec(model, train.channels(), train.height(), train.width(), train.numClasses());
        Trigger trig = Trigger.preset(trigger, train.channels(), train.height(), train.width());
        boolean normalize = !noNormalize;
        int n = Math.min(samples, train.size());
        int[] indices = new int[n];
        for (int i = 0; i < n; i++) {
            indices[i] = i;
        }
        try (Compute compute = Compute.create(threads == 0 ? Compute.availableCores() : threads)) {
            float[] init = modelSpec.create(Seeds.derive(seed, "heatmaps:init")).params().clone();
            AsrSet asrSet = AsrSet.withTrigger(test, trig, target);
            w.printf(Locale.ROOT, "training %s on %d samples of %s, %d epoch(s): clean, then backdoored (%s -> %d, "
                + "%.0f%% of each batch)%n", modelSpec.name(), n, tt.spec(), epochs, trig.name(), target,
                100 * poisonRatio);
            w.flush();
            Trained clean = train("clean", modelSpec, init, train, indices, null, test, asrSet, normalize, compute);
            Trained backdoored = train("backdoored", modelSpec, init, train, indices,
                Poisoning.trigger(trig, target, poisonRatio), test, asrSet, normalize, compute);
            for (Trained t : List.of(clean, backdoored)) {
                w.printf(Locale.ROOT, "  %-10s ACC %.4f  ASR %.4f%n", t.name(), t.accuracy(), t.asr());
            }
            int[] shown = pickImages(test, images);
            float[] x = new float[shown.length * test.imageSize()];
            float[] raw = new float[shown.length * test.imageSize()];
            test.fillBatch(shown, 0, shown.length, x, null, normalize);
            test.fillBatch(shown, 0, shown.length, raw, null, false);
            float[][][][] maps = new float[2][][][];
            SaliencyFeatures.ClassFeatures[][] features = new SaliencyFeatures.ClassFeatures[2][];
            List<Trained> both = List.of(clean, backdoored);
            for (int m = 0; m < 2; m++) {
                Network net = modelSpec.withParams(both.get(m).params()).setCompute(compute);
                maps[m] = saliency(net, x, shown.length, test);
                features[m] = features(maps[m], test.height(), test.width());
            }
            printFeatures(w, test, both, features);
            BufferedImage img = new Grid(test, shown, raw, maps, features, both, target,
                modelSpec.name() + " on " + tt.spec() + ", trigger " + trig.name() + " -> " + test.className(target)
                    + (plain ? ", plain gradients" : ", guided backprop")).render();
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!ImageIO.write(img, "png", out.toFile())) {
                throw new UncheckedIOException(new IOException("no PNG writer available"));
            }
            Path table = tablePath(out);
            Files.writeString(table, featureTable(test, both, features, target));
            w.printf(Locale.ROOT, "wrote %s (%dx%d) and %s%n", out, img.getWidth(), img.getHeight(), table);
            w.flush();
        }
        return 0;
    }

    private void checkOptions() {
        require(samples >= 1, "--samples", ">= 1", samples);
        require(epochs >= 1, "--epochs", ">= 1", epochs);
        require(batchSize >= 1, "--batch-size", ">= 1", batchSize);
        require(lr > 0 && Double.isFinite(lr), "--lr", "a finite number > 0", lr);
        require(momentum >= 0 && momentum < 1, "--momentum", "in [0, 1)", momentum);
        require(images >= 1 && images <= 32, "--images", "in [1, 32]", images);
        require(poisonRatio > 0 && poisonRatio <= 1, "--poison-ratio", "in (0, 1]", poisonRatio);
        require(threads >= 0, "--threads", ">= 0", threads);
        require(target >= 0, "--target", ">= 0", target);
    }

    private static void require(boolean ok, String option, String expected, Object found) {
        if (!ok) {
            throw new IllegalArgumentException(option + ": expected " + expected + ", found " + found);
        }
    }

    private Trained train(String name, ModelSpec modelSpec, float[] init, Dataset train, int[] indices,
                          Poisoning poisoning, Dataset test, AsrSet asrSet, boolean normalize, Compute compute) {
        Network net = modelSpec.withParams(init).setCompute(compute);
        TrainingSettings settings = new TrainingSettings(epochs, batchSize, lr, momentum, 0, normalize);
        // the clients' training loop, on streams of its own ("heatmaps:batches", "heatmaps:dropout")
        new LocalTrainer(settings).train(net, init, train, 0, indices, ClientSeeds.withPrefix(seed, "heatmaps:"),
            settings, poisoning, null, null);
        float[] params = net.params().clone();
        double acc = accuracy(net, test, normalize);
        double asr = asrSet.successRate(predict(net, asrSet.dataset(), normalize));
        return new Trained(name, params, acc, asr);
    }

    private static int[] predict(Network net, Dataset d, boolean normalize) {
        int n = d.size();
        int[] out = new int[n];
        int chunk = 250;
        float[] x = new float[chunk * d.imageSize()];
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        int[] part = new int[chunk];
        for (int from = 0; from < n; from += chunk) {
            int b = Math.min(chunk, n - from);
            d.fillBatch(all, from, b, x, null, normalize);
            net.predict(b == chunk ? x : Arrays.copyOf(x, b * d.imageSize()), b, part);
            System.arraycopy(part, 0, out, from, b);
        }
        return out;
    }

    private static double accuracy(Network net, Dataset test, boolean normalize) {
        int[] p = predict(net, test, normalize);
        int ok = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == test.label(i)) {
                ok++;
            }
        }
        return p.length == 0 ? 0 : (double) ok / p.length;
    }

    /** The first test images of distinct classes (then any) up to {@code count}. */
    static int[] pickImages(Dataset test, int count) {
        List<Integer> picked = new ArrayList<>();
        boolean[] seen = new boolean[test.numClasses()];
        for (int i = 0; i < test.size() && picked.size() < count; i++) {
            if (!seen[test.label(i)]) {
                seen[test.label(i)] = true;
                picked.add(i);
            }
        }
        for (int i = 0; i < test.size() && picked.size() < count; i++) {
            if (!picked.contains(i)) {
                picked.add(i);
            }
        }
        if (picked.isEmpty()) {
            throw new IllegalArgumentException("dataset " + test.name() + ": the test split is empty, nothing to show");
        }
        return picked.stream().mapToInt(Integer::intValue).toArray();
    }

    /** maps[image][class] = M (H·W, in [0,1]). */
    private float[][][] saliency(Network net, float[] x, int count, Dataset d) {
        int classes = net.classes();
        int h = d.height();
        int wd = d.width();
        float[][][] maps = new float[count][classes][h * wd];
        for (int c = 0; c < classes; c++) {
            float[] g = net.saliency(x, count, c, !plain);
            for (int i = 0; i < count; i++) {
                if (!SaliencyMap.reduce(g, i * d.imageSize(), d.channels(), h, wd, maps[i][c])) {
                    throw new IllegalStateException("model " + net.name() + ": saliency of class " + c + " on image " + i
                        + " is not finite");
                }
            }
        }
        return maps;
    }

    private static SaliencyFeatures.ClassFeatures[] features(float[][][] maps, int h, int w) {
        int classes = maps[0].length;
        SaliencyFeatures.ClassFeatures[] out = new SaliencyFeatures.ClassFeatures[classes];
        for (int c = 0; c < classes; c++) {
            double corr = 0;
            long[] hashes = new long[maps.length];
            for (int i = 0; i < maps.length; i++) {
                corr += SaliencyFeatures.correlation(maps[i][c], 0, h * w);
                hashes[i] = DHash.hash(maps[i][c], 0, h, w);
            }
            out[c] = new SaliencyFeatures.ClassFeatures(corr / maps.length, SaliencyFeatures.xorStability(hashes),
                SaliencyFeatures.pairwiseStability(hashes));
        }
        return out;
    }

    private static void printFeatures(PrintWriter w, Dataset d, List<Trained> models,
                                      SaliencyFeatures.ClassFeatures[][] f) {
        w.println("  per class over the shown images: correlation (eq. 6, mean sum|M|) / XOR stability (eq. 7)");
        for (int m = 0; m < models.size(); m++) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-10s", models.get(m).name()));
            for (int c = 0; c < f[m].length; c++) {
                sb.append(String.format(Locale.ROOT, " %s:%.0f/%d", d.className(c), f[m][c].correlation(),
                    f[m][c].xorStability()));
            }
            w.println(sb);
        }
    }

    /** The table written next to the PNG: {@code heatmaps.png} → {@code heatmaps.csv}. */
    static Path tablePath(Path png) {
        String name = png.getFileName().toString();
        String stem = name.toLowerCase(Locale.ROOT).endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        return png.resolveSibling(stem + ".csv");
    }

    /**
     * The numbers behind the picture, one row per model and class: the model's clean ACC and ASR, whether the class
     * is the backdoor target, and the class's saliency features over the shown images (correlation, eq. 6; XOR and
     * pairwise stability, eq. 7) — the paper's Fig. 5 observation is that the target class has the lowest
     * correlation and the most stable map in the backdoored model.
     */
    static String featureTable(Dataset d, List<Trained> models, SaliencyFeatures.ClassFeatures[][] f, int target) {
        StringBuilder sb = new StringBuilder("model,acc,asr,class,class_name,target,correlation,xor_stability,"
            + "pairwise_stability\n");
        for (int m = 0; m < models.size(); m++) {
            Trained t = models.get(m);
            for (int c = 0; c < f[m].length; c++) {
                sb.append(String.format(Locale.ROOT, "%s,%s,%s,%d,\"%s\",%b,%s,%d,%s\n", t.name(), t.accuracy(),
                    t.asr(), c, d.className(c).replace("\"", "\"\""), c == target, f[m][c].correlation(),
                    f[m][c].xorStability(), f[m][c].pairwiseStability()));
            }
        }
        return sb.toString();
    }

    /** The PNG: two panels (clean, backdoored), rows = images, columns = input + classes. */
    static final class Grid {
        private static final int MARGIN = 16;
        private static final int GAP = 4;
        private static final int PANEL_GAP = 32;
        private final Dataset d;
        private final int[] shown;
        private final float[] raw;
        private final float[][][][] maps;
        private final SaliencyFeatures.ClassFeatures[][] features;
        private final List<Trained> models;
        private final int target;
        private final String title;
        private final int scale;

        Grid(Dataset d, int[] shown, float[] raw, float[][][][] maps, SaliencyFeatures.ClassFeatures[][] features,
             List<Trained> models, int target, String title) {
            this.d = d;
            this.shown = shown;
            this.raw = raw;
            this.maps = maps;
            this.features = features;
            this.models = models;
            this.target = target;
            this.title = title;
            this.scale = Math.max(1, 84 / Math.max(d.height(), d.width()));
        }

        BufferedImage render() {
            int cellW = d.width() * scale;
            int cellH = d.height() * scale;
            int classes = maps[0][0].length;
            int columns = classes + 1;
            int panelW = columns * (cellW + GAP);
            int header = 64;
            int footer = 52;
            int width = 2 * MARGIN + 2 * panelW + PANEL_GAP;
            int height = MARGIN + header + shown.length * (cellH + GAP) + footer + 40;
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString("Saliency |d logit_c / d x| (max over channels, min-max per map): " + title, MARGIN, MARGIN + 12);
            for (int m = 0; m < 2; m++) {
                int x0 = MARGIN + m * (panelW + PANEL_GAP);
                int y0 = MARGIN + header;
                Trained t = models.get(m);
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
                g.drawString(String.format(Locale.ROOT, "%s model: ACC %.3f, ASR %.3f", t.name(), t.accuracy(),
                    t.asr()), x0, MARGIN + 34);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                drawCentered(g, "input", x0 + cellW / 2, y0 - 8);
                for (int c = 0; c < classes; c++) {
                    int cx = x0 + (c + 1) * (cellW + GAP);
                    boolean isTarget = c == target;
                    g.setColor(isTarget ? new Color(200, 0, 0) : Color.BLACK);
                    g.setFont(new Font(Font.SANS_SERIF, isTarget ? Font.BOLD : Font.PLAIN, 12));
                    drawCentered(g, label(d.className(c)) + (isTarget ? " (target)" : ""), cx + cellW / 2, y0 - 8);
                }
                for (int i = 0; i < shown.length; i++) {
                    int cy = y0 + i * (cellH + GAP);
                    drawInput(img, i, x0, cy);
                    for (int c = 0; c < classes; c++) {
                        int cx = x0 + (c + 1) * (cellW + GAP);
                        drawMap(img, maps[m][i][c], cx, cy);
                        if (c == target) {
                            g.setColor(new Color(200, 0, 0));
                            g.setStroke(new BasicStroke(2));
                            g.drawRect(cx - 1, cy - 1, cellW + 1, cellH + 1);
                        }
                    }
                    g.setColor(Color.DARK_GRAY);
                    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                    g.drawString("label " + label(d.className(d.label(shown[i]))), x0 + 2, cy + cellH - 3);
                }
                int fy = y0 + shown.length * (cellH + GAP) + 14;
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                g.drawString("eq.6 sum|M|", x0, fy);
                g.drawString("eq.7 XOR", x0, fy + 14);
                for (int c = 0; c < classes; c++) {
                    int cx = x0 + (c + 1) * (cellW + GAP) + cellW / 2;
                    drawCentered(g, String.format(Locale.ROOT, "%.0f", features[m][c].correlation()), cx, fy);
                    drawCentered(g, Integer.toString(features[m][c].xorStability()), cx, fy + 14);
                }
            }
            drawColourBar(g, img, MARGIN, height - 30, 200, 12);
            g.dispose();
            return img;
        }

        private static String label(String name) {
            return name.length() > 12 ? name.substring(0, 12) : name;
        }

        private void drawInput(BufferedImage img, int i, int x0, int y0) {
            int plane = d.height() * d.width();
            int base = i * d.imageSize();
            for (int y = 0; y < d.height(); y++) {
                for (int x = 0; x < d.width(); x++) {
                    int r;
                    int gr;
                    int b;
                    if (d.channels() >= 3) {
                        r = grey(raw[base + y * d.width() + x]);
                        gr = grey(raw[base + plane + y * d.width() + x]);
                        b = grey(raw[base + 2 * plane + y * d.width() + x]);
                    } else {
                        r = grey(raw[base + y * d.width() + x]);
                        gr = r;
                        b = r;
                    }
                    fill(img, x0 + x * scale, y0 + y * scale, (r << 16) | (gr << 8) | b);
                }
            }
        }

        private void drawMap(BufferedImage img, float[] map, int x0, int y0) {
            for (int y = 0; y < d.height(); y++) {
                for (int x = 0; x < d.width(); x++) {
                    fill(img, x0 + x * scale, y0 + y * scale, jet(map[y * d.width() + x]));
                }
            }
        }

        private void fill(BufferedImage img, int x0, int y0, int rgb) {
            for (int dy = 0; dy < scale; dy++) {
                for (int dx = 0; dx < scale; dx++) {
                    img.setRGB(x0 + dx, y0 + dy, rgb);
                }
            }
        }

        private static void drawColourBar(Graphics2D g, BufferedImage img, int x0, int y0, int w, int h) {
            for (int x = 0; x < w; x++) {
                int rgb = jet((float) x / (w - 1));
                for (int y = 0; y < h; y++) {
                    img.setRGB(x0 + x, y0 + y, rgb);
                }
            }
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString("0", x0 - 10, y0 + h - 1);
            g.drawString("1  (red frame: backdoor target class)", x0 + w + 4, y0 + h - 1);
        }

        private static void drawCentered(Graphics2D g, String s, int cx, int y) {
            FontMetrics fm = g.getFontMetrics();
            g.drawString(s, cx - fm.stringWidth(s) / 2, y);
        }

        private static int grey(float v) {
            return Math.max(0, Math.min(255, Math.round(v * 255)));
        }

        /** The "jet" colour map: dark blue (0) → cyan → yellow → dark red (1). */
        static int jet(float v) {
            float t = Math.max(0, Math.min(1, v));
            float r = clamp(1.5f - Math.abs(4 * t - 3));
            float gr = clamp(1.5f - Math.abs(4 * t - 2));
            float b = clamp(1.5f - Math.abs(4 * t - 1));
            return (Math.round(r * 255) << 16) | (Math.round(gr * 255) << 8) | Math.round(b * 255);
        }

        private static float clamp(float v) {
            return Math.max(0, Math.min(1, v));
        }
    }
}
