package org.badfl.gpu.check;

/** A device check found a result that disagrees with its Java reference (an AssertionError, so JUnit reports it). */
public final class CheckFailure extends AssertionError {
    private static final long serialVersionUID = 1L;

    public CheckFailure(String message) {
        super(message);
    }
}
