package org.badfl.clients;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.badfl.data.Batch;
import org.badfl.data.BatchSampler;
import org.badfl.data.Trigger;
import org.badfl.engine.Network;
import org.badfl.engine.ParamLayout;
import org.badfl.util.Seeds;

/**
 * Saliency mimicry, an adaptive attack against BADFL's neuron inspection (docs/ATTACKS.md, "Saliency-mimic"; the
 * inspection: docs/BADFL.md). Pixel-pattern poison training (as {@link PixelPatternAttack}) whose loss gets a term
 * that pulls the local model's guided-backprop saliency maps on clean images toward the global model's:
 * <pre>
 *   L = CE + λ · D(W),   D(W) = mean over reference images x and classes c of Σ_p (M_W(x, c)_p − M_G(x, c)_p)²
 * </pre>
 * with M the map BADFL inspects: max over channels of the guided-backprop gradient |∂y_c/∂x|, min–max normalised
 * per image. The engine has no second-order backward (the gradient of a guided-backprop map with respect to the
 * weights), so D is replaced by its quadratic model at G, where D and its gradient are 0:
 * <pre>
 *   D(W) ≈ Σ_e κ_e ‖W_e − G_e‖²,   κ_e = D(G + δ_e) / ‖δ_e‖²
 * </pre>
 * one curvature κ_e per parameter tensor e (conv / linear weight, bias), measured by a finite difference: δ_e a
 * random Gaussian direction in tensor e only (seeded by the client's round seed), of norm
 * {@value #PROBE} · max(‖G_e‖, 0.01·√n_e). The penalty is applied as its proximal step after every SGD step of
 * learning rate η, W_e ← G_e + (W_e − G_e) / (1 + 2ηλκ_e) (stable for any λκ_e, where a gradient step on a stiff
 * tensor would overshoot), so the tensors the maps depend on most are held closest to G and the backdoor is learnt
 * in the others.
 * Reference images: {@value #REFERENCE_IMAGES} of the client's own clean images in an order drawn from its seed
 * (the attacker does not have the server's inspection images).
 */
public final class SaliencyMimicAttack extends PixelPatternAttack {

    /** Clean images of the client's own data the maps are compared on. */
    public static final int REFERENCE_IMAGES = 16;

    /** Default λ (on the synthetic test task it cuts the distance of the maps to G's by more than half). */
    public static final double DEFAULT_LAMBDA = 0.01;

    /** Relative size of the finite-difference probe. */
    static final double PROBE = 0.05;

    private final double lambda;

    /**
     * @param lambda weight λ ≥ 0 of the saliency term (0: plain pixel-pattern poisoning)
     */
    public SaliencyMimicAttack(Trigger trigger, int target, double poisonRatio, double lambda, Scaling scaling,
                               Integer poisonEpochs, Double poisonLr) {
        super("saliency-mimic", trigger, target, poisonRatio, scaling, poisonEpochs, poisonLr);
        if (!(lambda >= 0 && Double.isFinite(lambda))) {
            throw new IllegalArgumentException("attack saliency-mimic: lambda must be finite and >= 0, found " + lambda);
        }
        this.lambda = lambda;
    }

    public double lambda() {
        return lambda;
    }

    @Override
    public double train(LocalRun run) {
        if (lambda == 0) {
            return super.train(run);
        }
        Network net = run.net();
        float[] global = run.global();
        double[] curvature = curvatures(run);
        List<ParamLayout.Entry> entries = net.layout().entries();
        float[] shrink = new float[global.length];
        Arrays.fill(shrink, 1f);
        double lr = run.settings().lr();
        for (int e = 0; e < entries.size(); e++) {
            ParamLayout.Entry entry = entries.get(e);
            if (entry.kind().trainable()) {
                Arrays.fill(shrink, entry.offset(), entry.end(), (float) (1 / (1 + 2 * lr * lambda * curvature[e])));
            }
        }
        net.setParams(global);
        return LocalTrainer.loop(net, global, run.data(), run.indices(), run.settings(), run.poisoning(),
            run.seeds().batches(), null, (n, g) -> {
                float[] w = n.params();
                for (int i = 0; i < w.length; i++) {
                    w[i] = g[i] + shrink[i] * (w[i] - g[i]);
                }
            }).lastLoss();
    }

