package org.badfl.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/**
 * Checks a network's float forward and backward against {@link DoubleReference}: the forward value by value,
 * and every input gradient and (selected) trainable parameter gradient against central differences of the
 * double-precision objective.
 * <p>Tolerances. Finite differences: step {@link #H} = 1e-6 on an O(1) objective built from smooth pieces
 * gives truncation error ~h^2 |f'''| ~ 1e-12 and rounding error ~1e-16 |f| / h ~ 1e-10, so the reference
 * gradient is exact to ~1e-9. The engine computes in float32 (unit roundoff 6e-8) with sums over at most a
 * few hundred terms of magnitude &lt;= ~3 here, so its gradients carry absolute errors of order 1e-6 and
 * relative errors well below 1e-4: the bound {@code 1e-4 + 1e-3 |ref|} leaves a 10-100x margin while a wrong
 * formula (missing term, wrong index, wrong sign) produces errors of the gradient's own size (&gt; 1e-2, which
 * {@link #MIN_GRADIENT} guarantees is the scale being tested). The float forward is compared with
 * {@code 1e-5 + 1e-4 |ref|} for the same reason (fewer operations than the backward).
 * Kinks: the check is only valid when no ReLU input or max-pool decision lies within reach of the
 * perturbation; {@link #MIN_KINK_MARGIN} = 1e-4 is 100x the largest change one step of 1e-6 can make to a
 * pre-activation in these small networks, and is asserted as a precondition.
 */
final class GradientCheck {

    static final double H = 1e-6;
    static final double ATOL = 1e-4;
    static final double RTOL = 1e-3;
    static final double FORWARD_ATOL = 1e-5;
    static final double FORWARD_RTOL = 1e-4;
    static final double MIN_KINK_MARGIN = 1e-4;
    static final double MIN_GRADIENT = 1e-2;
    static final long DROPOUT_SEED = 0x5EEDL;
    static final long DROPOUT_STEP = 3;

    /** The scalar objective of the check: either a fixed weighted sum of outputs or mean cross-entropy. */
    interface Objective {
        double value(double[] output);

        float[] gradient(float[] output);
    }

