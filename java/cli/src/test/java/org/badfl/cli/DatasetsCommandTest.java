package org.badfl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DatasetsCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void listsTheEmbeddedMnistWithSizesShapeAndClassCounts() {
        assertEquals(0, run("datasets"));
        String text = out.toString();
        assertTrue(text.contains("mnist-embedded:"), text);
        assertTrue(text.contains("train 8000, test 2000, shape 1x28x28, 10 classes"), text);
        assertTrue(text.contains("train per class: 0:801 1:902 2:793"), text);
        assertTrue(text.contains("synthetic"), text);
    }

    @Test
    void badPathIsReportedWithExitCodeTwoAfterListingTheRest() {
        Path missing = dir.resolve("missing");
        assertEquals(2, run("datasets", "--path", "idx:" + missing));
        assertTrue(err.toString().contains(missing.toString()) && err.toString().contains("found nothing"),
            err.toString());
        assertTrue(out.toString().contains("mnist-embedded:"));
    }

    @Test
    void partitionPrintsAndSavesTheSummary() throws Exception {
        Path csv = dir.resolve("p.csv");
        assertEquals(0, run("datasets", "partition", "--dataset", "synthetic:n=200,test=20,classes=4",
            "--clients", "5", "--alpha", "0.5", "--min-samples", "5", "--seed", "2", "--out", csv.toString()));
        assertTrue(out.toString().startsWith("dirichlet(alpha=0.5, clients=5, min=5): 5 clients"), out.toString());
        String saved = Files.readString(csv);
        assertTrue(saved.startsWith("client,samples,0,1,2,3\n"), saved);
        assertEquals(6, saved.lines().count());
        int total = saved.lines().skip(1).mapToInt(l -> Integer.parseInt(l.split(",")[1])).sum();
        assertEquals(200, total);
    }

    @Test
    void partitionRejectsBadOutputName() {
        assertEquals(2, run("datasets", "partition", "--clients", "3", "--out", dir.resolve("p.txt").toString()));
        assertTrue(err.toString().contains("--out") && err.toString().contains(".csv or .json"), err.toString());
    }

    @Test
    void triggerIsDrawn() {
        assertEquals(0, run("datasets", "trigger", "dba:0"));
        assertTrue(out.toString().contains("####........................"), out.toString());
        assertEquals(2, run("datasets", "trigger", "dba:0", "--shape", "1x20x20"));
        assertTrue(err.toString().contains("20x20"), err.toString());
    }
}
