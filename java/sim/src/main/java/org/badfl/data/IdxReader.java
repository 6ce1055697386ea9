package org.badfl.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader of the IDX format of MNIST, Fashion-MNIST and EMNIST (format: Y. LeCun, "THE MNIST DATABASE of
 * handwritten digits", yann.lecun.com/exdb/mnist): big-endian int32 magic {@code 0x00000803} (unsigned byte,
 * 3 dimensions) then count, rows, columns and count*rows*cols pixel bytes for images; magic
 * {@code 0x00000801} then count and count label bytes for labels. Raw or gzip (detected from the content,
 * not the file name).
 *
 * <p>Everything is validated before a dataset is built: magic numbers, positive dimensions, the exact byte
 * count (truncated files and trailing bytes are both errors), image/label count match and labels within the
 * class count. Failures throw {@link DatasetFormatException} naming the file, what was expected and what was
 * found. EMNIST files store each image transposed (column-major); {@code transposed = true} turns them
 * upright, as torchvision's EMNIST loader does.
 */
public final class IdxReader {

    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;
    /** Largest side accepted; IDX image files of real datasets are far smaller. */
    static final int MAX_SIDE = 4096;

    private IdxReader() {
    }

    /** Decoded image file: {@code count} images of rows x cols bytes, row-major as stored. */
    record Images(String file, int count, int rows, int cols, byte[] pixels) {
    }

    /** Decoded label file. */
    record Labels(String file, byte[] labels) {
    }

    /**
     * Reads an image file and a label file into a dataset of 1-channel images with pixels {@code byte/255}.
     *
     * @param numClasses number of classes; {@code <= 0} infers it as max label + 1
     * @param transposed true for EMNIST (stored column-major)
     * @param classNames null for "0", "1", ...
     */
    public static Dataset read(String name, Path imagesFile, Path labelsFile, int numClasses, boolean transposed,
                               List<String> classNames) {
        Images images = readImages(imagesFile);
        Labels labels = readLabels(labelsFile);
        int classes = numClasses > 0 ? numClasses : maxLabel(labels) + 1;
        return toDataset(name, images, labels, classes, transposed, classNames, null);
    }

