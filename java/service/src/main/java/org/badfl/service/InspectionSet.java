package org.badfl.service;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.badfl.engine.Shape;

/**
 * BADFL's clean inspection set as the service reads it from its own disk: images preprocessed exactly as the
 * federation's training inputs (NCHW) with their labels. File format, all little-endian:
 * <pre>
 *   8 bytes   ASCII "BADFLINS"
 *   4 int32   count, channels, height, width
 *   count     int32 labels
 *   count*channels*height*width float32 images
 * </pre>
 * ({@code badfl_client.write_inspection_set} in the Python client writes it from numpy arrays.)
 *
 * @param images NCHW values
 * @param labels one per image
 */
public record InspectionSet(Shape shape, float[] images, int[] labels) {

    private static final byte[] MAGIC = "BADFLINS".getBytes(StandardCharsets.US_ASCII);

    /** Reads and checks a file; every defect is an {@link IllegalArgumentException} naming the file. */
    public static InspectionSet read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("inspection set " + file + ": cannot read (" + e.getMessage() + ")", e);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < MAGIC.length + 16
            || !java.util.Arrays.equals(java.util.Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new IllegalArgumentException("inspection set " + file + ": not a badfl inspection set (expected the "
                + "header BADFLINS and four int32 sizes)");
        }
        in.position(MAGIC.length);
        int count = in.getInt();
        int channels = in.getInt();
        int height = in.getInt();
        int width = in.getInt();
        if (count < 1 || channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("inspection set " + file + ": sizes must be positive, found count "
                + count + ", shape " + channels + "x" + height + "x" + width);
        }
        long expected = MAGIC.length + 16L + 4L * count + 4L * count * channels * height * width;
        if (bytes.length != expected) {
            throw new IllegalArgumentException("inspection set " + file + ": " + bytes.length + " bytes, expected "
                + expected + " for " + count + " images of " + channels + "x" + height + "x" + width);
        }
        int[] labels = new int[count];
        in.asIntBuffer().get(labels);
        in.position(in.position() + 4 * count);
        float[] images = new float[count * channels * height * width];
        in.asFloatBuffer().get(images);
        for (int i = 0; i < images.length; i++) {
            if (!Float.isFinite(images[i])) {
                throw new IllegalArgumentException("inspection set " + file + ": image value " + i + " is " + images[i]);
            }
        }
        return new InspectionSet(new Shape(channels, height, width), images, labels);
    }
}
