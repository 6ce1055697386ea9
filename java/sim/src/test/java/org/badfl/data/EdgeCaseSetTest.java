package org.badfl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EdgeCaseSetTest {

    /**
     * 1x1x2 images. Class 0 pixels (x, x) for x in {0.5, 0.5, 0.5, 0.9, 0.1, 0.5, 0.5, 0.5, 0.5, 0.5}
     * (mean 0.5): the farthest are index 3 (0.9) and index 4 (0.1), equally far; class 1 elsewhere.
     */
    private static Dataset trainSet() {
        float[] v = {0.5f, 0.5f, 0.5f, 0.9f, 0.1f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
        float[] px = new float[2 * 12];
        int[] labels = new int[12];
        for (int i = 0; i < 10; i++) {
            px[2 * i] = v[i];
            px[2 * i + 1] = v[i];
        }
        labels[10] = 1;
        labels[11] = 1;
        return Dataset.of("train", px, labels, 1, 1, 2, 2, null);
    }

    /** Test class 0 pixels 0.5, 0.55, 1.0, 0.45, 0.0 (indices 0..4) and one class 1 image. */
    private static Dataset testSet() {
        float[] v = {0.5f, 0.55f, 1.0f, 0.45f, 0.0f, 0.3f};
        float[] px = new float[12];
        for (int i = 0; i < 6; i++) {
            px[2 * i] = v[i];
            px[2 * i + 1] = v[i];
        }
        return Dataset.of("test", px, new int[] {0, 0, 0, 0, 0, 1}, 1, 1, 2, 2, null);
    }

    @Test
    void tailIsTheFarthestFromTheTrainClassMean() {
        EdgeCaseSet e = new EdgeCaseSet(trainSet(), testSet(), 0, 1, 0.2, 0.4);
        // ties (0.9 and 0.1 are both 0.4 * sqrt 2 away... up to float rounding) broken by lower index
        int[] tail = e.trainTailIndices();
        assertEquals(2, tail.length);
        assertTrue((tail[0] == 3 && tail[1] == 4) || (tail[0] == 4 && tail[1] == 3));
        // test: distances 0.5 (idx 2, 1.0) and 0.5 (idx 4, 0.0) are the largest, 2 of 5 images held out
        int[] held = e.testTailIndices();
        assertEquals(2, held.length);
        assertTrue((held[0] == 2 && held[1] == 4) || (held[0] == 4 && held[1] == 2));
        assertEquals(0.5f, e.sourceMean()[0], 1e-7f);
    }

    @Test
    void attackerSamplesAreRelabelledAndBenignSetsExcludeTails() {
        EdgeCaseSet e = new EdgeCaseSet(trainSet(), testSet(), 0, 1, 0.2, 0.4);
        Dataset attacker = e.attackerSamples();
        assertEquals(2, attacker.size());
        assertArrayEquals(new int[] {1, 1}, attacker.labels());
        assertArrayEquals(trainSet().image(e.trainTailIndices()[0]), attacker.image(0));
        int[] benign = e.benignTrainIndices();
        assertEquals(10, benign.length);
        for (int i : benign) {
            assertTrue(i != 3 && i != 4);
        }
        AsrSet asr = e.asrSet();
        assertEquals(2, asr.size());
        assertEquals(1, asr.target());
        assertArrayEquals(new int[] {0, 0}, asr.trueLabels());
        assertArrayEquals(new int[] {1, 1}, asr.dataset().labels());
        assertArrayEquals(new int[] {0, 1, 3, 5}, e.cleanTestIndices());
    }

    @Test
    void embeddedMnistSevensToOnes() {
        TrainTest tt = DatasetSource.loadEmbeddedMnist();
        EdgeCaseSet e = new EdgeCaseSet(tt.train(), tt.test());
        // 856 train sevens * 0.1 = 85.6 -> 86; 214 test sevens * 0.1 = 21.4 -> 21
        assertEquals(86, e.trainTailIndices().length);
        assertEquals(21, e.testTailIndices().length);
        float[] mean = e.sourceMean();
        double last = Double.MAX_VALUE;
        for (int i : e.trainTailIndices()) {
            assertEquals(7, tt.train().label(i));
            double d = EdgeCaseSet.distance(tt.train(), i, mean);
            assertTrue(d <= last, "tail sorted farthest first");
            last = d;
        }
        // every non-tail seven is at most as far as the nearest tail image
        for (int i : tt.train().indicesOfClass(7)) {
            boolean inTail = false;
            for (int t : e.trainTailIndices()) {
                inTail |= t == i;
            }
            if (!inTail) {
                assertTrue(EdgeCaseSet.distance(tt.train(), i, mean) <= last);
            }
        }
        assertEquals(8000 - 86, e.benignTrainIndices().length);
    }

    @Test
    void invalidArguments() {
        assertThrows(IllegalArgumentException.class, () -> new EdgeCaseSet(trainSet(), testSet(), 0, 0, 0.1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new EdgeCaseSet(trainSet(), testSet(), 0, 2, 0.1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new EdgeCaseSet(trainSet(), testSet(), 0, 1, 0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new EdgeCaseSet(trainSet(), testSet(), 0, 1, 0.1, 1.5));
    }
}
