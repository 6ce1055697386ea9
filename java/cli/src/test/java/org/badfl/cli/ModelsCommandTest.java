package org.badfl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ModelsCommandTest {

    private record Result(int exitCode, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void listsEveryModelWithLayerTableAndCounts() {
        Result r = run("models");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("cnn-paper: input 1x28x28, 10 classes"), r.out());
        assertTrue(r.out().contains("trainable parameters 1,199,882; total 1,199,882"), r.out());
        assertTrue(r.out().contains("trainable parameters 11,173,962; total 11,183,562"), r.out());
        assertTrue(r.out().contains("layer4.1.bn2"), r.out());
        assertTrue(r.out().contains("cnn-small: input 1x28x28"), r.out());
        assertTrue(r.out().contains("resnet-tiny: input 3x32x32"), r.out());
    }

    @Test
    void briefWithOtherInputShape() {
        Result r = run("models", "--brief", "--input", "3x32x32", "--classes", "43", "cnn-small");
        assertEquals(0, r.exitCode(), r.err());
        // conv1 3*8*25+8 = 608, conv2 8*16*25+16 = 3216, fc1 400*32+32 = 12832, fc2 32*43+43 = 1419
        assertTrue(r.out().contains("trainable       18,075"), r.out());
        assertEquals(1, r.out().strip().lines().count(), r.out());
    }

    @Test
    void throughputRunsAtLeastOneStep() {
        Result r = run("models", "--brief", "--throughput", "--seconds", "0.01", "--batch", "2", "cnn-small");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().matches("(?s).*training [0-9.]+ images/s, inference [0-9.]+ images/s.*"), r.out());
    }

    @Test
    void badInputExitsWithTwo() {
        Result unknown = run("models", "vgg16");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown model 'vgg16'"), unknown.err());
        Result tooSmall = run("models", "--input", "1x8x8", "cnn-small");
        assertEquals(2, tooSmall.exitCode());
        assertTrue(tooSmall.err().contains("conv2"), tooSmall.err());
    }
}
