package org.badfl.gpu.nn;

import java.util.Objects;
import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.Dim3;
import org.badfl.gpu.KernelArgs;

/**
 * Host launcher of our single-precision GEMM ({@code kernels/sgemm.cu}, optionally {@code kernels/sgemm_tf32.cu}):
 * {@code C = op(A)·op(B) (+ C) (+ row or column bias)}, the device version of
 * {@link org.badfl.engine.gemm.Gemm#sgemm} (row-major operands, {@code transA}/{@code transB} as there) with an
 * output mapping ({@link GemmOutput}) that lets a convolution write NCHW directly.
 * <p>Plan (a pure function of m, n, k, so every device computes the same sums in the same order): the largest tile
 * - 128 x 128 (m and n at least 128), 64 x 128 (n at least 128), 64 x 64 - whose tiles, times the k slices that k
 * allows, give at least {@value #TARGET_BLOCKS} blocks (about two per SM of an H100: fewer leave SMs idle); else the
 * choice with the most blocks. A tile count below the target is made up by split-K when k is long: slices of at
 * least {@value #MIN_SLICE}, at most {@value #MAX_SPLITS} (partial products in a workspace, added slice by slice in
 * order by a second kernel). Measured on an H100 (ncu, ResNet-18 batch 128): the weight gradients of the last
 * stages ran at 10-18 TFLOP/s on 64 x 64 tiles without split-K, against 22-27 for the large forward products.
 * <p>Numerics: float accumulation with fused multiply-adds in k order per slice, where the engine's reference
 * accumulates in double: |C - C_ref| &lt;= k·2⁻²⁴·Σ|a·b| + rounding of the epilogue (what the checks allow).
 * <p>TF32 ({@link #setTf32}) runs the products on tensor cores with inputs rounded to 10 mantissa bits (relative
 * error about 2⁻¹¹ per product): GPU only (compute capability 8.0+); the CPU emulation cannot execute tensor-core
 * instructions and this launcher refuses TF32 there with a message.
 */
public final class DeviceGemm implements AutoCloseable {

    static final int TARGET_BLOCKS = 256;
    static final int MIN_SLICE = 256;
    static final int MAX_SPLITS = 64;
    private static final int THREADS = 256;

    /** A launch shape: kernel, tile rows and columns, number of k slices and their length. */
    record Plan(String kernel, int tileM, int tileN, int splits, int kSlice) {
    }

    private final Device device;
    private final Workspace partial;
    private boolean tf32;
    private int forcedSplits;
    private int forcedTileM;
    private int forcedTileN;

    public DeviceGemm(Device device) {
        this.device = Objects.requireNonNull(device, "device");
        this.partial = new Workspace(device);
    }

    public Device device() {
        return device;
    }

    /**
     * Runs later products on TF32 tensor cores (true) or in fp32 (false, the default).
     *
     * @throws IllegalStateException on the CPU emulation or a GPU below compute capability 8.0
     */
    public void setTf32(boolean on) {
        if (on) {
            checkTf32(device);
        }
        this.tf32 = on;
    }

    public boolean tf32() {
        return tf32;
    }

    /** Throws IllegalStateException unless {@code device} can run the TF32 kernel. */
    static void checkTf32(Device device) {
        if (device.emulated()) {
            throw new IllegalStateException("TF32 GEMM runs only on a GPU: the CPU emulation cannot execute tensor-core "
                + "(mma) instructions (kernels/sgemm_tf32.cu is compiled for the GPU alone)");
        }
        if (device.info().computeMajor() < 8) {
            throw new IllegalStateException("TF32 GEMM needs compute capability 8.0 or later; " + device.name() + " has "
                + device.info().computeCapability());
        }
    }

    /** Tests: use exactly this many k slices (0: the plan's choice). */
    public DeviceGemm forceSplits(int splits) {
        this.forcedSplits = splits;
        return this;
    }

    /** Tests: use this tile, 64x64, 64x128 or 128x128 (0, 0: the plan's choice). */
    public DeviceGemm forceTile(int tileM, int tileN) {
        boolean ok = (tileM == 0 && tileN == 0) || (tileM == 64 && tileN == 64) || (tileM == 64 && tileN == 128)
            || (tileM == 128 && tileN == 128);
        if (!ok) {
            throw new IllegalArgumentException("tile: expected 64x64, 64x128 or 128x128, found " + tileM + "x" + tileN);
        }
        this.forcedTileM = tileM;
        this.forcedTileN = tileN;
        return this;
    }

    /** The launch shape for an m x n x k product (fp32 unless TF32 is on). */
    public Plan plan(int m, int n, int k) {
        int[][] tiles;
        if (tf32) {
            tiles = new int[][] {{128, 128}};
        } else if (forcedTileM != 0) {
            tiles = new int[][] {{forcedTileM, forcedTileN}};
        } else if (m >= 128 && n >= 128) {
            tiles = new int[][] {{128, 128}, {64, 128}, {64, 64}};
        } else if (n >= 128) {
            tiles = new int[][] {{64, 128}, {64, 64}};
        } else {
            tiles = new int[][] {{64, 64}};
        }
        int tm = 0;
        int tn = 0;
        int splits = 0;
        long best = -1;
        for (int[] t : tiles) {
            long count = blocks(m, n, t[0], t[1]);
            int s = forcedSplits > 0 ? Math.min(forcedSplits, Math.max(1, k)) : splitsFor(count, k);
            if (count * s > best) {
                best = count * s;
                tm = t[0];
                tn = t[1];
                splits = s;
            }
            if (count * s >= TARGET_BLOCKS) {
                break; // the largest tile that fills the GPU
            }
        }
        int granule = tf32 ? 32 : 8; // whole k tiles per slice
        int kSlice = Math.max(granule, (int) ((((long) k + splits - 1) / splits + granule - 1) / granule * granule));
        splits = Math.max(1, (k + kSlice - 1) / kSlice);
        String kernel = tf32 ? "sgemm_tf32_forward_kernel"
            : tm == 128 ? "sgemm_128_forward_kernel" : tn == 128 ? "sgemm_64x128_forward_kernel" : "sgemm_64_forward_kernel";
        return new Plan(kernel, tm, tn, splits, kSlice);
    }

