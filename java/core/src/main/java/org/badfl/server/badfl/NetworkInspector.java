package org.badfl.server.badfl;

import org.badfl.engine.Compute;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Network;
import org.badfl.server.ModelInspector;

/**
 * {@link ModelInspector} on the badfl engine: rebuilds the model from flat parameters ({@link ModelSpec}) and
 * computes guided-backprop saliency ({@link Network#saliency}: eval mode, logits not softmax, ReLUs pass gradient
 * only where input and upstream gradient are positive) of every class logit on every inspection image, with one
 * forward pass per model shared by all classes ({@link Network#saliencyPerClass}).
 * <p>One network is built once and re-used (its parameters are overwritten per call), so an inspector is not
 * thread-safe; create one per thread.
 */
public final class NetworkInspector implements ModelInspector {

    private final ModelSpec spec;
    private final Network network;
    private final float[] images;
    private final int count;

    /**
     * @param spec    the architecture of the rounds' models
     * @param images  inspection images as the model sees them (normalised as in training), NCHW of the model's
     *                input shape; copied
     * @param count   number of images (0 allowed: BADFL then skips inspection)
     * @param compute threads for the saliency passes (not closed here)
     */
    public NetworkInspector(ModelSpec spec, float[] images, int count, Compute compute) {
        if (spec == null || images == null || compute == null) {
            throw new IllegalArgumentException("network inspector: spec, images and compute must be given");
        }
        int size = spec.inputShape().size();
        if (count < 0 || images.length != (long) count * size) {
            throw new IllegalArgumentException("network inspector: expected " + count + " images of "
                + spec.inputShape() + " = " + (long) count * size + " values, found " + images.length);
        }
        this.spec = spec;
        this.network = spec.build().setCompute(compute);
        this.images = images.clone();
        this.count = count;
    }

    @Override
    public int classes() {
        return spec.classes();
    }

    @Override
    public int images() {
        return count;
    }

    @Override
    public int channels() {
        return spec.inputShape().channels();
    }

    @Override
    public int height() {
        return spec.inputShape().height();
    }

    @Override
    public int width() {
        return spec.inputShape().width();
    }

    @Override
    public float[][] guidedGradients(float[] params) {
        if (count == 0) {
            return new float[classes()][0];
        }
        network.setParams(params);
        return network.saliencyPerClass(images, count, true);
    }
}
