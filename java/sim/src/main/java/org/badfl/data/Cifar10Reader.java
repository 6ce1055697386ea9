package org.badfl.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reader of the CIFAR-10 binary version (A. Krizhevsky, "Learning Multiple Layers of Features from Tiny Images",
 * 2009; www.cs.toronto.edu/~kriz/cifar.html, "cifar-10-binary.tar.gz"): each file is a sequence of 3073-byte
 * records, one label byte (0..9) then 1024 red, 1024 green and 1024 blue bytes of a 32x32 image in row-major
 * order, i.e. already CHW. Training files {@code data_batch_<k>.bin} (k = 1..5 in the release), test file
 * {@code test_batch.bin}.
 *
 * <p>Validation: every file must exist, be non-empty and have a size that is a multiple of 3073; every label
 * must be below 10. Failures throw {@link DatasetFormatException} naming the file, what was expected and what
 * was found; nothing partial is returned.
 */
public final class Cifar10Reader {

    public static final int SIDE = 32;
    public static final int CHANNELS = 3;
    public static final int RECORD_BYTES = 1 + CHANNELS * SIDE * SIDE;
    public static final List<String> CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
        "frog", "horse", "ship", "truck");
    private static final Pattern TRAIN_FILE = Pattern.compile("data_batch_(\\d+)\\.bin");

    private Cifar10Reader() {
    }

    /**
     * The folder holding the .bin files: {@code folder} itself, or its {@code cifar-10-batches-bin}
     * subfolder (the layout of the unpacked release). Null when neither holds {@code test_batch.bin} or a
     * {@code data_batch_*.bin}.
     */
    public static Path locate(Path folder) {
        for (Path candidate : List.of(folder, folder.resolve("cifar-10-batches-bin"))) {
            if (Files.isDirectory(candidate) && (Files.exists(candidate.resolve("test_batch.bin"))
                || !trainFiles(candidate).isEmpty())) {
                return candidate;
            }
        }
        return null;
    }

    /** Training files {@code data_batch_<k>.bin} of {@code folder} in increasing k. */
    public static List<Path> trainFiles(Path folder) {
        TreeMap<Integer, Path> byNumber = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder, "data_batch_*.bin")) {
            for (Path p : dir) {
                Matcher m = TRAIN_FILE.matcher(p.getFileName().toString());
                if (m.matches()) {
                    byNumber.put(Integer.parseInt(m.group(1)), p);
                }
            }
        } catch (IOException e) {
            throw new DatasetFormatException(folder + ": expected a readable CIFAR-10 folder, found an I/O error: " + e, e);
        }
        return new ArrayList<>(byNumber.values());
    }

    /** Train split (all {@code data_batch_*.bin}) and test split ({@code test_batch.bin}) of a CIFAR-10 folder. */
    public static TrainTest read(Path folder, String name) {
        Path dir = locate(folder);
        if (dir == null) {
            throw new DatasetFormatException(folder + ": expected a CIFAR-10 binary folder (data_batch_1.bin ... "
                + "data_batch_5.bin, test_batch.bin, or a cifar-10-batches-bin subfolder), found "
                + (Files.isDirectory(folder) ? "no such files" : "no folder at that path"));
        }
        List<Path> train = trainFiles(dir);
        if (train.isEmpty()) {
            throw new DatasetFormatException(dir + ": expected training files data_batch_1.bin ... data_batch_5.bin, "
                + "found none");
        }
        Path test = dir.resolve("test_batch.bin");
        if (!Files.exists(test)) {
            throw new DatasetFormatException(dir + ": expected the test file test_batch.bin, found none");
        }
        Dataset trainSet = readFiles(name + "/train", train, null);
        Dataset testSet = readFiles(name + "/test", List.of(test), trainSet.normalization());
        List<DataFile> files = new ArrayList<>();
        for (Path f : train) {
            files.add(DataFile.of(f));
        }
        files.add(DataFile.of(test));
        return new TrainTest(trainSet, testSet, name, "CIFAR-10 binary files in " + dir, files);
    }

    /** Reads and concatenates CIFAR-10 binary files (in the given order) into one dataset. */
    public static Dataset readFiles(String name, List<Path> files, Normalization normalization) {
        List<byte[]> contents = new ArrayList<>();
        long records = 0;
        for (Path f : files) {
            byte[] b = readFile(f);
            contents.add(b);
            records += b.length / RECORD_BYTES;
        }
        int imageSize = RECORD_BYTES - 1;
        if (records * imageSize > Integer.MAX_VALUE - 8) {
            throw new DatasetFormatException(files + ": " + records + " images exceed what a Java array can hold");
        }
        float[] px = new float[(int) (records * imageSize)];
        int[] labels = new int[(int) records];
        int k = 0;
        for (int f = 0; f < files.size(); f++) {
            byte[] b = contents.get(f);
            for (int r = 0; r < b.length / RECORD_BYTES; r++, k++) {
                int base = r * RECORD_BYTES;
                int label = b[base] & 0xFF;
                if (label >= CLASS_NAMES.size()) {
                    throw new DatasetFormatException(files.get(f) + ": label of record " + r + " expected in [0, 10), "
                        + "found " + label);
                }
                labels[k] = label;
                int out = k * imageSize;
                for (int p = 0; p < imageSize; p++) {
                    px[out + p] = (b[base + 1 + p] & 0xFF) / 255f;
                }
            }
        }
        return new Dataset(name, px, labels, CHANNELS, SIDE, SIDE, CLASS_NAMES.size(), CLASS_NAMES, normalization);
    }

    private static byte[] readFile(Path f) {
        if (!Files.isRegularFile(f)) {
            throw new DatasetFormatException(f + ": expected a CIFAR-10 binary file, found "
                + (Files.exists(f) ? "a directory or special file" : "nothing at that path"));
        }
        try {
            long size = Files.size(f);
            if (size == 0 || size % RECORD_BYTES != 0) {
                throw new DatasetFormatException(f + ": expected a size that is a positive multiple of " + RECORD_BYTES
                    + " bytes (1 label + 3072 pixel bytes per image), found " + size + " bytes");
            }
            if (size > Integer.MAX_VALUE - 8) {
                throw new DatasetFormatException(f + ": expected at most 2 GiB, found " + size + " bytes");
            }
            byte[] b = Files.readAllBytes(f);
            if (b.length != size) {
                throw new DatasetFormatException(f + ": expected " + size + " bytes, read " + b.length
                    + " (file changed while reading)");
            }
            return b;
        } catch (IOException e) {
            throw new DatasetFormatException(f + ": expected a readable file, found an I/O error: " + e, e);
        }
    }
}
