package org.badfl.server.badfl;

/**
 * Difference hash, dHash (N. Krawetz, "Kind of like that", 2013; JohannesBuchner/imagehash {@code dhash}), BADFL's
 * hash H in the stability feature (paper eq. 7): shrink the map to 9 columns × 8 rows by area averaging, then bit
 * (r, c) = pixel[r][c+1] &gt; pixel[r][c] for r &lt; 8, c &lt; 8 — 64 bits.
 * <p>Bit order: bit {@code 8·r + c} of the returned {@code long} (bit 0 = least significant) is row r, column c,
 * i.e. imagehash's row-major flattening with its first element in bit 0. Only XOR and popcount are used on hashes,
 * which do not depend on the order.
 * <p>Area averaging (as OpenCV's INTER_AREA for shrinking): output pixel (r, c) is the mean of the input over the
 * rectangle [c·w/9, (c+1)·w/9) × [r·h/8, (r+1)·h/8), input pixels weighted by the fraction of them that lies
 * inside. imagehash resizes with PIL's antialiasing filter instead; the interpretation fixes area averaging, which
 * is exact and needs no filter constants. Maps smaller than 9×8 are stretched by the same rule (each output pixel
 * then covers a fraction of one input pixel and takes its value).
 */
public final class DHash {

    /** Output columns of the shrink (one more than the 8 bits per row, since bits compare neighbours). */
    public static final int COLUMNS = 9;
    /** Output rows of the shrink. */
    public static final int ROWS = 8;

    private DHash() {
    }

    /**
     * dHash of a height × width map stored row-major at {@code map[offset ...]} (not modified).
     */
    public static long hash(float[] map, int offset, int height, int width) {
        double[] small = shrink(map, offset, height, width, ROWS, COLUMNS);
        long bits = 0;
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLUMNS - 1; c++) {
                if (small[r * COLUMNS + c + 1] > small[r * COLUMNS + c]) {
                    bits |= 1L << (r * (COLUMNS - 1) + c);
                }
            }
        }
        return bits;
    }

    /** Hamming distance of two hashes: popcount(h1 XOR h2). */
    public static int distance(long h1, long h2) {
        return Long.bitCount(h1 ^ h2);
    }

    /**
     * Area-average resize of a height × width map (row-major at {@code offset}) to outRows × outCols, in double.
     */
    static double[] shrink(float[] map, int offset, int height, int width, int outRows, int outCols) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("dHash: map must be at least 1x1, got " + height + "x" + width);
        }
        if (offset < 0 || offset + (long) height * width > map.length) {
            throw new IllegalArgumentException("dHash: map of " + height + "x" + width + " at offset " + offset
                + " does not fit an array of " + map.length + " values");
        }
        double[][] rowWeights = areaWeights(height, outRows);
        double[][] colWeights = areaWeights(width, outCols);
        // Columns first: height × outCols.
        double[] tmp = new double[height * outCols];
        for (int y = 0; y < height; y++) {
            int base = offset + y * width;
            for (int c = 0; c < outCols; c++) {
                double s = 0;
                double[] w = colWeights[c];
                for (int x = 0; x < width; x++) {
                    if (w[x] != 0) {
                        s += w[x] * map[base + x];
                    }
                }
                tmp[y * outCols + c] = s;
            }
        }
        double[] out = new double[outRows * outCols];
        for (int r = 0; r < outRows; r++) {
            double[] w = rowWeights[r];
            for (int c = 0; c < outCols; c++) {
                double s = 0;
                for (int y = 0; y < height; y++) {
                    if (w[y] != 0) {
                        s += w[y] * tmp[y * outCols + c];
                    }
                }
                out[r * outCols + c] = s;
            }
        }
        return out;
    }

    /**
     * weights[o][i] = |[i, i+1) ∩ [o·n/m, (o+1)·n/m)| / (n/m): the share of input cell i in output cell o
     * (each row sums to 1). Computed in exact rational arithmetic on the grid of 1/m input cells.
     */
    static double[][] areaWeights(int n, int m) {
        double[][] w = new double[m][n];
        for (int o = 0; o < m; o++) {
            // Output cell o spans [o·n, (o+1)·n) in units of 1/m input cells.
            long lo = (long) o * n;
            long hi = (long) (o + 1) * n;
            for (int i = 0; i < n; i++) {
                long cellLo = (long) i * m;
                long cellHi = (long) (i + 1) * m;
                long overlap = Math.min(hi, cellHi) - Math.max(lo, cellLo);
                if (overlap > 0) {
                    w[o][i] = (double) overlap / n;
                }
            }
        }
        return w;
    }
}
