package org.badfl.gpu;

/**
 * Grid or block dimensions of a kernel launch (CUDA's {@code dim3}).
 *
 * @param x extent in x, at least 1
 * @param y extent in y, at least 1
 * @param z extent in z, at least 1
 */
public record Dim3(int x, int y, int z) {

    public Dim3 {
        if (x < 1 || y < 1 || z < 1) {
            throw new IllegalArgumentException("dim3 extents must be >= 1, got (" + x + ", " + y + ", " + z + ")");
        }
    }

    /** One-dimensional {@code (x, 1, 1)}. */
    public static Dim3 of(int x) {
        return new Dim3(x, 1, 1);
    }

    public static Dim3 of(int x, int y) {
        return new Dim3(x, y, 1);
    }

    /** x·y·z. */
    public long volume() {
        return (long) x * y * z;
    }

    @Override
    public String toString() {
        return "(" + x + "," + y + "," + z + ")";
    }
}
