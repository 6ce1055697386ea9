package org.badfl.server;

/**
 * Server-side neuron inspection of a client model (BADFL, Zhang et al., TKDE 2024, Section V-A2): guided-backprop
 * saliency of every class logit on the server's small clean inspection set. BADFL reaches it through
 * {@link ServerContext#inspector()}; a linking FL server implements it with its own model code (the simulator uses
 * {@code org.badfl.server.badfl.NetworkInspector} on the badfl engine).
 * <p>The inspection set is fixed for the life of an inspector (docs/BADFL.md, "Interpretation choices": default 64
 * class-balanced clean images, disjoint from the clients' data).
 * <p>Implementations must be deterministic (same parameters, same gradients) and may be called from one thread
 * at a time.
 */
public interface ModelInspector {

    /** Number of classes (logits) of the model. */
    int classes();

    /** Number of inspection images (0 = no clean inspection data: BADFL then skips neuron inspection). */
    int images();

    /** Channels of an inspection image. */
    int channels();

    /** Height of an inspection image. */
    int height();

    /** Width of an inspection image. */
    int width();

    /**
     * Guided-backpropagation gradients g = ∂y_c/∂x of the logit y_c (not the softmax; paper eq. 2 and Section
     * V-A2) with respect to every inspection image, for every class c, of the model with the given flat
     * parameters (the layout of the rounds' updates; not modified).
     *
     * @return {@code out[c]} = NCHW gradients of all images for class c ({@code images()·channels()·height()·width()}
     *         values). Values may be non-finite when the parameters overflow the forward pass; the caller judges
     *         that.
     */
    float[][] guidedGradients(float[] params);
}
