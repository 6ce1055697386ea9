package org.badfl.cli;

import picocli.CommandLine;

/**
 * Turns exceptions from commands into one clear line on stderr and an exit code: 2 for bad input
 * ({@link IllegalArgumentException}, {@link java.io.UncheckedIOException} about input files,
 * {@link UsageException}), 1 otherwise. The full stack trace is printed only with BADFL_DEBUG=1.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        boolean badInput = ex instanceof IllegalArgumentException || ex instanceof UsageException
            || ex instanceof java.io.FileNotFoundException || ex instanceof java.nio.file.NoSuchFileException;
        String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        cl.getErr().println(cl.getCommandSpec().qualifiedName() + ": " + (badInput ? "" : "error: ") + msg);
        if ("1".equals(System.getenv("BADFL_DEBUG"))) {
            ex.printStackTrace(cl.getErr());
        }
        return badInput ? 2 : 1;
    }
}
