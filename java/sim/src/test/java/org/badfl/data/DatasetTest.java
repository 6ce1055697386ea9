package org.badfl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetTest {

    /** 3 images of 2 channels x 1 x 2: image i channel c pixel x = (i*4 + c*2 + x) / 16. */
    private static Dataset tiny() {
        float[] px = new float[12];
        for (int k = 0; k < 12; k++) {
            px[k] = k / 16f;
        }
        return Dataset.of("tiny", px, new int[] {2, 0, 2}, 2, 1, 2, 3, List.of("a", "b", "c"));
    }

    @Test
    void accessorsAndHistogram() {
        Dataset d = tiny();
        assertEquals(3, d.size());
        assertEquals(4, d.imageSize());
        assertEquals(6 / 16f, d.pixel(1, 1, 0, 0));
        assertArrayEquals(new int[] {1, 0, 2}, d.classHistogram());
        assertArrayEquals(new int[] {0, 0, 1}, d.classHistogram(new int[] {0}));
        assertArrayEquals(new int[] {0, 2}, d.indicesOfClass(2));
        assertEquals("c", d.className(2));
    }

    @Test
    void immutableAgainstCallerArrays() {
        float[] px = new float[4];
        int[] labels = {1};
        Dataset d = Dataset.of("x", px, labels, 1, 2, 2, 2, null);
        px[0] = 0.9f;
        labels[0] = 0;
        d.labels()[0] = 0;
        d.image(0)[0] = 0.5f;
        assertEquals(0f, d.pixel(0, 0, 0, 0));
        assertEquals(1, d.label(0));
    }

    @Test
    void normalisationIsPerChannelPopulationStats() {
        Dataset d = tiny();
        // channel 0 values: 0,1,4,5,8,9 (/16): mean 27/6/16; channel 1: 2,3,6,7,10,11 (/16)
        double m0 = (0 + 1 + 4 + 5 + 8 + 9) / 6.0 / 16;
        double var0 = 0;
        for (int v : new int[] {0, 1, 4, 5, 8, 9}) {
            var0 += (v / 16.0 - m0) * (v / 16.0 - m0);
        }
        var0 /= 6;
        Normalization n = d.normalization();
        assertEquals(m0, n.mean(0), 1e-7);
        assertEquals(Math.sqrt(var0), n.std(0), 1e-7);
        assertEquals(m0 + 2 / 16.0, n.mean(1), 1e-7);
    }

    @Test
    void fillBatchCopiesAndOptionallyNormalises() {
        Dataset d = tiny();
        float[] x = new float[8];
        int[] y = new int[2];
        d.fillBatch(new int[] {2, 1, 0}, 0, 2, x, y, false);
        assertArrayEquals(new int[] {2, 0}, y);
        assertEquals(8 / 16f, x[0]);
        assertEquals(7 / 16f, x[7]);
        d.fillBatch(new int[] {2, 1, 0}, 0, 2, x, y, true);
        Normalization n = d.normalization();
        assertEquals((8 / 16f - n.mean(0)) / n.std(0), x[0], 0f);
        assertEquals((7 / 16f - n.mean(1)) / n.std(1), x[7], 0f);
        assertThrows(IllegalArgumentException.class, () -> d.fillBatch(new int[] {0, 1, 2}, 0, 3, x, y, false));
    }

    @Test
    void subsetKeepsParentNormalisation() {
        Dataset d = tiny();
        Dataset s = d.subset(new int[] {2, 2}, "s");
        assertEquals(2, s.size());
        assertArrayEquals(d.image(2), s.image(1));
        assertEquals(d.normalization().mean(0), s.normalization().mean(0));
    }

    @Test
    void invalidInputsAreRejected() {
        assertThrows(IllegalArgumentException.class,
            () -> Dataset.of("x", new float[] {1.5f, 0, 0, 0}, new int[] {0}, 1, 2, 2, 1, null));
        assertThrows(IllegalArgumentException.class,
            () -> Dataset.of("x", new float[4], new int[] {3}, 1, 2, 2, 2, null));
        assertThrows(IllegalArgumentException.class,
            () -> Dataset.of("x", new float[5], new int[] {0}, 1, 2, 2, 2, null));
        assertThrows(IllegalArgumentException.class,
            () -> Dataset.of("x", new float[4], new int[] {0}, 1, 2, 2, 2, List.of("only one")));
    }
}
