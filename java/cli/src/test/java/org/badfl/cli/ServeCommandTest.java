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

/** {@code badfl serve}'s bad input: one line naming it, exit code 2, no server started. */
class ServeCommandTest {

    @TempDir
    Path dir;

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void anotherInterfaceWithoutATokenIsRefused() {
        String[] r = run("serve", "--host", "0.0.0.0", "--port", "0", "--state-dir", dir.toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("without a token the service listens on a loopback address only"), r[2]);
    }

    @Test
    void anEmptyTokenFileOrAHalfTlsPairIsRefused() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "  \n");
        String[] r = run("serve", "--port", "0", "--token-file", token.toString(), "--state-dir", dir.toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("the file is empty"), r[2]);
        r = run("serve", "--port", "0", "--tls-cert", token.toString(), "--state-dir", dir.toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("--tls-cert and --tls-key go together"), r[2]);
        r = run("serve", "--port", "0", "--max-clients", "0", "--state-dir", dir.toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("service limits must be positive"), r[2]);
    }
}
