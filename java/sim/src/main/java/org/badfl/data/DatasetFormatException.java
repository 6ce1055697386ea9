package org.badfl.data;

/**
 * A dataset file or folder that cannot be read as what it claims to be: wrong magic number, truncated file,
 * image/label count mismatch, label out of range, wrong CIFAR-10 file size, unreadable path. The message names
 * the file, what was expected and what was found. Readers throw it before returning anything, so no partial
 * dataset ever escapes. It is an {@link IllegalArgumentException} (bad input, CLI exit code 2).
 */
public final class DatasetFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public DatasetFormatException(String message) {
        super(message);
    }

    public DatasetFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
