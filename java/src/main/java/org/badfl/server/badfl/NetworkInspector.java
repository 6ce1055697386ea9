package org.badfl.server.badfl;

import org.badfl.data.Dataset;
import org.badfl.engine.Compute;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Network;
import org.badfl.server.ModelInspector;

/**
 * {@link ModelInspector} on the badfl engine: rebuilds the model from flat parameters ({@link ModelSpec}) and
 * computes guided-backprop saliency ({@link Network#saliency}: eval mode, logits not softmax, ReLUs pass gradient
 * only where input and upstream gradient are positive) of every class logit on every inspection image.
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

    /**
     * An inspector on all images of {@code inspection} (e.g. the server's 64 class-balanced clean samples), taken
     * normalised with the data set's statistics when {@code normalize} is set, exactly as clients train.
     */
    public static NetworkInspector of(ModelSpec spec, Dataset inspection, boolean normalize, Compute compute) {
        if (inspection.channels() != spec.inputShape().channels() || inspection.height() != spec.inputShape().height()
            || inspection.width() != spec.inputShape().width()) {
            throw new IllegalArgumentException("network inspector: inspection images are " + inspection.shapeString()
                + ", model " + spec.name() + " expects " + spec.inputShape());
        }
        int n = inspection.size();
        float[] x = new float[n * inspection.imageSize()];
        int[] y = new int[n];
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        if (n > 0) {
            inspection.fillBatch(all, 0, n, x, y, normalize);
        }
        return new NetworkInspector(spec, x, n, compute);
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
        network.setParams(params);
        float[][] out = new float[classes()][];
        for (int c = 0; c < out.length; c++) {
            out[c] = count == 0 ? new float[0] : network.saliency(images, count, c, true);
        }
        return out;
    }
}
