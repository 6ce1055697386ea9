package org.badfl.engine;

/**
 * What every model of an architecture offers, wherever its parameters live: the CPU engine's {@link Network} and
 * the device network {@code org.badfl.gpu.nn.GpuNetwork}. Code written against this interface (a client's local
 * training, inspection) runs on either without a device branch; each implementation gives the same results within
 * float reassociation.
 * <p>Batches: host images NCHW, the first {@code batch * inputSize()} values of the array (an array may be longer,
 * e.g. a sampler's full-size buffer holding a short last batch); labels the first {@code batch} entries.
 */
public interface Model {

    /** The architecture's name ("cnn-small", "resnet18", ...). */
    default String name() {
        return spec().name();
    }

    /** The architecture this model is an instance of. */
    ModelSpec spec();

    /** Layout of the flat parameter vector. */
    ParamLayout layout();

    /** Shape of one input image. */
    default Shape inputShape() {
        return spec().inputShape();
    }

    /** Values per input image. */
    default int inputSize() {
        return inputShape().size();
    }

    /** Number of output classes. */
    int classes();

    /** Overwrites the parameters with {@code source} (length = layout size). */
    void setParams(float[] source);

    /** The parameters on the host ({@link Network}: the live buffer; a device model: a downloaded copy). */
    float[] params();

    /** Sets the dropout mask stream: masks of training forward k come from ({@code seed}, {@code step} + k). */
    void setDropoutStream(long seed, long step);

    long dropoutSeed();

    long dropoutStep();

    /**
     * Train-mode forward, mean softmax cross-entropy and backward: leaves the gradient of the mean loss in the
     * model's gradient buffer and returns the loss.
     *
     * @throws NonFiniteException when the loss is NaN or infinite
     */
    double lossAndGradients(float[] x, int[] labels, int batch);

    /** Eval-mode mean loss of a batch. */
    double loss(float[] x, int[] labels, int batch);

    /** Eval-mode forward; writes the arg-max class of each image into {@code out[0..batch)}. */
    void predict(float[] x, int batch, int[] out);
}
