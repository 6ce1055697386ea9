package org.badfl.gpu.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.badfl.gpu.EmulatedDevice;
import org.junit.jupiter.api.Test;

/**
 * DeviceGemm's launch plan: a pure function of the shape (the numerics of every plan are checked by
 * {@link TrainingChecks}). Shapes are those of a ResNet-18 step at batch 128 (forward, weight gradient) and of the
 * paper CNN, where the H100 profile showed which choices leave SMs idle.
 */
class DeviceGemmPlanTest {

    private static DeviceGemm.Plan plan(int m, int n, int k) {
        try (EmulatedDevice dev = new EmulatedDevice(1); DeviceGemm g = new DeviceGemm(dev)) {
            return g.plan(m, n, k);
        }
    }

    private static void assertPlan(int m, int n, int k, int tileM, int tileN, int splits) {
        DeviceGemm.Plan p = plan(m, n, k);
        assertEquals(tileM + "x" + tileN + " x" + splits, p.tileM() + "x" + p.tileN() + " x" + p.splits(),
            "plan of " + m + "x" + n + "x" + k);
        assertTrue((long) p.splits() * p.kSlice() >= k && (long) (p.splits() - 1) * p.kSlice() < k,
            "slices cover k exactly once: " + p);
        assertEquals(0, p.kSlice() % 8, "whole k tiles per slice: " + p);
    }

    @Test
    void largeForwardProductsUseTheLargestTileWithoutSplitting() {
        assertPlan(128, 32768, 1152, 128, 128, 1); // layer 2 forward: 256 tiles
        assertPlan(64, 131072, 576, 64, 128, 1); // layer 1 forward: m < 128
    }

    @Test
    void fewTilesWithLongKAreSplitUpToTheTarget() {
        assertPlan(256, 8192, 2304, 128, 128, 2); // layer 3 forward: 128 tiles
        assertPlan(512, 2048, 4608, 128, 128, 4); // layer 4 forward: 64 tiles
        assertPlan(256, 2304, 8192, 128, 128, 8); // layer 3 weight gradient: was 64x64 unsplit (144 blocks)
        assertPlan(64, 576, 131072, 64, 128, 52); // layer 1 weight gradient
        assertPlan(9, 13, 1100, 64, 64, 4); // small product, long k: slices of >= 256
    }

    @Test
    void shortKFallsBackToSmallerTilesAndTheMostBlocks() {
        assertPlan(512, 2048, 256, 64, 64, 1); // 1x1 shortcut of layer 4: k too short to split, 64x64 gives 256
        assertPlan(64, 128, 9216, 64, 64, 36); // paper CNN fc1 forward: never reaches the target; the most blocks
        assertPlan(10, 10, 100, 64, 64, 1);
    }
}
