package org.badfl.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** torch.optim.SGD semantics on a hand-made layout, including BatchNorm statistics left alone. */
class SgdTest {

    private static final ParamLayout LAYOUT = ParamLayout.of(java.util.List.of(
        new ParamLayout.Entry("w", 0, 2, ParamKind.WEIGHT),
        new ParamLayout.Entry("bn.running_mean", 2, 1, ParamKind.BN_RUNNING_MEAN),
        new ParamLayout.Entry("bn.running_var", 3, 1, ParamKind.BN_RUNNING_VAR),
        new ParamLayout.Entry("b", 4, 1, ParamKind.BIAS)));

    @Test
    void momentumAndWeightDecayAsPyTorch() {
        float[] w = {1f, -2f, 0.3f, 1.7f, 0.5f};
        float[] g = {0.5f, 0.25f, 9f, 9f, -1f};
        Sgd sgd = new Sgd(0.1, 0.9, 0.01);
        sgd.step(LAYOUT, w, g, Compute.serial());
        // d = g + 0.01 w; v = d; w -= 0.1 v  (float arithmetic, as PyTorch)
        float[] d1 = {0.5f + 0.01f * 1f, 0.25f + 0.01f * -2f, 0, 0, -1f + 0.01f * 0.5f};
        float[] w1 = {1f - 0.1f * d1[0], -2f - 0.1f * d1[1], 0.3f, 1.7f, 0.5f - 0.1f * d1[4]};
        assertArrayEquals(w1, w);
        sgd.step(LAYOUT, w, g, Compute.serial());
        float[] w2 = new float[5];
        for (int i : new int[] {0, 1, 4}) {
            float d2 = g[i] + 0.01f * w1[i];
            float v2 = 0.9f * d1[i] + d2;
            w2[i] = w1[i] - 0.1f * v2;
        }
        w2[2] = 0.3f;
        w2[3] = 1.7f;
        assertArrayEquals(w2, w, "second step uses v = 0.9 v + d; running statistics untouched");
        assertEquals(0.852151f, w[0], 1e-6f); // by hand: 0.949 - 0.1 * (0.9*0.51 + 0.50949)
    }

    @Test
    void withoutMomentumAndAfterReset() {
        float[] w = {1f, -2f, 0.3f, 1.7f, 0.5f};
        float[] g = {0.5f, 0.25f, 9f, 9f, -1f};
        new Sgd(0.5, 0, 0).step(LAYOUT, w, g, Compute.serial());
        assertArrayEquals(new float[] {0.75f, -2.125f, 0.3f, 1.7f, 1f}, w);
        Sgd sgd = new Sgd(0.1, 0.9, 0);
        float[] a = {1f, 1f, 0f, 0f, 1f};
        sgd.step(LAYOUT, a, g, Compute.serial());
        sgd.reset();
        float[] b = a.clone();
        sgd.step(LAYOUT, a, g, Compute.serial());
        new Sgd(0.1, 0.9, 0).step(LAYOUT, b, g, Compute.serial());
        assertArrayEquals(b, a, "after reset the velocity starts from zero");
    }

    @Test
    void oneOptimiserPerModel() {
        Sgd sgd = new Sgd(0.1, 0.9, 0);
        sgd.step(LAYOUT, new float[5], new float[5], Compute.serial());
        ParamLayout other = ParamLayout.of(java.util.List.of(new ParamLayout.Entry("w", 0, 3, ParamKind.WEIGHT)));
        assertThrows(IllegalArgumentException.class, () -> sgd.step(other, new float[3], new float[3], Compute.serial()));
        assertThrows(IllegalArgumentException.class, () -> sgd.step(LAYOUT, new float[4], new float[5], Compute.serial()));
    }
}
