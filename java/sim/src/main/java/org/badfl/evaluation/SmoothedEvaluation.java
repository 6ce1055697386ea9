package org.badfl.evaluation;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.badfl.data.AsrSet;
import org.badfl.data.Dataset;
import org.badfl.engine.Compute;
import org.badfl.engine.ModelSpec;
import org.badfl.engine.Network;
import org.badfl.server.Defense;
import org.badfl.server.badfl.BadflConfig;
import org.badfl.server.badfl.BadflDefense;
import org.badfl.server.defenses.Crfl;
import org.badfl.sim.FinalEvaluation;
import org.badfl.sim.Scenario;

/**
 * Test-time parameter smoothing of a run's final model (BADFL Section V-C, eq. 11; CRFL's {@code smooth_mnist.py}):
 * the {@link SmoothingClassifier} on the defense's evaluation model, for BADFL (when its option {@code smoothing} is
 * on: M = {@code smoothing-copies}, σ_T = {@code smoothing-sigma} or σ, α = {@code alpha}) and for CRFL (σ = its
 * training σ, M = {@link #CRFL_COPIES}, α = 0.001). Other defenses get nothing.
 * <p>The model smoothed is {@code RoundResult.modelToEvaluate()} of the last round: BADFL's G_T (no noise is added in
 * the last round) and CRFL's clipped model before its noise, as in both references. Fields added to the defense's
 * entry of {@code summary.json} (the run's table keeps the plain model's ACC / ASR, see docs/BADFL.md):
 * {@code smoothed_acc} (abstentions count as wrong), {@code smoothed_asr} (mean over adversaries; abstentions are
 * not the target), {@code smoothed_asr_by_adversary}, {@code smoothed_abstain} (abstention rate on the clean test
 * images), {@code smoothing_copies}, {@code smoothing_sigma}, {@code smoothing_images} (images per set).
 * <p>Cost: M forward passes over every set, so each set is cut to at most {@code imagesPerSet} images, evenly spaced
 * over the set (deterministic, no seed), to keep the default run within its time budget.
 */
public final class SmoothedEvaluation implements FinalEvaluation {

    /** Noisy copies for CRFL (the reference uses 1000; 100 on CPU as for BADFL). */
    public static final int CRFL_COPIES = 100;
    /** CRFL's Hoeffding α ({@code certify_mnist.py}). */
    public static final double CRFL_ALPHA = 0.001;
    /** Default images per set (clean test set, each ASR set). */
    public static final int DEFAULT_IMAGES_PER_SET = 500;

    private final int imagesPerSet;
    private final int batchSize;

    /**
     * @param imagesPerSet at most this many images of the clean test set and of each ASR set (≥ 1)
     * @param batchSize    images per forward pass (speed only, ≥ 1)
     */
    public SmoothedEvaluation(int imagesPerSet, int batchSize) {
        if (imagesPerSet < 1) {
            throw new IllegalArgumentException("smoothed evaluation: images per set must be >= 1, got " + imagesPerSet);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("smoothed evaluation: batch size must be >= 1, got " + batchSize);
        }
        this.imagesPerSet = imagesPerSet;
        this.batchSize = batchSize;
    }

    public SmoothedEvaluation() {
        this(DEFAULT_IMAGES_PER_SET, 250);
    }

    /** σ, M, α of the smoothing this defense is evaluated with, or null when it is evaluated plainly. */
    record Settings(double sigma, int copies, double alpha) {
    }

    static Settings settingsOf(Defense defense) {
        if (defense instanceof BadflDefense b) {
            BadflConfig c = b.config();
            return c.smoothing() ? new Settings(c.effectiveSmoothingSigma(), c.smoothingCopies(), c.alpha()) : null;
        }
        if (defense instanceof Crfl c) {
            return new Settings(c.sigma(), CRFL_COPIES, CRFL_ALPHA);
        }
        return null;
    }

