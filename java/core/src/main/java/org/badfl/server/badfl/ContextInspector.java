package org.badfl.server.badfl;

import java.util.Optional;
import org.badfl.engine.Network;
import org.badfl.server.ModelInspector;
import org.badfl.server.ServerContext;

/**
 * {@link ModelInspector} from a {@link ServerContext}'s inspection images and model factory
 * ({@link ServerContext#inspectionImages()}, {@link ServerContext#model}): what the simulator provides. One
 * network of the federation's architecture is built per round (from G) and re-used for every inspected model: its
 * parameters are overwritten per call and its saliency passes share one forward per model
 * ({@link Network#saliencyPerClass}), on the context's threads. Not thread-safe: inspect one model at a time.
 */
final class ContextInspector implements ModelInspector {

    private final Network network;
    private final float[] images;
    private final int count;
    private final int classes;
    private final int channels;
    private final int height;
    private final int width;

    private ContextInspector(ServerContext context, float[] images, Network probe) {
        this.network = probe.setCompute(context.compute());
        this.images = images;
        int size = probe.inputSize();
        if (images.length % size != 0) {
            throw new IllegalArgumentException("inspection images: " + images.length + " values are not a whole number "
                + "of " + probe.inputShape() + " images (" + size + " values each)");
        }
        this.count = images.length / size;
        this.classes = probe.classes();
        this.channels = probe.inputShape().channels();
        this.height = probe.inputShape().height();
        this.width = probe.inputShape().width();
    }

    /**
     * The context's inspector, or one built from its inspection images and model factory (probed with G), or
     * empty when it has neither.
     */
    static Optional<ModelInspector> of(ServerContext context, float[] global) {
        Optional<ModelInspector> own = context.inspector();
        if (own.isPresent()) {
            return own;
        }
        float[] images;
        Network probe;
        try {
            images = context.inspectionImages();
            probe = context.model(global);
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
        return Optional.of(new ContextInspector(context, images, probe));
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public int images() {
        return count;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public float[][] guidedGradients(float[] params) {
        if (count == 0) {
            return new float[classes][0];
        }
        network.setParams(params);
        return network.saliencyPerClass(images, count, true);
    }
}
