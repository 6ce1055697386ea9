package org.badfl.server.badfl;

import java.util.Optional;
import org.badfl.engine.Network;
import org.badfl.server.ModelInspector;
import org.badfl.server.ServerContext;

/**
 * {@link ModelInspector} from a {@link ServerContext}'s inspection images and model factory
 * ({@link ServerContext#inspectionImages()}, {@link ServerContext#model}): what the simulator provides. Each
 * inspected model is a fresh network from {@code context.model(params)}, running on the context's threads.
 */
final class ContextInspector implements ModelInspector {

    private final ServerContext context;
    private final float[] images;
    private final int count;
    private final int classes;
    private final int channels;
    private final int height;
    private final int width;

    private ContextInspector(ServerContext context, float[] images, Network probe) {
        this.context = context;
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
        Network net = context.model(params).setCompute(context.compute());
        float[][] out = new float[classes][];
        for (int c = 0; c < classes; c++) {
            out[c] = count == 0 ? new float[0] : net.saliency(images, count, c, true);
        }
        return out;
    }
}
