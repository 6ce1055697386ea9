package org.badfl.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFileTest {

    @TempDir
    Path dir;

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void everyIdxFileReadIsListedWithItsSha256() throws Exception {
        TestFiles.idxSet(dir, "", "t10k", 12, 5, 4, 4, 3, true);
        TrainTest tt = DatasetSource.load("idx:" + dir);
        List<String> names = tt.files().stream().map(DataFile::name).toList();
        assertEquals(List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz"), names);
        for (DataFile f : tt.files()) {
            byte[] bytes = Files.readAllBytes(dir.resolve(f.name()));
            assertEquals(sha256(bytes), f.sha256(), f.name());
            assertEquals(bytes.length, f.bytes(), f.name());
        }
    }

    @Test
    void computedOncePerFileAndAgainWhenTheFileChanges() throws Exception {
        Path p = TestFiles.write(dir, "a.bin", new byte[] {1, 2, 3});
        DataFile first = DataFile.of(p);
        assertSame(first, DataFile.of(p), "the second call is served from the cache");
        assertEquals(sha256(new byte[] {1, 2, 3}), first.sha256());
        Files.write(p, new byte[] {1, 2, 4, 5});
        Files.setLastModifiedTime(p, FileTime.fromMillis(Files.getLastModifiedTime(p).toMillis() + 5000));
        DataFile changed = DataFile.of(p);
        assertNotEquals(first.sha256(), changed.sha256());
        assertEquals(sha256(new byte[] {1, 2, 4, 5}), changed.sha256());
    }

    @Test
    void embeddedMnistAndCifarFilesAreListed() throws Exception {
        TrainTest mnist = DatasetSource.load("mnist-embedded");
        assertEquals(4, mnist.files().size());
        byte[] resource;
        try (var in = DataFile.class.getResourceAsStream("/org/badfl/data/mnist-embedded/t10k-labels-idx1-ubyte.gz")) {
            resource = in.readAllBytes();
        }
        assertEquals(new DataFile("org/badfl/data/mnist-embedded/t10k-labels-idx1-ubyte.gz", resource.length,
            sha256(resource)), mnist.files().get(3));

        Path c = Files.createDirectory(dir.resolve("cifar"));
        TestFiles.write(c, "data_batch_1.bin", TestFiles.cifarRecords(3, 0));
        TestFiles.write(c, "test_batch.bin", TestFiles.cifarRecords(2, 0));
        TrainTest cifar = DatasetSource.load("cifar10:" + c);
        assertEquals(List.of("data_batch_1.bin", "test_batch.bin"), cifar.files().stream().map(DataFile::name).toList());
        assertEquals(sha256(Files.readAllBytes(c.resolve("test_batch.bin"))), cifar.files().get(1).sha256());
        assertEquals(List.of(), DatasetSource.load("synthetic:n=20,test=10,classes=2,size=8").files());
    }
}
