package org.badfl.engine.gemm;

/**
 * Copies blocks of A and B into the contiguous, kernel-ordered layouts the register-tiled kernels stream
 * through (GotoBLAS/BLIS packing: K. Goto, R. van de Geijn, "Anatomy of high-performance matrix
 * multiplication", ACM TOMS 34(3), 2008, section 4). Packing turns all four transpose combinations into the
 * same unit-stride kernel, and the zero padding of partial panels lets the kernel always run at full width.
 * Plain scalar code: it is shared with nothing that may touch the Vector API.
 */
final class Packing {

    /** Values of the transposed-B copy handled per column before moving on (one 64-byte line of floats). */
    private static final int TRANSPOSE_RUN = 16;

    private Packing() {
    }

    /**
     * Packs rows {@code [i0, i0+mc)} x depth {@code [p0, p0+kc)} of op(A) into panels of {@code mr} rows:
     * element (i0 + q*mr + r, p0 + p) goes to {@code dst[q*mr*kc + p*mr + r]}; rows past {@code mc} are zero.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
                      int mr, float[] dst) {
        packA(transA, a, aOff, lda, i0, mc, p0, kc, mr, dst, 0);
    }

    /** {@link #packA} writing its first panel at {@code dst[dstOff]}. */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
                      int mr, float[] dst, int dstOff) {
        for (int q = 0; q * mr < mc; q++) {
            int rows = Math.min(mr, mc - q * mr);
            int base = dstOff + q * mr * kc;
            int firstRow = i0 + q * mr;
            if (transA) {
                // A stored k x m: row p of the panel is `rows` consecutive floats.
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (p0 + p) * lda + firstRow;
                    int d = base + p * mr;
                    for (int r = 0; r < rows; r++) {
                        dst[d + r] = a[src + r];
                    }
                    for (int r = rows; r < mr; r++) {
                        dst[d + r] = 0f;
                    }
                }
            } else {
                // A stored m x k: each panel row is a contiguous run of kc floats, written with stride mr.
                for (int r = 0; r < rows; r++) {
                    int src = aOff + (firstRow + r) * lda + p0;
                    int d = base + r;
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * mr] = a[src + p];
                    }
                }
                for (int r = rows; r < mr; r++) {
                    for (int p = 0; p < kc; p++) {
                        dst[base + r + p * mr] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs depth {@code [p0, p0+kc)} x columns {@code [j0, j0+nc)} of op(B) into panels of {@code nr} columns:
     * element (p0 + p, j0 + q*nr + col) goes to {@code dst[dstOff + q*nr*kc + p*nr + col]}; columns past
     * {@code nc} are zero.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc,
                      int nr, float[] dst, int dstOff) {
        if (transB) {
            packBTransposed(b, bOff, ldb, p0, kc, j0, nc, nr, dst, dstOff);
            return;
        }
        // B stored k x n: walk each B row once, left to right, cutting it into the panels.
        for (int p = 0; p < kc; p++) {
            int src = bOff + (p0 + p) * ldb + j0;
            for (int q = 0; q * nr < nc; q++) {
                int cols = Math.min(nr, nc - q * nr);
                int d = dstOff + q * nr * kc + p * nr;
                System.arraycopy(b, src + q * nr, dst, d, cols);
                for (int col = cols; col < nr; col++) {
                    dst[d + col] = 0f;
                }
            }
        }
    }

    /**
     * B stored n x k: column j of op(B) is a contiguous run in memory. Reads TRANSPOSE_RUN consecutive values
     * of each of the panel's columns (one cache line each) and scatters them into TRANSPOSE_RUN panel rows, so
     * both the reads and the few destination lines being written stay in L1.
     */
    private static void packBTransposed(float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc,
                                        int nr, float[] dst, int dstOff) {
        for (int q = 0; q * nr < nc; q++) {
            int cols = Math.min(nr, nc - q * nr);
            int base = dstOff + q * nr * kc;
            for (int runStart = 0; runStart < kc; runStart += TRANSPOSE_RUN) {
                int runEnd = Math.min(kc, runStart + TRANSPOSE_RUN);
                for (int col = 0; col < cols; col++) {
                    int src = bOff + (j0 + q * nr + col) * ldb + p0;
                    for (int p = runStart; p < runEnd; p++) {
                        dst[base + p * nr + col] = b[src + p];
                    }
                }
                for (int col = cols; col < nr; col++) {
                    for (int p = runStart; p < runEnd; p++) {
                        dst[base + p * nr + col] = 0f;
                    }
                }
            }
        }
    }
}
