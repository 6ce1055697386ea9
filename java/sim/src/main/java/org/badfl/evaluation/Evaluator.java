package org.badfl.evaluation;

import java.util.concurrent.ConcurrentLinkedDeque;
import org.badfl.data.AsrSet;
import org.badfl.data.Dataset;
import org.badfl.engine.Compute;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Network;

/**
 * Measures a global model: clean accuracy (ACC) on a test set and attack success rate (ASR) on an
 * {@link AsrSet} (docs/RUN.md, "Metrics"). The data is split into fixed chunks of {@code batchSize} images,
 * predicted in parallel on separate model instances (eval mode: BatchNorm running statistics, no dropout);
 * predictions are integers, so the result is identical for any thread count.
 * <p>Thread-safe for one caller at a time per instance (it keeps a pool of workspace models).
 */
public final class Evaluator {

    private final ModelSpec spec;
    private final int batchSize;
    private final boolean normalize;
    private final ConcurrentLinkedDeque<Network> pool = new ConcurrentLinkedDeque<>();

    /**
     * @param spec      the architecture of the models to evaluate
     * @param batchSize images per forward pass (speed only)
     * @param normalize normalise inputs with the data's (training) statistics, as in training
     */
    public Evaluator(ModelSpec spec, int batchSize, boolean normalize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("evaluation batch size: expected >= 1, found " + batchSize);
        }
        this.spec = spec;
        this.batchSize = batchSize;
        this.normalize = normalize;
    }

    /** Predicted class of every image of {@code data} (in order) by the model with {@code params} (not modified). */
    public int[] predict(float[] params, Dataset data, int[] indices, Compute compute) {
        spec.layout().checkLength("model to evaluate", params);
        int n = indices.length;
        int[] predictions = new int[n];
        int chunks = (n + batchSize - 1) / batchSize;
        compute.parallelFor(chunks, c -> {
            int from = c * batchSize;
            int count = Math.min(batchSize, n - from);
            Network net = borrow();
            try {
                net.setParams(params);
                float[] x = new float[count * data.imageSize()];
                data.fillBatch(indices, from, count, x, null, normalize);
                int[] out = new int[count];
                net.predict(x, count, out);
                System.arraycopy(out, 0, predictions, from, count);
            } finally {
                pool.push(net);
            }
        });
        return predictions;
    }

    /** Fraction of {@code data}'s images at {@code indices} classified as their label (ACC). */
    public double accuracy(float[] params, Dataset data, int[] indices, Compute compute) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("accuracy of " + data.name() + ": no test images");
        }
        int[] p = predict(params, data, indices, compute);
        long correct = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == data.label(indices[i])) {
                correct++;
            }
        }
        return (double) correct / p.length;
    }

    /** ACC over all of {@code data}. */
    public double accuracy(float[] params, Dataset data, Compute compute) {
        return accuracy(params, data, all(data.size()), compute);
    }

    /** ASR: the fraction of the set's inputs classified as its target. */
    public double attackSuccessRate(float[] params, AsrSet set, Compute compute) {
        Dataset d = set.dataset();
        return set.successRate(predict(params, d, all(d.size()), compute));
    }

    private Network borrow() {
        Network n = pool.poll();
        return n != null ? n : spec.build();
    }

    static int[] all(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }
}
