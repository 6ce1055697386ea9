package org.badfl.engine;

/**
 * Shape of one image (or one activation map) without the batch dimension: channels x height x width.
 * Tensors are NCHW {@code float[]}: element (n, c, h, w) of a batch lives at {@code ((n*C + c)*H + h)*W + w}.
 * A flat feature vector of length F (after {@link Flatten} or a {@link Linear}) has shape F x 1 x 1.
 */
public record Shape(int channels, int height, int width) {

    public Shape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("shape must have positive channels, height and width, got "
                + channels + "x" + height + "x" + width);
        }
        if ((long) channels * height * width > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("shape " + channels + "x" + height + "x" + width + " is too large");
        }
    }

    /** Shape of a flat vector of {@code features} values (features x 1 x 1). */
    public static Shape flat(int features) {
        return new Shape(features, 1, 1);
    }

    /** Parses "CxHxW" (e.g. "1x28x28"). */
    public static Shape parse(String text) {
        String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("[x,]");
        if (parts.length != 3) {
            throw new IllegalArgumentException("input shape: expected CxHxW (e.g. 1x28x28), found '" + text + "'");
        }
        try {
            return new Shape(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()),
                Integer.parseInt(parts[2].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("input shape: expected CxHxW (e.g. 1x28x28), found '" + text + "'");
        }
    }

    /** Values per image: channels * height * width. */
    public int size() {
        return channels * height * width;
    }

    /** Values per channel plane: height * width. */
    public int plane() {
        return height * width;
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
