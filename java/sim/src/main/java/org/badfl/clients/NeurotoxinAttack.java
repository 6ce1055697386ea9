package org.badfl.clients;

import java.util.Arrays;
import org.badfl.data.Batch;
import org.badfl.data.BatchSampler;
import org.badfl.data.Trigger;
import org.badfl.engine.Network;
import org.badfl.engine.ParamLayout;
import org.badfl.util.Seeds;

/**
 * Neurotoxin (Zhang, Panda, Song, Yang, Mahoney, Gonzalez, Ramchandran, Mittal, "Neurotoxin: Durable Backdoors in
 * Federated Learning", ICML 2022; docs/ATTACKS.md, "Neurotoxin"): the backdoor is written into the coordinates that
 * benign training changes least, so that later benign rounds overwrite it slowly.
 * <ol>
 *   <li>Benign gradient estimate: g = Σ_b ∇CE(G; b) over one pass of the client's own clean batches at G (the
 *       reference code accumulates the clean gradients of the global model the same way).</li>
 *   <li>Mask: the ⌈ratio · P⌉ trainable coordinates with the largest |g| (ties: lowest index first) are masked
 *       out (the top-k%, k = 100 · {@code mask-ratio}); the rest form the mask m.</li>
 *   <li>Poison training on pixel-pattern batches (as {@link PixelPatternAttack}) with every gradient projected
 *       onto the mask, ∇ ← ∇ ⊙ m, before the SGD step; optionally PGD onto ‖W − G‖ ≤ ε after it (the reference's
 *       norm bound; ε = 0 turns it off).</li>
 * </ol>
 */
public final class NeurotoxinAttack extends PixelPatternAttack {

    private final double maskRatio;
    private final double pgdEps;

    /**
     * @param maskRatio fraction of the trainable coordinates masked out (largest benign |g|), in [0, 1)
     * @param pgdEps    PGD radius ε after every step (0 = none)
     */
    public NeurotoxinAttack(Trigger trigger, int target, double poisonRatio, double maskRatio, double pgdEps,
                            Scaling scaling, Integer poisonEpochs, Double poisonLr) {
        super("neurotoxin", trigger, target, poisonRatio, scaling, poisonEpochs, poisonLr);
        if (!(maskRatio >= 0 && maskRatio < 1)) {
            throw new IllegalArgumentException("attack neurotoxin: mask ratio must be in [0, 1), found " + maskRatio);
        }
        if (!(pgdEps >= 0 && Double.isFinite(pgdEps))) {
            throw new IllegalArgumentException("attack neurotoxin: PGD radius must be finite and >= 0, found " + pgdEps);
        }
        this.maskRatio = maskRatio;
        this.pgdEps = pgdEps;
    }

    public double maskRatio() {
        return maskRatio;
    }

    public double pgdEps() {
        return pgdEps;
    }

    @Override
    public double train(LocalRun run) {
        Network net = run.net();
        boolean[] masked = maskedCoordinates(run);
        net.setParams(run.global()); // the clean pass moved BatchNorm statistics
        net.setDropoutStream(run.seeds().dropout(), 0);
        return LocalTrainer.loop(net, run.global(), run.data(), run.indices(), run.settings(), run.poisoning(),
            run.seeds().batches(), (n, g) -> {
                float[] grad = n.grads();
                for (int i = 0; i < grad.length; i++) {
                    if (masked[i]) {
                        grad[i] = 0f;
                    }
                }
            }, (n, g) -> projectToBall(n, g, pgdEps)).lastLoss();
    }

    /**
     * The coordinates masked out for this client: the top {@code maskRatio} of the trainable coordinates by the
     * magnitude of the clean gradient summed over one pass of the client's batches at G.
     */
    boolean[] maskedCoordinates(LocalRun run) {
        Network net = run.net();
        ParamLayout layout = net.layout();
        float[] sum = new float[layout.size()];
        net.setDropoutStream(Seeds.derive(run.seeds().dropout(), "neurotoxin"), 0);
        BatchSampler sampler = new BatchSampler(run.data(), run.indices(), run.settings().batchSize(), null,
            Seeds.derive(run.seeds().batches(), "neurotoxin"));
        Batch batch = sampler.newBatch();
        sampler.startEpoch(0);
        while (sampler.next(batch, run.settings().normalize())) {
            net.lossAndGradients(batch.x(), batch.y(), batch.size());
            float[] g = net.grads();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += g[i];
            }
        }
        int[] ranges = layout.trainableRanges();
        int trainable = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            trainable += ranges[r + 1] - ranges[r];
        }
        int k = (int) Math.ceil(maskRatio * trainable);
        boolean[] masked = new boolean[sum.length];
        if (k == 0) {
            return masked;
        }
        float[] magnitudes = new float[trainable];
        int at = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int i = ranges[r]; i < ranges[r + 1]; i++) {
                magnitudes[at++] = Math.abs(sum[i]);
            }
        }
        Arrays.sort(magnitudes);
        float threshold = magnitudes[trainable - k];
        int above = 0;
        for (float m : magnitudes) {
            if (m > threshold) {
                above++;
            }
        }
        int tiesLeft = k - above;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int i = ranges[r]; i < ranges[r + 1]; i++) {
                float m = Math.abs(sum[i]);
                if (m > threshold) {
                    masked[i] = true;
                } else if (m == threshold && tiesLeft > 0) {
                    masked[i] = true;
                    tiesLeft--;
                }
            }
        }
        return masked;
    }

    @Override
    public String describe() {
        return super.describe() + ", mask ratio " + maskRatio + ", PGD eps " + pgdEps;
    }
}