    @Override
    public ObjectNode evaluate(String defenseName, Defense defense, float[] evaluationModel, float[] globalModel,
                               Scenario scenario, Compute compute, long seed) {
        Settings s = settingsOf(defense);
        if (s == null) {
            return null; // no-attack (FedAvg) and defenses without smoothing
        }
        boolean normalize = scenario.config().normalize;
        Dataset test = scenario.test();
        int[] testIdx = evenlySpaced(scenario.cleanTestIndices(), imagesPerSet);
        List<float[]> sets = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        sets.add(images(test, testIdx, normalize));
        labels.add(labelsOf(test, testIdx));
        List<Scenario.Adversary> adversaries = scenario.adversaries();
        for (Scenario.Adversary a : adversaries) {
            AsrSet set = a.asrSet();
            int[] all = new int[set.size()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            int[] idx = evenlySpaced(all, imagesPerSet);
            sets.add(images(set.dataset(), idx, normalize));
            labels.add(labelsOf(set.dataset(), idx));
        }
        int[] counts = new int[sets.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = labels.get(i).length;
        }
        ModelSpec spec = scenario.modelSpec();
        SmoothingClassifier smoothing = new SmoothingClassifier(s.sigma(), s.copies(), s.alpha(), seed);
        List<SmoothingClassifier.Result> results = smoothing.classify(evaluationModel, spec.layout(),
            test.numClasses(), sets, counts, classifier(spec, test.imageSize(), compute), compute);

        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("smoothed_acc", results.get(0).accuracy(labels.get(0)));
        ArrayNode per = JsonNodeFactory.instance.arrayNode();
        double sum = 0;
        for (int a = 0; a < adversaries.size(); a++) {
            double asr = results.get(a + 1).rateOf(adversaries.get(a).asrSet().target());
            per.add(asr);
            sum += asr;
        }
        if (adversaries.isEmpty()) {
            o.putNull("smoothed_asr");
        } else {
            o.put("smoothed_asr", sum / adversaries.size());
        }
        o.set("smoothed_asr_by_adversary", per);
        o.put("smoothed_abstain", results.get(0).abstentionRate());
        o.put("smoothing_copies", s.copies());
        o.put("smoothing_sigma", s.sigma());
        o.put("smoothing_images", imagesPerSet);
        return o;
    }

    /** At most {@code max} of {@code from}, evenly spaced (position ⌊j·n/max⌋), in order. */
    static int[] evenlySpaced(int[] from, int max) {
        int n = from.length;
        if (n <= max) {
            return from.clone();
        }
        int[] out = new int[max];
        for (int j = 0; j < max; j++) {
            out[j] = from[(int) ((long) j * n / max)];
        }
        return out;
    }

    private static float[] images(Dataset d, int[] idx, boolean normalize) {
        float[] x = new float[idx.length * d.imageSize()];
        d.fillBatch(idx, 0, idx.length, x, null, normalize);
        return x;
    }

    private static int[] labelsOf(Dataset d, int[] idx) {
        int[] y = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            y[i] = d.label(idx[i]);
        }
        return y;
    }

    /** h: arg-max class per image, in fixed chunks of {@code batchSize} images in parallel (one network each). */
    private SmoothingClassifier.BaseClassifier classifier(ModelSpec spec, int imageSize, Compute compute) {
        ConcurrentLinkedDeque<Network> pool = new ConcurrentLinkedDeque<>();
        return (params, images, count, out) -> {
            int chunks = (count + batchSize - 1) / batchSize;
            compute.parallelFor(chunks, c -> {
                int from = c * batchSize;
                int n = Math.min(batchSize, count - from);
                Network net = pool.poll();
                if (net == null) {
                    net = spec.build();
                }
                try {
                    net.setParams(params);
                    float[] x = new float[n * imageSize];
                    System.arraycopy(images, from * imageSize, x, 0, x.length);
                    int[] y = new int[n];
                    net.predict(x, n, y);
                    System.arraycopy(y, 0, out, from, n);
                } finally {
                    pool.push(net);
                }
            });
        };
    }
}
