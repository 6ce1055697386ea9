package org.badfl.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10ReaderTest {

    @TempDir
    Path dir;

    private void writeValid(Path folder) throws IOException {
        Files.createDirectories(folder);
        TestFiles.write(folder, "data_batch_1.bin", TestFiles.cifarRecords(3, 0));
        TestFiles.write(folder, "data_batch_2.bin", TestFiles.cifarRecords(2, 0));
        TestFiles.write(folder, "test_batch.bin", TestFiles.cifarRecords(4, 0));
    }

    @Test
    void readsRecordsAsChwWithLabelsAndClassNames() throws IOException {
        writeValid(dir);
        TrainTest tt = Cifar10Reader.read(dir, "cifar10:test");
        Dataset train = tt.train();
        assertEquals(5, train.size());
        assertEquals(4, tt.test().size());
        assertEquals("3x32x32", train.shapeString());
        assertEquals("truck", train.className(9));
        // data_batch_1 has records 0..2 (labels 0,1,2), data_batch_2 records 0..1 (labels 0,1), in that order
        assertEquals(Arrays.toString(new int[] {0, 1, 2, 0, 1}), Arrays.toString(train.labels()));
        // record r: pixel byte k = (r*7 + k) mod 256; green channel starts at k = 1024
        assertEquals(((1 * 7 + 1024 + 5 * 32 + 3) % 256) / 255f, train.pixel(1, 1, 5, 3));
        assertEquals(((2 * 7 + 2048 + 31 * 32 + 31) % 256) / 255f, train.pixel(2, 2, 31, 31));
        assertEquals(((0 * 7) % 256) / 255f, train.pixel(3, 0, 0, 0));
        // test split uses the training statistics
        assertEquals(train.normalization().mean(1), tt.test().normalization().mean(1));
    }

    @Test
    void findsTheReleaseSubfolder() throws IOException {
        writeValid(dir.resolve("cifar-10-batches-bin"));
        assertEquals(5, DatasetSource.load("cifar10:" + dir).train().size());
        assertEquals(4, DatasetSource.load(dir.toString()).test().size());
    }

    @Test
    void fileOfWrongSize() throws IOException {
        writeValid(dir);
        byte[] good = TestFiles.cifarRecords(2, 0);
        Path bad = TestFiles.write(dir, "data_batch_2.bin", Arrays.copyOf(good, good.length - 1));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Cifar10Reader.read(dir, "c"));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("multiple of 3073"), e.getMessage());
        assertTrue(e.getMessage().contains("found 6145 bytes"), e.getMessage());
    }

    @Test
    void labelOutOfRange() throws IOException {
        writeValid(dir);
        Path bad = TestFiles.write(dir, "test_batch.bin", TestFiles.cifarRecords(2, 9));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Cifar10Reader.read(dir, "c"));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("record 1")
            && e.getMessage().contains("found 10"), e.getMessage());
    }

    @Test
    void missingTestFile() throws IOException {
        writeValid(dir);
        Files.delete(dir.resolve("test_batch.bin"));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Cifar10Reader.read(dir, "c"));
        assertTrue(e.getMessage().contains("test_batch.bin") && e.getMessage().contains("found none"), e.getMessage());
    }

    @Test
    void emptyFileAndMissingFolder() throws IOException {
        writeValid(dir);
        TestFiles.write(dir, "data_batch_1.bin", new byte[0]);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Cifar10Reader.read(dir, "c"));
        assertTrue(e.getMessage().contains("data_batch_1.bin") && e.getMessage().contains("found 0 bytes"),
            e.getMessage());
        Path missing = dir.resolve("no-such-folder");
        DatasetFormatException e2 = assertThrows(DatasetFormatException.class, () -> Cifar10Reader.read(missing, "c"));
        assertTrue(e2.getMessage().contains(missing.toString()), e2.getMessage());
    }
}
