package org.badfl.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An image classification dataset held in memory: {@code size()} images of {@code channels x height x width}
 * floats in [0,1] (NCHW, one flat array, image i at offset {@code i * imageSize()}), an int label per image in
 * {@code [0, numClasses)}, optional class names, a name, and the per-channel {@link Normalization} that
 * {@link #fillBatch} applies on request.
 *
 * <p><b>Immutable</b>: the arrays are never exposed; every accessor copies, and derived datasets
 * ({@link #subset}, {@link #withLabels}, {@link #withNormalization}) copy what they change. A subset keeps the
 * normalisation of its parent, so a client's shard is normalised with the training statistics.
 *
 * <p>Pixel space: readers store {@code byte / 255}. Triggers ({@link Trigger}) act on these [0,1] values;
 * normalisation happens only when a batch is filled with {@code normalize = true}.
 */
public final class Dataset {

    private final String name;
    private final int channels;
    private final int height;
    private final int width;
    private final int numClasses;
    private final float[] images;
    private final int[] labels;
    private final List<String> classNames;
    private volatile Normalization normalization;

    /**
     * Takes ownership of {@code images} and {@code labels} (callers in this package pass fresh arrays).
     * {@code normalization} null means "compute it from these images when first needed".
     */
    Dataset(String name, float[] images, int[] labels, int channels, int height, int width, int numClasses,
            List<String> classNames, Normalization normalization) {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("dataset " + name + ": expected positive channels, height, width, found "
                + channels + "x" + height + "x" + width);
        }
        if (numClasses <= 0) {
            throw new IllegalArgumentException("dataset " + name + ": expected at least one class, found " + numClasses);
        }
        long imageSize = (long) channels * height * width;
        if ((long) labels.length * imageSize != images.length) {
            throw new IllegalArgumentException("dataset " + name + ": expected " + labels.length + " images x "
                + imageSize + " floats = " + labels.length * imageSize + " floats, found " + images.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("dataset " + name + ": label of image " + i + " expected in [0, "
                    + numClasses + "), found " + labels[i]);
            }
        }
        if (classNames != null && classNames.size() != numClasses) {
            throw new IllegalArgumentException("dataset " + name + ": expected " + numClasses + " class names, found "
                + classNames.size());
        }
        if (normalization != null && normalization.channels() != channels) {
            throw new IllegalArgumentException("dataset " + name + ": normalisation has " + normalization.channels()
                + " channels, images have " + channels);
        }
        this.name = name;
        this.images = images;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.numClasses = numClasses;
        this.classNames = classNames == null ? null : Collections.unmodifiableList(new ArrayList<>(classNames));
        this.normalization = normalization;
    }

    /**
     * A dataset from caller arrays (copied; not modified). Pixels must be finite and in [0,1].
     *
     * @param classNames null for the default names "0", "1", ...
     */
    public static Dataset of(String name, float[] images, int[] labels, int channels, int height, int width,
                             int numClasses, List<String> classNames) {
        for (int i = 0; i < images.length; i++) {
            float v = images[i];
            if (!(v >= 0f && v <= 1f)) {
                throw new IllegalArgumentException("dataset " + name + ": pixel values expected in [0,1], found "
                    + v + " at float index " + i);
            }
        }
        return new Dataset(name, images.clone(), labels.clone(), channels, height, width, numClasses, classNames, null);
    }

    public String name() {
        return name;
    }

    public int size() {
        return labels.length;
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

    /** Floats per image: channels x height x width. */
    public int imageSize() {
        return channels * height * width;
    }

    public int numClasses() {
        return numClasses;
    }

    /** "CxHxW", e.g. "1x28x28". */
    public String shapeString() {
        return channels + "x" + height + "x" + width;
    }

    /** Class names; the defaults "0", "1", ... when none were given. */
    public List<String> classNames() {
        if (classNames != null) {
            return classNames;
        }
        List<String> names = new ArrayList<>(numClasses);
        for (int k = 0; k < numClasses; k++) {
            names.add(Integer.toString(k));
        }
        return Collections.unmodifiableList(names);
    }

    public String className(int label) {
        checkClass(label);
        return classNames == null ? Integer.toString(label) : classNames.get(label);
    }

    public int label(int index) {
        checkIndex(index);
        return labels[index];
    }

    /** A copy of all labels. */
    public int[] labels() {
        return labels.clone();
    }

    /** Pixel value in [0,1] of image {@code index}, channel {@code c}, row {@code y}, column {@code x}. */
    public float pixel(int index, int c, int y, int x) {
        checkIndex(index);
        if (c < 0 || c >= channels || y < 0 || y >= height || x < 0 || x >= width) {
            throw new IndexOutOfBoundsException("pixel (" + c + "," + y + "," + x + ") outside " + shapeString());
        }
        return images[index * imageSize() + (c * height + y) * width + x];
    }

    /** Copies image {@code index} ([0,1] pixels, CHW) into {@code dst} at {@code dstOffset} (output). */
    public void copyImage(int index, float[] dst, int dstOffset) {
        checkIndex(index);
        int n = imageSize();
        System.arraycopy(images, index * n, dst, dstOffset, n);
    }

    /** A new array holding image {@code index}. */
    public float[] image(int index) {
        float[] out = new float[imageSize()];
        copyImage(index, out, 0);
        return out;
    }

    /**
     * The per-channel statistics used by {@link #fillBatch} with {@code normalize = true}: those given when the
     * dataset was made (a test split and subsets get the training statistics), otherwise computed from these
     * images on first use.
     */
    public Normalization normalization() {
        Normalization n = normalization;
        if (n == null) {
            synchronized (this) {
                n = normalization;
                if (n == null) {
                    n = Normalization.of(images, labels.length, channels, height * width);
                    normalization = n;
                }
            }
        }
        return n;
    }

    /** The same images and labels with other normalisation statistics (arrays shared: both are immutable). */
    public Dataset withNormalization(Normalization stats) {
        return new Dataset(name, images, labels, channels, height, width, numClasses, classNames, stats);
    }

    /** Same images, other name (arrays shared). */
    public Dataset withName(String newName) {
        return new Dataset(newName, images, labels, channels, height, width, numClasses, classNames, normalization);
    }

    /** The same images with new labels (copied; not modified), e.g. an edge-case set relabelled to the target. */
    public Dataset withLabels(int[] newLabels, String newName) {
        if (newLabels.length != labels.length) {
            throw new IllegalArgumentException("dataset " + name + ": expected " + labels.length + " new labels, found "
                + newLabels.length);
        }
        return new Dataset(newName, images, newLabels.clone(), channels, height, width, numClasses, classNames,
            normalization());
    }

    /**
     * The images at {@code indices} (in that order; repeats allowed; not modified), copied, with this dataset's
     * normalisation statistics.
     */
    public Dataset subset(int[] indices, String subsetName) {
        int n = imageSize();
        float[] img = new float[Math.multiplyExact(indices.length, n)];
        int[] lab = new int[indices.length];
        for (int j = 0; j < indices.length; j++) {
            int i = indices[j];
            checkIndex(i);
            System.arraycopy(images, i * n, img, j * n, n);
            lab[j] = labels[i];
        }
        return new Dataset(subsetName, img, lab, channels, height, width, numClasses, classNames, normalization());
    }

    /**
     * Fills a batch: images {@code indices[from .. from+count)} into {@code x} (count x imageSize floats from 0,
     * output) and their labels into {@code y} (output, may be null). With {@code normalize} the images are
     * normalised by {@link #normalization()}, otherwise they stay in [0,1]. {@code indices} is not modified.
     */
    public void fillBatch(int[] indices, int from, int count, float[] x, int[] y, boolean normalize) {
        int n = imageSize();
        if (count < 0 || from < 0 || from + count > indices.length) {
            throw new IllegalArgumentException("batch of " + count + " from position " + from + ": expected within "
                + indices.length + " indices");
        }
        if (x.length < count * n || (y != null && y.length < count)) {
            throw new IllegalArgumentException("batch buffers: expected room for " + count + " images of " + n
                + " floats and " + count + " labels, found " + x.length + " floats and "
                + (y == null ? 0 : y.length) + " labels");
        }
        for (int j = 0; j < count; j++) {
            int i = indices[from + j];
            checkIndex(i);
            System.arraycopy(images, i * n, x, j * n, n);
            if (y != null) {
                y[j] = labels[i];
            }
        }
        if (normalize) {
            normalization().applyInPlace(x, 0, count, height * width);
        }
    }

    /**
     * Every image, NCHW in index order, normalised with {@link #normalization()} when {@code normalize} is set
     * (e.g. a server's inspection images, taken exactly as clients train on them). A new array.
     */
    public float[] allImages(boolean normalize) {
        int n = size();
        float[] x = new float[n * imageSize()];
        if (n > 0) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            fillBatch(all, 0, n, x, new int[n], normalize);
        }
        return x;
    }

    /** Number of images per class, over the whole dataset. */
    public int[] classHistogram() {
        int[] h = new int[numClasses];
        for (int label : labels) {
            h[label]++;
        }
        return h;
    }

    /** Number of images per class among {@code indices} (not modified). */
    public int[] classHistogram(int[] indices) {
        int[] h = new int[numClasses];
        for (int i : indices) {
            checkIndex(i);
            h[labels[i]]++;
        }
        return h;
    }

    /** Indices of the images with label {@code label}, ascending. */
    public int[] indicesOfClass(int label) {
        checkClass(label);
        int count = 0;
        for (int l : labels) {
            if (l == label) {
                count++;
            }
        }
        int[] out = new int[count];
        int k = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == label) {
                out[k++] = i;
            }
        }
        return out;
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= labels.length) {
            throw new IndexOutOfBoundsException("image index " + index + " outside dataset " + name + " of "
                + labels.length + " images");
        }
    }

    private void checkClass(int label) {
        if (label < 0 || label >= numClasses) {
            throw new IllegalArgumentException("dataset " + name + ": class expected in [0, " + numClasses
                + "), found " + label);
        }
    }

    @Override
    public String toString() {
        return name + " (" + size() + " images, " + shapeString() + ", " + numClasses + " classes, per class "
            + Arrays.toString(classHistogram()) + ")";
    }
}