    static Objective weightedSum(double[] weights) {
        return new Objective() {
            @Override
            public double value(double[] output) {
                double s = 0;
                for (int i = 0; i < weights.length; i++) {
                    s += weights[i] * output[i];
                }
                return s;
            }

            @Override
            public float[] gradient(float[] output) {
                float[] g = new float[weights.length];
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) weights[i];
                }
                return g;
            }
        };
    }

    static Objective crossEntropy(int[] labels, int classes) {
        return new Objective() {
            @Override
            public double value(double[] output) {
                return DoubleReference.crossEntropy(output, labels, classes);
            }

            @Override
            public float[] gradient(float[] output) {
                float[] g = new float[labels.length * classes];
                SoftmaxCrossEntropy.lossAndGradient(output, labels, labels.length, classes, g);
                return g;
            }
        };
    }

    static float[] gaussian(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller
            double u1 = 1.0 - r.nextDouble();
            double u2 = r.nextDouble();
            v[i] = (float) (scale * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return v;
    }

    /**
     * Gives BatchNorm parameters non-default values (gamma in [0.5, 1.5], beta in [-0.5, 0.5], running mean in
     * [-0.5, 0.5], running var in [0.5, 2]) so that the check covers general values, not only gamma 1, beta 0.
     */
    static void randomiseBatchNorm(Network net, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Layer layer : net.layers()) {
            randomiseBatchNorm(layer, net.params(), r);
        }
    }

    private static void randomiseBatchNorm(Layer layer, float[] p, SplittableRandom r) {
        for (Layer child : layer.children()) {
            randomiseBatchNorm(child, p, r);
        }
        if (layer instanceof BatchNorm2d bn) {
            for (int c = 0; c < bn.channels(); c++) {
                p[bn.weightOffset() + c] = (float) (0.5 + r.nextDouble());
                p[bn.biasOffset() + c] = (float) (r.nextDouble() - 0.5);
                p[bn.runningMeanOffset() + c] = (float) (r.nextDouble() - 0.5);
                p[bn.runningVarOffset() + c] = (float) (0.5 + 1.5 * r.nextDouble());
            }
        }
    }

    /** Runs the full check; {@code paramStride} > 1 checks only every n-th input and trainable parameter (large models). */
    static void check(Network net, float[] x, int batch, boolean training, Objective objective, int paramStride) {
        float[] p0 = net.params().clone();
        net.setDropoutStream(DROPOUT_SEED, DROPOUT_STEP);
        float[] y = net.forward(x, batch, training).clone();
        float[] dInput = new float[x.length];
        net.backward(objective.gradient(y), dInput);
        float[] grads = net.grads().clone();
        net.setParams(p0); // a training forward updated BatchNorm running statistics

        double[] pd = toDouble(p0);
        double[] xd = toDouble(x);
        DoubleReference ref = new DoubleReference(pd, training, DROPOUT_SEED, DROPOUT_STEP);
        double[] yRef = ref.forward(net.layers(), xd, batch);
        assertTrue(ref.kinkMargin >= MIN_KINK_MARGIN, net.name() + ": a ReLU input or max-pool gap is "
            + ref.kinkMargin + " from its kink; choose another seed so finite differences are valid");
        for (int i = 0; i < yRef.length; i++) {
            if (Math.abs(y[i] - yRef[i]) > FORWARD_ATOL + FORWARD_RTOL * Math.abs(yRef[i])) {
                fail(net.name() + ": forward output " + i + " is " + y[i] + ", double reference " + yRef[i]);
            }
        }

        double largest = 0;
        for (int i = 0; i < xd.length; i += paramStride) {
            double fd = centralDifference(net, xd, i, pd, -1, batch, training, objective);
            largest = Math.max(largest, Math.abs(fd));
            compare(net.name() + ": d/d input[" + i + "]", dInput[i], fd);
        }
        for (ParamLayout.Entry e : net.layout().entries()) {
            if (!e.kind().trainable()) {
                continue;
            }
            for (int i = e.offset(); i < e.end(); i++) {
                if ((i - e.offset()) % paramStride != 0) {
                    continue;
                }
                double fd = centralDifference(net, xd, -1, pd, i, batch, training, objective);
                largest = Math.max(largest, Math.abs(fd));
                compare(net.name() + ": d/d " + e.name() + "[" + (i - e.offset()) + "]", grads[i], fd);
            }
            for (int i = e.offset(); i < e.end(); i++) {
                assertTrue(Float.isFinite(grads[i]));
            }
        }
        for (ParamLayout.Entry e : net.layout().entries()) {
            if (!e.kind().trainable()) {
                for (int i = e.offset(); i < e.end(); i++) {
                    assertTrue(grads[i] == 0f, e.name() + " must have no gradient");
                }
            }
        }
        assertTrue(largest > MIN_GRADIENT, net.name() + ": gradients are all below " + MIN_GRADIENT
            + " (" + largest + "), the check would be vacuous");
    }

    private static double centralDifference(Network net, double[] x, int xIndex, double[] p, int pIndex, int batch,
                                            boolean training, Objective objective) {
        double[] target = xIndex >= 0 ? x : p;
        int index = xIndex >= 0 ? xIndex : pIndex;
        double saved = target[index];
        target[index] = saved + H;
        double plus = objective.value(new DoubleReference(p, training, DROPOUT_SEED, DROPOUT_STEP).forward(net.layers(), x, batch));
        target[index] = saved - H;
        double minus = objective.value(new DoubleReference(p, training, DROPOUT_SEED, DROPOUT_STEP).forward(net.layers(), x, batch));
        target[index] = saved;
        return (plus - minus) / (2 * H);
    }

    private static void compare(String what, float engine, double reference) {
        if (!(Math.abs(engine - reference) <= ATOL + RTOL * Math.abs(reference))) {
            fail(what + ": engine " + engine + ", finite difference " + reference);
        }
    }

    /** The double reference's distance to the nearest kink for this input (see {@link DoubleReference#kinkMargin}). */
    static double kinkMargin(Network net, float[] x, int batch, boolean training) {
        DoubleReference ref = new DoubleReference(toDouble(net.params()), training, DROPOUT_SEED, DROPOUT_STEP);
        ref.forward(net.layers(), toDouble(x), batch);
        return ref.kinkMargin;
    }

    /**
     * Kinks avoided by construction: the first input among Gaussian draws seeded {@code seed, seed+1, ...} whose
     * forward stays {@link #MIN_KINK_MARGIN} away from every ReLU and max-pool kink.
     */
    static float[] inputAwayFromKinks(Network net, int batch, boolean training, long seed) {
        for (int attempt = 0; attempt < 200; attempt++) {
            float[] x = gaussian(batch * net.inputSize(), seed + attempt, 1.0);
            if (kinkMargin(net, x, batch, training) >= MIN_KINK_MARGIN) {
                return x;
            }
        }
        throw new AssertionError(net.name() + ": no input away from kinks in 200 draws");
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
