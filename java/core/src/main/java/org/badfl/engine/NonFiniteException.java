package org.badfl.engine;

/**
 * A loss or activation became NaN or infinite. The message names the model, the training step, and the first
 * place where a non-finite value was found (input, parameter slice or layer output), so a diverging client
 * (too high learning rate) or a poisoned parameter vector can be told apart. It is an
 * {@link IllegalArgumentException} because it is caused by the inputs (data, parameters or hyperparameters).
 */
public final class NonFiniteException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public NonFiniteException(String message) {
        super(message);
    }
}
