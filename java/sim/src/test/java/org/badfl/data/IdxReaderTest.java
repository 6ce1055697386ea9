package org.badfl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    private Path images(String name, byte[] content) throws IOException {
        return TestFiles.write(dir, name, content);
    }

    private Path validImages(int n) throws IOException {
        return images("img", TestFiles.idxImages(IdxReader.IMAGES_MAGIC, n, 3, 2, TestFiles.pixels(n, 3, 2)));
    }

    private Path validLabels(int n, int classes) throws IOException {
        byte[] l = new byte[n];
        for (int i = 0; i < n; i++) {
            l[i] = (byte) (i % classes);
        }
        return images("lab", TestFiles.idxLabels(IdxReader.LABELS_MAGIC, n, l));
    }

    @Test
    void readsRawFilePixelsAsBytesOver255() throws IOException {
        Dataset d = IdxReader.read("t", validImages(4), validLabels(4, 3), 3, false, null);
        assertEquals(4, d.size());
        assertEquals("1x3x2", d.shapeString());
        assertArrayEquals(new int[] {0, 1, 2, 0}, d.labels());
        // image 2 pixel (row 1, col 0) = byte (2*31 + 1*2 + 0) = 64
        assertEquals(64 / 255f, d.pixel(2, 0, 1, 0));
        assertEquals(5 / 255f, d.pixel(0, 0, 2, 1));
    }

    @Test
    void gzipAndRawGiveTheSameDataset() throws IOException {
        byte[] img = TestFiles.idxImages(IdxReader.IMAGES_MAGIC, 5, 3, 2, TestFiles.pixels(5, 3, 2));
        Path gz = images("img.gz", TestFiles.gzip(img));
        Path raw = images("img.raw", img);
        Path lab = validLabels(5, 10);
        Dataset a = IdxReader.read("a", gz, lab, 10, false, null);
        Dataset b = IdxReader.read("b", raw, lab, 10, false, null);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(a.image(i), b.image(i));
        }
    }

    @Test
    void transposedReadingTurnsEmnistImagesUpright() throws IOException {
        // stored 3 rows x 2 cols; upright image is 2 rows x 3 cols with upright(r, c) = stored(c, r)
        Dataset stored = IdxReader.read("s", validImages(2), validLabels(2, 2), 2, false, null);
        Dataset upright = IdxReader.read("u", validImages(2), validLabels(2, 2), 2, true, null);
        assertEquals(2, upright.height());
        assertEquals(3, upright.width());
        for (int i = 0; i < 2; i++) {
            for (int r = 0; r < 2; r++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(stored.pixel(i, 0, c, r), upright.pixel(i, 0, r, c));
                }
            }
        }
    }

    @Test
    void classCountIsInferredWhenNotGiven() throws IOException {
        Dataset d = IdxReader.read("t", validImages(6), validLabels(6, 5), 0, false, null);
        assertEquals(5, d.numClasses());
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    @Test
    void wrongImageMagicNamesFileExpectedAndFound() throws IOException {
        Path bad = images("bad-images", TestFiles.idxImages(0x00000804, 1, 3, 2, TestFiles.pixels(1, 3, 2)));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
            () -> IdxReader.read("t", bad, validLabels(1, 2), 2, false, null));
        assertMessage(e, bad.toString(), "0x00000803", "found 0x00000804");
    }

    @Test
    void labelFileGivenAsImagesIsRecognised() throws IOException {
        Path lab = validLabels(3, 2);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
            () -> IdxReader.read("t", lab, lab, 2, false, null));
        assertMessage(e, lab.toString(), "0x00000803", "0x00000801", "a label file");
    }

    @Test
    void wrongLabelMagic() throws IOException {
        Path lab = images("bad-labels", TestFiles.idxLabels(0x00000803, 2, new byte[] {0, 1}));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
            () -> IdxReader.read("t", validImages(2), lab, 2, false, null));
        assertMessage(e, lab.toString(), "0x00000801", "found 0x00000803");
    }

    @Test
    void truncatedRawImageFile() throws IOException {
        byte[] full = TestFiles.idxImages(IdxReader.IMAGES_MAGIC, 4, 3, 2, TestFiles.pixels(4, 3, 2));
        Path cut = images("cut", Arrays.copyOf(full, full.length - 5));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
            () -> IdxReader.read("t", cut, validLabels(4, 2), 2, false, null));
        assertMessage(e, cut.toString(), "truncated", "24 bytes", "found 19 bytes");
    }

    @Test
    void truncatedHeader() throws IOException {
        Path cut = images("short", new byte[] {0, 0, 8, 3, 0, 0});
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
            () -> IdxReader.read("t", cut, validLabels(1, 2), 2, false, null));
        assertMessage(e, cut.toString(), "truncated", "image count, rows and columns", "found 2 bytes");
    }

    @Test
    void truncatedGzipStream() throws IOException {
        byte[] img = TestFiles.idxImages(IdxReader.IMAGES_MAGIC, 50, 3, 2, TestFiles.pixels(50, 3, 2));
        byte[] gz = TestFiles.gzip(img);
        Path cut = images("cut.gz", Arrays.copyOf(gz, gz.length / 2));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
            () -> IdxReader.read("t", cut, validLabels(50, 2), 2, false, null));
        assertMessage(e, cut.toString(), "truncated");
    }

    @Test
    void trailingBytesAreAnError() throws IOException {
        byte[] full = TestFiles.idxLabels(IdxReader.LABELS_MAGIC, 2, new byte[] {0, 1});
        Path lab = images("long", Arrays.copyOf(full, full.length + 3));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
            () -> IdxReader.read("t", validImages(2), lab, 2, false, null));
        assertMessage(e, lab.toString(), "exactly 10 bytes", "found more");
    }

    @Test
    void imageLabelCountMismatch() throws IOException {
        Path img = validImages(4);
        Path lab = validLabels(3, 2);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
            () -> IdxReader.read("t", img, lab, 2, false, null));
        assertMessage(e, img.toString(), lab.toString(), "4 images", "3 labels");
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path lab = images("lab-range", TestFiles.idxLabels(IdxReader.LABELS_MAGIC, 3, new byte[] {0, 12, 1}));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
            () -> IdxReader.read("t", validImages(3), lab, 10, false, null));
        assertMessage(e, lab.toString(), "label 1", "[0, 10)", "found 12");
    }

    @Test
    void zeroDimensionsRejected() throws IOException {
        Path img = images("zero", TestFiles.idxImages(IdxReader.IMAGES_MAGIC, 1, 0, 2, new byte[0]));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
            () -> IdxReader.read("t", img, validLabels(1, 2), 2, false, null));
        assertMessage(e, img.toString(), "rows 0");
    }

    @Test
    void missingPathAndDirectoryAreNamed() throws IOException {
        Path missing = dir.resolve("nope-images");
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
            () -> IdxReader.read("t", missing, validLabels(1, 2), 2, false, null));
        assertMessage(e, missing.toString(), "found nothing");
        Path folder = Files.createDirectory(dir.resolve("a-folder"));
        DatasetFormatException e2 = assertThrows(DatasetFormatException.class,
            () -> IdxReader.read("t", folder, validLabels(1, 2), 2, false, null));
        assertMessage(e2, folder.toString(), "directory");
    }
}