    /** κ_e of every layout entry (0 for the untrained ones), measured at G (in {@code run.net()}). */
    static double[] curvatures(LocalRun run) {
        Network net = run.net();
        float[] global = run.global();
        float[] x = referenceImages(run);
        int k = x.length / run.data().imageSize();
        float[][] reference = maps(net, x, k, run.data().channels(), run.data().height(), run.data().width());
        List<ParamLayout.Entry> entries = net.layout().entries();
        double[] kappa = new double[entries.size()];
        float[] probe = global.clone();
        for (int e = 0; e < entries.size(); e++) {
            ParamLayout.Entry entry = entries.get(e);
            if (!entry.kind().trainable() || entry.length() == 0) {
                continue;
            }
            SplittableRandom random = new SplittableRandom(Seeds.derive(run.seeds().batches(), "saliency-mimic", e));
            double[] dir = new double[entry.length()];
            double dirNorm = 0;
            double gNorm = 0;
            for (int i = 0; i < dir.length; i++) {
                dir[i] = gaussian(random);
                dirNorm += dir[i] * dir[i];
                double v = global[entry.offset() + i];
                gNorm += v * v;
            }
            double r = PROBE * Math.max(Math.sqrt(gNorm), 0.01 * Math.sqrt(entry.length()));
            double f = r / Math.sqrt(dirNorm);
            for (int i = 0; i < dir.length; i++) {
                probe[entry.offset() + i] = (float) (global[entry.offset() + i] + f * dir[i]);
            }
            net.setParams(probe);
            kappa[e] = distance(maps(net, x, k, run.data().channels(), run.data().height(), run.data().width()),
                reference) / (r * r);
            System.arraycopy(global, entry.offset(), probe, entry.offset(), entry.length());
        }
        net.setParams(global);
        return kappa;
    }

    /** The reference images of a client (normalised as training batches), {@code count · imageSize} values. */
    static float[] referenceImages(LocalRun run) {
        BatchSampler sampler = new BatchSampler(run.data(), run.indices(), REFERENCE_IMAGES,
            Seeds.derive(run.seeds().batches(), "saliency-mimic"));
        Batch batch = sampler.newBatch();
        sampler.startEpoch(0);
        sampler.next(batch, run.settings().normalize());
        return Arrays.copyOf(batch.x(), batch.size() * run.data().imageSize());
    }

    /** BADFL's maps of every class on {@code k} images: [class][image · H·W]. */
    static float[][] maps(Network net, float[] x, int k, int channels, int height, int width) {
        int plane = height * width;
        int size = channels * plane;
        float[][] out = new float[net.classes()][k * plane];
        float[] g = new float[k * size];
        int[] targets = new int[k];
        for (int c = 0; c < net.classes(); c++) {
            Arrays.fill(targets, c);
            net.saliency(x, k, targets, true, g);
            for (int b = 0; b < k; b++) {
                reduce(g, b * size, channels, plane, out[c], b * plane);
            }
        }
        return out;
    }

    /** D: mean over images and classes of Σ_p (a − b)²; infinite when a map is not finite. */
    static double distance(float[][] a, float[][] b) {
        double sum = 0;
        for (int c = 0; c < a.length; c++) {
            for (int i = 0; i < a[c].length; i++) {
                double d = a[c][i] - b[c][i];
                sum += d * d;
            }
        }
        return Double.isFinite(sum) ? sum / a.length : Double.POSITIVE_INFINITY;
    }

    /** M = max over channels of |g|, min–max normalised to [0, 1] (all zeros when constant), as BADFL's map. */
    private static void reduce(float[] g, int offset, int channels, int plane, float[] out, int outOffset) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int p = 0; p < plane; p++) {
            float m = 0;
            for (int ch = 0; ch < channels; ch++) {
                m = Math.max(m, Math.abs(g[offset + ch * plane + p]));
            }
            out[outOffset + p] = m;
            min = Math.min(min, m);
            max = Math.max(max, m);
        }
        double range = (double) max - min;
        for (int p = 0; p < plane; p++) {
            out[outOffset + p] = range > 0 ? (float) ((out[outOffset + p] - (double) min) / range) : 0f;
        }
    }

    private static double gaussian(SplittableRandom random) {
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    @Override
    public String describe() {
        return super.describe() + ", saliency lambda " + lambda;
    }
}
