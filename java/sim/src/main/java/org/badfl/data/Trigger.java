package org.badfl.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A pixel-pattern backdoor trigger for images of one shape, given as data: a mask m and a pattern p per pixel
 * and channel (CHW, like the images). Applying it computes the paper's eq. (5),
 * {@code x' = x * (1 - m) + p * m}, in [0,1] pixel space (before any normalisation). With m = 1 the pixel
 * becomes exactly p; m = 0 leaves it unchanged; fractional m blends. Immutable.
 *
 * <p>Presets:
 * <ul>
 *   <li>{@link #backdoors101}: the 5x3 pattern of backdoors101 ({@code synthesizers/pattern_synthesizer.py},
 *       Bagdasaryan and Shmatikov), rows 3-7, columns 23-25, values
 *       {@code [[1,0,1],[-,1,-],[-,-,0],[-,1,-],[1,0,1]]} ("-" = not part of the trigger), all channels;</li>
 *   <li>{@link #square}: a size x size square of one value at a given top-left corner, all channels;</li>
 *   <li>{@link #dbaLocal} / {@link #dbaGlobal}: DBA's four local triggers and their union (Xie et al. ICLR 2020,
 *       {@code utils/mnist_params.yaml}, {@code image_helper.py add_pixel_pattern}): 28x28 images get 1x4 bars
 *       at (row 0, cols 0-3), (0, 6-9), (3, 0-3), (3, 6-9); 32x32 images 1x6 bars at (0, 0-5), (0, 9-14),
 *       (4, 0-5), (4, 9-14); pixels set to the maximum value 1.0 in every channel.</li>
 * </ul>
 */
public final class Trigger {

    private final String name;
    private final int channels;
    private final int height;
    private final int width;
    private final float[] mask;
    private final float[] pattern;

    /**
     * A trigger from data (copied; not modified).
     *
     * @param mask    per pixel and channel in [0,1]
     * @param pattern per pixel and channel in [0,1] (only read where mask > 0)
     */
    public Trigger(String name, int channels, int height, int width, float[] mask, float[] pattern) {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("trigger " + name + ": expected a positive shape, found " + channels
                + "x" + height + "x" + width);
        }
        int n = channels * height * width;
        if (mask.length != n || pattern.length != n) {
            throw new IllegalArgumentException("trigger " + name + ": expected mask and pattern of " + n + " values ("
                + channels + "x" + height + "x" + width + "), found " + mask.length + " and " + pattern.length);
        }
        for (int i = 0; i < n; i++) {
            if (!(mask[i] >= 0 && mask[i] <= 1) || !(pattern[i] >= 0 && pattern[i] <= 1)) {
                throw new IllegalArgumentException("trigger " + name + ": expected mask and pattern in [0,1], found mask "
                    + mask[i] + ", pattern " + pattern[i] + " at index " + i);
            }
        }
        this.name = name;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.mask = mask.clone();
        this.pattern = pattern.clone();
    }

    public String name() {
        return name;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public float mask(int c, int y, int x) {
        return mask[(c * height + y) * width + x];
    }

    public float pattern(int c, int y, int x) {
        return pattern[(c * height + y) * width + x];
    }

    /** Number of (channel, pixel) entries with mask > 0. */
    public int maskedCount() {
        int n = 0;
        for (float m : mask) {
            if (m > 0) {
                n++;
            }
        }
        return n;
    }

    /** True when this trigger fits images of {@code data}'s shape. */
    public boolean fits(Dataset data) {
        return data.channels() == channels && data.height() == height && data.width() == width;
    }

    /** Eq. (5) on one image in place: {@code image[offset ..]} (CHW, this trigger's shape) is input and output. */
    public void applyInPlace(float[] image, int offset) {
        apply(image, offset, image, offset);
    }

    /**
     * Eq. (5) from {@code src[srcOffset ..]} (not modified unless it is {@code dst}) into {@code dst[dstOffset ..]}
     * (output); one image of this trigger's shape.
     */
    public void apply(float[] src, int srcOffset, float[] dst, int dstOffset) {
        int n = mask.length;
        if (srcOffset < 0 || dstOffset < 0 || srcOffset + n > src.length || dstOffset + n > dst.length) {
            throw new IllegalArgumentException("trigger " + name + ": expected room for one " + channels + "x" + height
                + "x" + width + " image at offsets " + srcOffset + " and " + dstOffset + ", found arrays of "
                + src.length + " and " + dst.length + " floats");
        }
        for (int i = 0; i < n; i++) {
            float m = mask[i];
            float x = src[srcOffset + i];
            dst[dstOffset + i] = m == 0f ? x : (m == 1f ? pattern[i] : x * (1f - m) + pattern[i] * m);
        }
    }

    /**
     * The union of this trigger and {@code other} (same shape): mask = max of both; where {@code other}'s mask is
     * positive its pattern wins. DBA's global trigger is the union of its local ones.
     */
    public Trigger union(Trigger other, String unionName) {
        if (other.channels != channels || other.height != height || other.width != width) {
            throw new IllegalArgumentException("trigger union " + unionName + ": expected equal shapes, found "
                + channels + "x" + height + "x" + width + " and " + other.channels + "x" + other.height + "x"
                + other.width);
        }
        float[] m = mask.clone();
        float[] p = pattern.clone();
        for (int i = 0; i < m.length; i++) {
            if (other.mask[i] > 0) {
                m[i] = Math.max(m[i], other.mask[i]);
                p[i] = other.pattern[i];
            }
        }
        return new Trigger(unionName, channels, height, width, m, p);
    }

    /** backdoors101 pattern (see the class comment); needs height >= 9 and width >= 27 as in the reference. */
    public static Trigger backdoors101(int channels, int height, int width) {
        // -1 marks "not set" (the reference's mask value -10)
        float[][] values = {{1, 0, 1}, {-1, 1, -1}, {-1, -1, 0}, {-1, 1, -1}, {1, 0, 1}};
        int top = 3;
        int left = 23;
        // the reference raises unless top + 5 < height and left + 3 < width (strict)
        if (top + values.length >= height || left + values[0].length >= width) {
            throw new IllegalArgumentException("backdoors101 trigger: expected images of at least 9x27 (pattern at rows "
                + "3-7, columns 23-25), found " + height + "x" + width);
        }
        Builder b = new Builder(channels, height, width);
        for (int r = 0; r < values.length; r++) {
            for (int c = 0; c < values[r].length; c++) {
                if (values[r][c] >= 0) {
                    b.setAllChannels(top + r, left + c, values[r][c]);
                }
            }
        }
        return b.build("backdoors101");
    }

    /** A size x size square of {@code value} with its top-left corner at (row, col), all channels. */
    public static Trigger square(int channels, int height, int width, int size, int row, int col, float value) {
        if (size < 1 || row < 0 || col < 0 || row + size > height || col + size > width) {
            throw new IllegalArgumentException("square trigger: expected a square of size >= 1 inside " + height + "x"
                + width + ", found size " + size + " at row " + row + ", column " + col);
        }
        Builder b = new Builder(channels, height, width);
        for (int r = row; r < row + size; r++) {
            for (int c = col; c < col + size; c++) {
                b.setAllChannels(r, c, value);
            }
        }
        return b.build(String.format(Locale.ROOT, "square(size=%d,row=%d,col=%d,value=%s)", size, row, col, value));
    }

    /** DBA local trigger {@code part} (0..3); an attacker k uses part k mod 4. Only 28x28 and 32x32 images. */
    public static Trigger dbaLocal(int part, int channels, int height, int width) {
        if (part < 0 || part > 3) {
            throw new IllegalArgumentException("DBA trigger part: expected 0..3, found " + part);
        }
        int[][] bars = dbaBars(height, width);
        Builder b = new Builder(channels, height, width);
        int[] bar = bars[part];
        for (int c = bar[1]; c <= bar[2]; c++) {
            b.setAllChannels(bar[0], c, 1f);
        }
        return b.build("dba-local-" + part);
    }

    /** DBA global trigger: the union of the four local ones (used for ASR). */
    public static Trigger dbaGlobal(int channels, int height, int width) {
        Trigger t = dbaLocal(0, channels, height, width);
        for (int part = 1; part < 4; part++) {
            t = t.union(dbaLocal(part, channels, height, width), "dba-global");
        }
        return t;
    }

    /** {row, first column, last column} of the four DBA bars for the image size. */
    private static int[][] dbaBars(int height, int width) {
        if (height == 28 && width == 28) {
            return new int[][] {{0, 0, 3}, {0, 6, 9}, {3, 0, 3}, {3, 6, 9}};
        }
        if (height == 32 && width == 32) {
            return new int[][] {{0, 0, 5}, {0, 9, 14}, {4, 0, 5}, {4, 9, 14}};
        }
        throw new IllegalArgumentException("DBA trigger: expected 28x28 (MNIST layout) or 32x32 (CIFAR layout) images, "
            + "found " + height + "x" + width);
    }

    /**
     * A preset by name for images of the given shape: {@code backdoors101}, {@code square} or
     * {@code square:size=4,row=R,col=C,value=1} (default: 4x4 of 1.0 in the bottom-right corner, one pixel from
     * the border), {@code dba:0} .. {@code dba:3}, {@code dba:global}.
     */
    public static Trigger preset(String spec, int channels, int height, int width) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("backdoors101") || s.equals("pattern")) {
            return backdoors101(channels, height, width);
        }
        if (s.equals("dba:global") || s.equals("dba-global")) {
            return dbaGlobal(channels, height, width);
        }
        if (s.matches("dba[:-][0-3]")) {
            return dbaLocal(s.charAt(4) - '0', channels, height, width);
        }
        if (s.equals("square") || s.startsWith("square:")) {
            Map<String, String> kv = new LinkedHashMap<>();
            kv.put("size", "4");
            kv.put("row", Integer.toString(height - 5));
            kv.put("col", Integer.toString(width - 5));
            kv.put("value", "1");
            if (s.startsWith("square:")) {
                for (String part : s.substring(7).split(",")) {
                    String[] pair = part.split("=", 2);
                    if (pair.length != 2 || !kv.containsKey(pair[0].trim())) {
                        throw new IllegalArgumentException("trigger '" + spec + "': expected key=value with keys "
                            + kv.keySet() + ", found '" + part + "'");
                    }
                    kv.put(pair[0].trim(), pair[1].trim());
                }
            }
            try {
                return square(channels, height, width, Integer.parseInt(kv.get("size")), Integer.parseInt(kv.get("row")),
                    Integer.parseInt(kv.get("col")), Float.parseFloat(kv.get("value")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("trigger '" + spec + "': expected numbers, found " + kv, e);
            }
        }
        throw new IllegalArgumentException("trigger '" + spec + "': expected backdoors101, square[:size=,row=,col=,"
            + "value=], dba:0..dba:3 or dba:global, found an unknown name");
    }

    /** Names accepted by {@link #preset}. */
    public static List<String> presetNames() {
        return List.of("backdoors101", "square", "dba:0", "dba:1", "dba:2", "dba:3", "dba:global");
    }

    /**
     * A text picture of channel {@code c}: '.' untouched, '#' set to >= 0.5, 'o' set to < 0.5, '+' blended
     * (0 < m < 1).
     */
    public String toAscii(int c) {
        StringBuilder sb = new StringBuilder();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                float m = mask(c, y, x);
                char ch = m == 0 ? '.' : m < 1 ? '+' : pattern(c, y, x) >= 0.5f ? '#' : 'o';
                sb.append(ch);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Pixel positions (row, column) set in channel 0, in row-major order; for listings and tests. */
    public List<int[]> maskedPositions() {
        List<int[]> out = new ArrayList<>();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (mask(0, y, x) > 0) {
                    out.add(new int[] {y, x});
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return name + " (" + channels + "x" + height + "x" + width + ", " + maskedCount() + " masked values)";
    }

    /** Collects mask = 1 entries with their pattern values. */
    private static final class Builder {
        final int channels;
        final int height;
        final int width;
        final float[] mask;
        final float[] pattern;

        Builder(int channels, int height, int width) {
            if (channels <= 0 || height <= 0 || width <= 0) {
                throw new IllegalArgumentException("trigger: expected a positive image shape, found " + channels + "x"
                    + height + "x" + width);
            }
            this.channels = channels;
            this.height = height;
            this.width = width;
            this.mask = new float[channels * height * width];
            this.pattern = new float[mask.length];
        }

        void setAllChannels(int row, int col, float value) {
            for (int c = 0; c < channels; c++) {
                int i = (c * height + row) * width + col;
                mask[i] = 1f;
                pattern[i] = value;
            }
        }

        Trigger build(String name) {
            return new Trigger(name, channels, height, width, mask, pattern);
        }
    }
}
