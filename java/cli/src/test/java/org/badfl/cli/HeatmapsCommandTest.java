package org.badfl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code badfl heatmaps} (the paper's Fig. 5/6) writes its PNG and the per-class feature table beside it. */
class HeatmapsCommandTest {

    @TempDir
    Path dir;

    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void writesThePictureAndTheFeatureTable() throws Exception {
        Path png = dir.resolve("fig6.png");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "heatmaps", "--dataset", "synthetic:n=200,test=40,classes=4,size=16", "--samples",
            "200", "--epochs", "1", "--images", "2", "--trigger", "square", "--target", "1", "--threads", "2",
            "--out", png.toString());
        assertEquals(0, code, err.toString() + out);
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img != null && img.getWidth() > 100 && img.getHeight() > 50, "a readable PNG");
        Path csv = dir.resolve("fig6.csv");
        assertTrue(out.toString().contains("and " + csv), out.toString());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("model,acc,asr,class,class_name,target,correlation,xor_stability,pairwise_stability",
            lines.get(0));
        assertEquals(1 + 2 * 4, lines.size(), "one row per model and class");
        assertTrue(lines.get(1).startsWith("clean,") && lines.get(5).startsWith("backdoored,"), lines.toString());
        long targets = lines.stream().skip(1).filter(l -> l.split(",")[5].equals("true")).count();
        assertEquals(2, targets, "class 1 is the target in both models");
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",");
            assertEquals(9, f.length, l);
            assertTrue(Double.parseDouble(f[6]) >= 0 && Integer.parseInt(f[7]) >= 0, l);
        }
    }

    @Test
    void theTableSitsBesideThePicture() {
        assertEquals(Path.of("out/x.csv"), HeatmapsCommand.tablePath(Path.of("out/x.png")));
        assertEquals(Path.of("a/heat.csv"), HeatmapsCommand.tablePath(Path.of("a/heat")));
        assertFalse(HeatmapsCommand.tablePath(Path.of("y.png")).toString().endsWith(".png"));
    }
}