    /** k slices that bring {@code tiles} blocks up to the target, as far as slices of {@value #MIN_SLICE} allow. */
    private static int splitsFor(long tiles, int k) {
        if (tiles >= TARGET_BLOCKS) {
            return 1;
        }
        long wanted = (TARGET_BLOCKS + tiles - 1) / tiles;
        return (int) Math.max(1, Math.min(Math.min(wanted, k / MIN_SLICE), MAX_SPLITS));
    }

    private static long blocks(int m, int n, int tm, int tn) {
        return (long) ((m + tm - 1) / tm) * ((n + tn - 1) / tn);
    }

    /** Row-major {@code C = op(A)·op(B)} (or {@code C += ...} with {@code accumulate}), as {@code Gemm.sgemm}. */
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, DeviceBuffer a, int lda, DeviceBuffer b, int ldb,
                      DeviceBuffer c, int ldc, boolean accumulate) {
        run(transA, transB, m, n, k, a, lda, b, ldb, GemmOutput.rowMajor(c, ldc), null, null, accumulate);
    }

    /**
     * {@code C = op(A)·op(B)}, then in this order: {@code + C_old} if {@code accumulate}, {@code + rowBias[i]},
     * {@code + colBias[j]} (biases may be null), stored through {@code out}'s mapping. A, B and the biases are not
     * modified; with {@code accumulate} false the old C is never read.
     *
     * @param m   rows of op(A) and C (>= 1)
     * @param n   columns of op(B) and C (>= 1)
     * @param k   columns of op(A), rows of op(B) (>= 0; 0 gives C = bias or C_old)
     * @param lda floats between rows of A as stored (k x m when transposed)
     */
    public void run(boolean transA, boolean transB, int m, int n, int k, DeviceBuffer a, int lda, DeviceBuffer b, int ldb,
                    GemmOutput out, DeviceBuffer rowBias, DeviceBuffer colBias, boolean accumulate) {
        Objects.requireNonNull(out, "GEMM output");
        if (m < 1 || n < 1 || k < 0) {
            throw new IllegalArgumentException("GEMM: expected m, n >= 1 and k >= 0, found m=" + m + " n=" + n + " k=" + k);
        }
        checkOperand("A", a, transA ? k : m, transA ? m : k, lda);
        checkOperand("B", b, transB ? n : k, transB ? k : n, ldb);
        checkFloats("C", out.c(), out.extent(m, n));
        if (rowBias != null) {
            checkFloats("row bias", rowBias, m);
        }
        if (colBias != null) {
            checkFloats("column bias", colBias, n);
        }
        if (tf32) {
            checkTf32(device);
        }
        Plan p = plan(m, n, k);
        Dim3 grid = new Dim3((n + p.tileN() - 1) / p.tileN(), (m + p.tileM() - 1) / p.tileM(), p.splits());
        if (grid.y() > 65535 || grid.z() > 65535) {
            throw new IllegalArgumentException("GEMM: " + m + " rows need " + grid.y() + " tile rows, more than a grid allows");
        }
        DeviceBuffer part = p.splits() > 1 ? partial.floats((long) p.splits() * m * n) : null;
        KernelArgs args = KernelArgs.create().i32(transA ? 1 : 0).i32(transB ? 1 : 0).i32(m).i32(n).i32(k)
            .ptr(a).i32(lda).ptr(b).i32(ldb)
            .ptr(out.c()).i32(out.ldc()).i32(out.blockColumns()).i64(out.blockStride())
            .ptr(rowBias).ptr(colBias).i32(accumulate ? 1 : 0).i32(p.kSlice()).ptr(part);
        device.launch(p.kernel(), grid, Dim3.of(THREADS), 0, args);
        if (part != null) {
            long mn = (long) m * n;
            int blocks = (int) Math.min(65536, (mn + THREADS - 1) / THREADS);
            device.launch("sgemm_splitk_reduce_forward_kernel", Dim3.of(blocks), Dim3.of(THREADS), 0,
                KernelArgs.create().ptr(part).i32(p.splits()).i32(m).i32(n)
                    .ptr(out.c()).i32(out.ldc()).i32(out.blockColumns()).i64(out.blockStride())
                    .ptr(rowBias).ptr(colBias).i32(accumulate ? 1 : 0));
        }
    }

    private static void checkOperand(String name, DeviceBuffer x, int rows, int cols, int ld) {
        Objects.requireNonNull(x, "GEMM operand " + name);
        if (rows == 0 || cols == 0) {
            return;
        }
        if (ld < cols) {
            throw new IllegalArgumentException("GEMM operand " + name + ": leading dimension " + ld + " is smaller than its "
                + cols + " stored columns");
        }
        checkFloats("operand " + name + " (" + rows + " x " + cols + ", ld " + ld + ")", x, (long) (rows - 1) * ld + cols);
    }

    private static void checkFloats(String what, DeviceBuffer x, long floats) {
        if (x.floats() < floats) {
            throw new IllegalArgumentException("GEMM " + what + ": needs " + floats + " floats, the buffer holds " + x.floats());
        }
    }

    /** Frees the split-K workspace. */
    @Override
    public void close() {
        partial.close();
    }
}
