package org.badfl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticDatasetTest {

    @Test
    void deterministicFromTheSeed() {
        Dataset a = SyntheticDataset.create(50, 5, 2, 8, 8, 11);
        Dataset b = SyntheticDataset.create(50, 5, 2, 8, 8, 11);
        Dataset c = SyntheticDataset.create(50, 5, 2, 8, 8, 12);
        assertArrayEquals(a.labels(), b.labels());
        for (int i = 0; i < 50; i++) {
            assertArrayEquals(a.image(i), b.image(i));
        }
        assertFalse(Arrays.equals(a.image(0), c.image(0)));
        assertArrayEquals(new int[] {10, 10, 10, 10, 10}, a.classHistogram());
    }

    @Test
    void learnableByNearestClassMean() {
        TrainTest tt = SyntheticDataset.trainTest(300, 200, 10, 1, 12, 12, 4);
        Dataset train = tt.train();
        Dataset test = tt.test();
        float[][] means = new float[10][];
        for (int k = 0; k < 10; k++) {
            means[k] = EdgeCaseSet.classMean(train, train.indicesOfClass(k));
        }
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int k = 0; k < 10; k++) {
                double d = EdgeCaseSet.distance(test, i, means[k]);
                if (d < bestD) {
                    bestD = d;
                    best = k;
                }
            }
            if (best == test.label(i)) {
                correct++;
            }
        }
        // bars differ in >= 2 x 12 pixels by 0.6 while noise std is 0.3/sqrt(12) per pixel: classes are far apart
        assertTrue(correct >= 190, "nearest-mean accuracy " + correct + "/200");
    }

    @Test
    void channelsDifferAndPixelsStayInRange() {
        Dataset d = SyntheticDataset.create(20, 3, 3, 6, 6, 1);
        float[] img = d.image(0);
        for (float v : img) {
            assertTrue(v >= 0 && v <= 1);
        }
        assertFalse(Arrays.equals(Arrays.copyOfRange(img, 0, 36), Arrays.copyOfRange(img, 36, 72)));
    }

    @Test
    void tooManyClassesForTheImageIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> SyntheticDataset.create(10, 10, 1, 3, 3, 1));
        assertTrue(e.getMessage().contains("identical"), e.getMessage());
        assertEquals(2, SyntheticDataset.create(4, 2, 1, 2, 2, 1).numClasses());
    }
}
