package org.badfl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PoisoningTest {

    private static final Dataset DATA = SyntheticDataset.create(100, 4, 1, 28, 28, 3);

    private static int[] clientIndices() {
        int[] idx = new int[45];
        for (int i = 0; i < 45; i++) {
            idx[i] = 2 * i + 1;
        }
        return idx;
    }

    /** Finds which dataset image a clean slot holds (images of the synthetic set are all distinct). */
    private static int sourceOf(float[] x, int slot, int n) {
        float[] img = Arrays.copyOfRange(x, slot * n, (slot + 1) * n);
        for (int i = 0; i < DATA.size(); i++) {
            if (Arrays.equals(DATA.image(i), img)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void cleanEpochVisitsEverySampleOnceInASeededOrder() {
        BatchSampler s = new BatchSampler(DATA, clientIndices(), 10, 77);
        assertEquals(5, s.batchesPerEpoch());
        Batch b = s.newBatch();
        int n = DATA.imageSize();
        s.startEpoch(0);
        int[] seen = new int[DATA.size()];
        int batches = 0;
        int[] firstOrder = new int[45];
        int k = 0;
        while (s.next(b, false)) {
            assertEquals(batches < 4 ? 10 : 5, b.size());
            assertEquals(0, b.poisonedCount());
            for (int j = 0; j < b.size(); j++) {
                int src = sourceOf(b.x(), j, n);
                assertEquals(DATA.label(src), b.y()[j]);
                seen[src]++;
                firstOrder[k++] = src;
            }
            batches++;
        }
        assertEquals(5, batches);
        for (int i : clientIndices()) {
            assertEquals(1, seen[i]);
        }
        // same seed and epoch: same order; next epoch: a different order
        s.startEpoch(0);
        s.next(b, false);
        assertEquals(firstOrder[0], sourceOf(b.x(), 0, n));
        assertEquals(firstOrder[9], sourceOf(b.x(), 9, n));
        s.startEpoch(1);
        int[] second = new int[10];
        s.next(b, false);
        for (int j = 0; j < 10; j++) {
            second[j] = sourceOf(b.x(), j, n);
        }
        assertFalse(Arrays.equals(Arrays.copyOf(firstOrder, 10), second));
    }

    @Test
    void triggerPoisoningReplacesRoundedRatioOfEachBatch() {
        Trigger t = Trigger.backdoors101(1, 28, 28);
        BatchSampler s = new BatchSampler(DATA, clientIndices(), 16, Poisoning.trigger(t, 2, 0.5), 5);
        BatchSampler clean = new BatchSampler(DATA, clientIndices(), 16, 5);
        Batch b = s.newBatch();
        Batch c = clean.newBatch();
        int n = DATA.imageSize();
        s.startEpoch(3);
        clean.startEpoch(3);
        int[] expectedPoisoned = {8, 8, 7};  // 16, 16, 13 samples: round(0.5 * 13) = 7 (half up)
        int batch = 0;
        while (s.next(b, false)) {
            assertTrue(clean.next(c, false));
            assertEquals(expectedPoisoned[batch], b.poisonedCount());
            int flagged = 0;
            for (int j = 0; j < b.size(); j++) {
                float[] got = Arrays.copyOfRange(b.x(), j * n, (j + 1) * n);
                float[] orig = Arrays.copyOfRange(c.x(), j * n, (j + 1) * n);
                if (b.poisoned(j)) {
                    flagged++;
                    float[] expected = orig.clone();
                    t.applyInPlace(expected, 0);
                    assertArrayEquals(expected, got, "slot " + j + " is the triggered copy of its own sample");
                    assertEquals(2, b.y()[j]);
                } else {
                    assertArrayEquals(orig, got);
                    assertEquals(c.y()[j], b.y()[j]);
                }
            }
            assertEquals(expectedPoisoned[batch], flagged);
            batch++;
        }
        assertEquals(3, batch);
    }

    @Test
    void normalisationComesAfterTheTrigger() {
        Trigger t = Trigger.square(1, 28, 28, 2, 0, 0, 1f);
        BatchSampler s = new BatchSampler(DATA, clientIndices(), 8, Poisoning.trigger(t, 0, 1.0), 1);
        Batch b = s.newBatch();
        s.startEpoch(0);
        s.next(b, true);
        Normalization norm = DATA.normalization();
        assertEquals((1f - norm.mean(0)) / norm.std(0), b.x()[0], 0f);
        assertEquals(8, b.poisonedCount());
    }

    @Test
    void edgeCasePoisoningUsesThePool() {
        int[] poolIdx = {0, 2, 4};
        Dataset pool = DATA.subset(poolIdx, "pool");
        BatchSampler s = new BatchSampler(DATA, clientIndices(), 10, Poisoning.edgeCase(pool, 3, 0.3), 9);
        Batch b = s.newBatch();
        int n = DATA.imageSize();
        s.startEpoch(0);
        int[] used = new int[DATA.size()];
        int total = 0;
        while (s.next(b, false)) {
            for (int j = 0; j < b.size(); j++) {
                int src = sourceOf(b.x(), j, n);
                if (b.poisoned(j)) {
                    assertTrue(src == 0 || src == 2 || src == 4, "poisoned slot holds a pool image");
                    assertEquals(3, b.y()[j]);
                    used[src]++;
                    total++;
                } else {
                    assertEquals(1, src % 2, "clean slot holds a client image");
                }
            }
        }
        // 10,10,10,10,5 samples -> 3,3,3,3,2 poisoned = 14, cycling through the 3 pool images
        assertEquals(14, total);
        assertTrue(used[0] >= 4 && used[2] >= 4 && used[4] >= 4);
    }

    @Test
    void asrSetExcludesTheTargetClass() {
        Trigger t = Trigger.dbaGlobal(1, 28, 28);
        AsrSet asr = AsrSet.withTrigger(DATA, t, 1);
        assertEquals(DATA.size() - DATA.classHistogram()[1], asr.size());
        int[] src = asr.sourceIndices();
        int[] trueLabels = asr.trueLabels();
        for (int k = 0; k < asr.size(); k++) {
            assertTrue(trueLabels[k] != 1);
            assertEquals(DATA.label(src[k]), trueLabels[k]);
            assertEquals(1, asr.dataset().label(k));
            float[] expected = DATA.image(src[k]);
            t.applyInPlace(expected, 0);
            assertArrayEquals(expected, asr.dataset().image(k));
        }
        int[] pred = new int[asr.size()];
        pred[0] = 1;
        assertEquals(1.0 / asr.size(), asr.successRate(pred), 1e-12);
    }

    @Test
    void mismatchesAreRejected() {
        Trigger cifar = Trigger.dbaGlobal(3, 32, 32);
        assertThrows(IllegalArgumentException.class,
            () -> new BatchSampler(DATA, clientIndices(), 8, Poisoning.trigger(cifar, 0, 0.5), 1));
        assertThrows(IllegalArgumentException.class,
            () -> new BatchSampler(DATA, clientIndices(), 8, Poisoning.trigger(Trigger.dbaGlobal(1, 28, 28), 9, 0.5), 1));
        assertThrows(IllegalArgumentException.class, () -> Poisoning.trigger(cifar, 0, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new BatchSampler(DATA, new int[] {100}, 8, 1));
        assertThrows(IllegalArgumentException.class, () -> AsrSet.withTrigger(DATA, cifar, 0));
    }
}
