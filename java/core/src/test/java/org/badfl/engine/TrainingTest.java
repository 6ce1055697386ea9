package org.badfl.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The small CNN learns a deterministic synthetic 10-class image task. */
class TrainingTest {

    private static final int SIDE = 28;

    /**
     * Class k: a bright 5x5 square centred on cell k of a 4x3 grid (cells 7 px apart), jittered by up to ±2 px,
     * on Gaussian noise of standard deviation 0.3. Learnable only by locating the square.
     */
    private static void sample(SplittableRandom r, float[] x, int offset, int label) {
        for (int i = 0; i < SIDE * SIDE; i++) {
            x[offset + i] = (float) (0.3 * gaussian(r));
        }
        int cy = 4 + 7 * (label / 4) + 3 + r.nextInt(-2, 3);
        int cx = 4 + 7 * (label % 4) + r.nextInt(-2, 3);
        for (int y = cy - 2; y <= cy + 2; y++) {
            for (int xx = cx - 2; xx <= cx + 2; xx++) {
                x[offset + y * SIDE + xx] += 1f;
            }
        }
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @Test
    void smallCnnReachesNinetyPercentOnSyntheticTask() {
        SplittableRandom data = new SplittableRandom(2024);
        int train = 800;
        int batch = 32;
        float[] xs = new float[train * SIDE * SIDE];
        int[] ys = new int[train];
        for (int i = 0; i < train; i++) {
            ys[i] = i % 10;
            sample(data, xs, i * SIDE * SIDE, ys[i]);
        }
        Network net = Models.create("cnn-small", 1, SIDE, SIDE, 10, 11);
        Sgd sgd = new Sgd(0.05, 0.9, 0);
        float[] x = new float[batch * SIDE * SIDE];
        int[] y = new int[batch];
        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        for (int epoch = 0; epoch < 2; epoch++) {
            for (int start = 0; start + batch <= train; start += batch) {
                System.arraycopy(xs, start * SIDE * SIDE, x, 0, x.length);
                System.arraycopy(ys, start, y, 0, batch);
                lastLoss = net.trainStep(x, y, batch, sgd);
                if (Double.isNaN(firstLoss)) {
                    firstLoss = lastLoss;
                }
            }
        }
        int test = 500;
        float[] tx = new float[test * SIDE * SIDE];
        int[] ty = new int[test];
        for (int i = 0; i < test; i++) {
            ty[i] = data.nextInt(10);
            sample(data, tx, i * SIDE * SIDE, ty[i]);
        }
        int[] predicted = new int[test];
        net.predict(tx, test, predicted);
        int correct = 0;
        for (int i = 0; i < test; i++) {
            correct += predicted[i] == ty[i] ? 1 : 0;
        }
        double accuracy = correct / (double) test;
        System.out.println("synthetic task: loss " + firstLoss + " -> " + lastLoss + ", held-out accuracy " + accuracy);
        assertTrue(lastLoss < firstLoss / 4, "loss " + firstLoss + " -> " + lastLoss);
        assertTrue(accuracy >= 0.90, "held-out accuracy " + accuracy);
    }
}
