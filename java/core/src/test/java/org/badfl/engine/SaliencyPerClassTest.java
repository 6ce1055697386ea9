package org.badfl.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared-forward saliency of every class equals one {@link Network#saliency} call per class, bit for bit, on
 * every registered model (trained BatchNorm statistics included), plain and guided, serial and on two threads.
 */
class SaliencyPerClassTest {

    static java.util.List<String> models() {
        return Models.names();
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyClassEqualsItsOwnPass(String name) {
        Shape input = Models.defaultInput(name);
        Network net = Models.spec(name, input, 10).build();
        net.initialise(5);
        SplittableRandom r = new SplittableRandom(9);
        int batch = 3;
        float[] x = new float[batch * input.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        // A training step moves BatchNorm running statistics and weights away from their initial values.
        net.trainStep(x, new int[] {1, 4, 7}, batch, new Sgd(0.05, 0.9, 0));
        try (Compute two = Compute.create(2)) {
            for (Compute compute : new Compute[] {Compute.serial(), two}) {
                net.setCompute(compute);
                for (boolean guided : new boolean[] {true, false}) {
                    float[][] all = net.saliencyPerClass(x, batch, guided);
                    assertEquals(10, all.length);
                    for (int c = 0; c < 10; c++) {
                        assertArrayEquals(net.saliency(x, batch, c, guided), all[c],
                            name + " class " + c + (guided ? " guided" : " plain"));
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> net.saliencyPerClass(x, 0, true));
    }
}
