package org.badfl.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes tiny IDX and CIFAR-10 files for the reader tests. */
final class TestFiles {

    private TestFiles() {
    }

    /** IDX image file bytes: magic, count, rows, cols, then pixel bytes. */
    static byte[] idxImages(int magic, int count, int rows, int cols, byte[] pixels) {
        ByteBuffer b = ByteBuffer.allocate(16 + pixels.length);
        b.putInt(magic).putInt(count).putInt(rows).putInt(cols).put(pixels);
        return b.array();
    }

    static byte[] idxLabels(int magic, int count, byte[] labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(magic).putInt(count).put(labels);
        return b.array();
    }

    /** Pixel bytes of {@code count} rows x cols images where pixel (i, r, c) = (i * 31 + r * cols + c) mod 256. */
    static byte[] pixels(int count, int rows, int cols) {
        byte[] p = new byte[count * rows * cols];
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < rows * cols; k++) {
                p[i * rows * cols + k] = (byte) ((i * 31 + k) % 256);
            }
        }
        return p;
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }

    static Path write(Path dir, String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    /** A valid IDX set of {@code prefix}{train,t10k}-{images,labels} files with labels i mod classes. */
    static void idxSet(Path dir, String prefix, String testWord, int nTrain, int nTest, int rows, int cols,
                       int classes, boolean gz) throws IOException {
        String suffix = gz ? ".gz" : "";
        for (String split : new String[] {"train", testWord}) {
            int n = split.equals("train") ? nTrain : nTest;
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) {
                labels[i] = (byte) (i % classes);
            }
            byte[] img = idxImages(IdxReader.IMAGES_MAGIC, n, rows, cols, pixels(n, rows, cols));
            byte[] lab = idxLabels(IdxReader.LABELS_MAGIC, n, labels);
            write(dir, prefix + split + "-images-idx3-ubyte" + suffix, gz ? gzip(img) : img);
            write(dir, prefix + split + "-labels-idx1-ubyte" + suffix, gz ? gzip(lab) : lab);
        }
    }

    /** CIFAR-10 records: label (r mod 10 + offset) then pixel bytes (r*7 + k) mod 256. */
    static byte[] cifarRecords(int records, int labelOffset) {
        byte[] b = new byte[records * Cifar10Reader.RECORD_BYTES];
        for (int r = 0; r < records; r++) {
            int base = r * Cifar10Reader.RECORD_BYTES;
            b[base] = (byte) ((r % 10) + labelOffset);
            for (int k = 0; k < Cifar10Reader.RECORD_BYTES - 1; k++) {
                b[base + 1 + k] = (byte) ((r * 7 + k) % 256);
            }
        }
        return b;
    }
}
