package org.badfl.gpu.nn;

import java.util.Objects;
import org.badfl.gpu.DeviceBuffer;

/**
 * Where a GEMM result C (m x n) goes: element (i, j) at float {@code (j / blockColumns)·blockStride + i·ldc +
 * (j % blockColumns)} of {@code c} ({@code kernels/sgemm.cu}). A plain row-major C is {@link #rowMajor}; a
 * convolution's (channel x (image, pixel)) product goes straight to NCHW with {@link #nchw}.
 *
 * @param c            destination buffer
 * @param ldc          floats between rows (within a column block)
 * @param blockColumns columns per block (>= 1)
 * @param blockStride  floats between column blocks (>= 0)
 */
public record GemmOutput(DeviceBuffer c, int ldc, int blockColumns, long blockStride) {

    public GemmOutput {
        Objects.requireNonNull(c, "GEMM output buffer");
        if (ldc < 1 || blockColumns < 1 || blockStride < 0) {
            throw new IllegalArgumentException("GEMM output: expected ldc >= 1, blockColumns >= 1, blockStride >= 0, found "
                + ldc + ", " + blockColumns + ", " + blockStride);
        }
    }

    /** Row-major C with rows {@code ldc} floats apart. */
    public static GemmOutput rowMajor(DeviceBuffer c, int ldc) {
        return new GemmOutput(c, ldc, Integer.MAX_VALUE, 0);
    }

    /**
     * The product of {@code channels} rows and (image, pixel) columns written as an NCHW batch: element (o, j·P + p)
     * goes to {@code out[j][o][p]}, P = {@code pixels}.
     */
    public static GemmOutput nchw(DeviceBuffer out, int channels, int pixels) {
        return new GemmOutput(out, pixels, pixels, (long) channels * pixels);
    }

    /** Floats of {@code c} that an m x n result touches (1 + the largest index). */
    long extent(int m, int n) {
        long last = offset(m - 1, n - 1);
        int blocks = (n - 1) / blockColumns;
        if (blocks > 0) { // the end of the previous (full) column block may lie further out
            last = Math.max(last, offset(m - 1, blocks * blockColumns - 1));
        }
        return last + 1;
    }

    private long offset(int i, int j) {
        return (long) (j / blockColumns) * blockStride + (long) i * ldc + (j % blockColumns);
    }
}