    static Images readImages(Path file) {
        try (InputStream in = open(file)) {
            return readImages(file.toString(), in);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    static Labels readLabels(Path file) {
        try (InputStream in = open(file)) {
            return readLabels(file.toString(), in);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** Reads an IDX image file from {@code in} (raw or gzip); {@code file} names it in messages. */
    static Images readImages(String file, InputStream raw) throws IOException {
        InputStream in = decompressIfGzip(raw);
        // magic first, so that a wrong kind of file is reported as such even when it is shorter than a header
        int magic = intAt(readExactly(file, in, 4, "a 4-byte IDX magic number"), 0);
        if (magic != IMAGES_MAGIC) {
            throw new DatasetFormatException(file + ": expected IDX image magic number 0x00000803 (unsigned bytes, 3 "
                + "dimensions), found " + hex(magic) + (magic == LABELS_MAGIC ? " (a label file)" : ""));
        }
        byte[] header = readExactly(file, in, 12, "the image count, rows and columns after the magic number");
        int count = intAt(header, 0);
        int rows = intAt(header, 4);
        int cols = intAt(header, 8);
        if (count < 0 || rows <= 0 || cols <= 0 || rows > MAX_SIDE || cols > MAX_SIDE) {
            throw new DatasetFormatException(file + ": expected count >= 0 and 1 <= rows, columns <= " + MAX_SIDE
                + ", found count " + count + ", rows " + rows + ", columns " + cols);
        }
        long bytes = (long) count * rows * cols;
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new DatasetFormatException(file + ": " + count + " images of " + rows + "x" + cols
                + " exceed the 2 GiB a Java array can hold");
        }
        byte[] pixels = readExactly(file, in, (int) bytes, count + " images of " + rows + "x" + cols
            + " pixels after the header");
        expectEnd(file, in, 16 + bytes);
        return new Images(file, count, rows, cols, pixels);
    }

    /** Reads an IDX label file from {@code in} (raw or gzip); {@code file} names it in messages. */
    static Labels readLabels(String file, InputStream raw) throws IOException {
        InputStream in = decompressIfGzip(raw);
        int magic = intAt(readExactly(file, in, 4, "a 4-byte IDX magic number"), 0);
        if (magic != LABELS_MAGIC) {
            throw new DatasetFormatException(file + ": expected IDX label magic number 0x00000801 (unsigned bytes, 1 "
                + "dimension), found " + hex(magic) + (magic == IMAGES_MAGIC ? " (an image file)" : ""));
        }
        int count = intAt(readExactly(file, in, 4, "the label count after the magic number"), 0);
        if (count < 0) {
            throw new DatasetFormatException(file + ": expected a label count >= 0, found " + count);
        }
        byte[] labels = readExactly(file, in, count, count + " label bytes after the header");
        expectEnd(file, in, 8L + count);
        return new Labels(file, labels);
    }

    static int maxLabel(Labels labels) {
        int max = -1;
        for (byte b : labels.labels) {
            max = Math.max(max, b & 0xFF);
        }
        return max;
    }

    /**
     * Builds a dataset from decoded files after checking the image/label counts and the label range.
     *
     * @param normalization null to compute it from these images when needed
     */
    static Dataset toDataset(String name, Images images, Labels labels, int numClasses, boolean transposed,
                             List<String> classNames, Normalization normalization) {
        return toDataset(name, images, labels, numClasses, 0, transposed, classNames, normalization);
    }

    /**
     * As above, with every stored label lowered by {@code labelOffset} (EMNIST letters stores 1..26 for a..z).
     */
    static Dataset toDataset(String name, Images images, Labels labels, int numClasses, int labelOffset,
                             boolean transposed, List<String> classNames, Normalization normalization) {
        if (images.count != labels.labels.length) {
            throw new DatasetFormatException(images.file + " and " + labels.file + ": expected as many labels as images, "
                + "found " + images.count + " images and " + labels.labels.length + " labels");
        }
        int[] lab = new int[images.count];
        for (int i = 0; i < lab.length; i++) {
            lab[i] = (labels.labels[i] & 0xFF) - labelOffset;
            if (lab[i] < 0 || lab[i] >= numClasses) {
                throw new DatasetFormatException(labels.file + ": label " + i + " expected in [" + labelOffset + ", "
                    + (numClasses + labelOffset) + "), found " + (lab[i] + labelOffset));
            }
        }
        int rows = images.rows;
        int cols = images.cols;
        int plane = rows * cols;
        float[] px = new float[images.pixels.length];
        byte[] src = images.pixels;
        for (int i = 0; i < images.count; i++) {
            int base = i * plane;
            if (transposed) {
                // stored element (r, c) at r*cols + c is the upright pixel (row c, column r) of a cols x rows image
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        px[base + c * rows + r] = (src[base + r * cols + c] & 0xFF) / 255f;
                    }
                }
            } else {
                for (int p = 0; p < plane; p++) {
                    px[base + p] = (src[base + p] & 0xFF) / 255f;
                }
            }
        }
        int height = transposed ? cols : rows;
        int width = transposed ? rows : cols;
        return new Dataset(name, px, lab, 1, height, width, numClasses, classNames, normalization);
    }

    static InputStream open(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new DatasetFormatException(file + ": expected an IDX file, found nothing at that path");
        }
        if (!Files.isRegularFile(file)) {
            throw new DatasetFormatException(file + ": expected an IDX file, found a directory or special file");
        }
        return Files.newInputStream(file);
    }

    static DatasetFormatException unreadable(Path file, IOException e) {
        return new DatasetFormatException(file + ": expected a readable file, found an I/O error: " + e, e);
    }

    /** Wraps {@code raw} in a gzip decoder when it starts with the gzip magic bytes 1f 8b. */
    static InputStream decompressIfGzip(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return in;
    }

    /** Reads exactly {@code n} bytes or throws a message saying how many were found. */
    static byte[] readExactly(String file, InputStream in, int n, String what) throws IOException {
        byte[] out = new byte[n];
        int got = 0;
        try {
            while (got < n) {
                int r = in.read(out, got, n - got);
                if (r < 0) {
                    break;
                }
                got += r;
            }
        } catch (EOFException e) {
            throw new DatasetFormatException(file + ": truncated gzip stream: expected " + what + " (" + n
                + " bytes), the compressed data ended after " + got + " of them", e);
        } catch (ZipException e) {
            throw new DatasetFormatException(file + ": expected valid gzip data, found corrupt data: " + e.getMessage(), e);
        }
        if (got < n) {
            throw new DatasetFormatException(file + ": truncated file: expected " + what + " (" + n + " bytes), found "
                + got + " bytes");
        }
        return out;
    }

    private static void expectEnd(String file, InputStream in, long expectedTotal) throws IOException {
        int extra;
        try {
            extra = in.read();
        } catch (EOFException e) {
            throw new DatasetFormatException(file + ": truncated gzip stream after " + expectedTotal + " bytes", e);
        } catch (ZipException e) {
            throw new DatasetFormatException(file + ": expected valid gzip data, found corrupt data: " + e.getMessage(), e);
        }
        if (extra >= 0) {
            throw new DatasetFormatException(file + ": expected exactly " + expectedTotal
                + " bytes as the header announces, found more (trailing data)");
        }
    }

    private static int intAt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    private static String hex(int v) {
        return String.format("0x%08X", v);
    }
}
