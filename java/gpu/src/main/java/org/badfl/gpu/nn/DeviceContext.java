package org.badfl.gpu.nn;

import java.util.Objects;
import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.Dim3;
import org.badfl.gpu.KernelArgs;

/**
 * What the device layers of one model share: the device, the launch shape of the element-wise kernels
 * ({@code blockSize} threads per block, grid-stride loops over at most {@value #MAX_GRID_BLOCKS} blocks - neither
 * changes any result), the GEMM launcher with its split-K workspace, and the convolution workspaces (im2col
 * columns, the gathered output gradient) with the image budget that bounds them. Not thread-safe: one per model.
 */
public final class DeviceContext implements AutoCloseable {

    /** Default threads per block of the element-wise kernels. */
    public static final int DEFAULT_BLOCK = 256;
    /** Default im2col budget in floats (512 MiB): a convolution processes as many images at once as fit. */
    public static final long DEFAULT_COLS_BUDGET = 1L << 27;
    static final int MAX_GRID_BLOCKS = 65536;

    private final Device device;
    private final int blockSize;
    private final int channelBlock;
    private final long colsBudget;
    private final DeviceGemm gemm;
    private final Workspace cols;
    private final Workspace dy;
    private boolean poisonWorkspaces;
    /** Which convolution chunk's im2col the cols workspace holds (null: none or overwritten). */
    Object colsOwner;

    /** Default threads per block of the per-channel reductions (BatchNorm statistics, convolution bias gradient). */
    public static final int DEFAULT_CHANNEL_BLOCK = 512;

    /** Default block sizes and im2col budget. */
    public DeviceContext(Device device) {
        this(device, DEFAULT_BLOCK, DEFAULT_CHANNEL_BLOCK, DEFAULT_COLS_BUDGET);
    }

    /** {@code blockSize} threads per block for every kernel, element-wise and per-channel (the checks vary it). */
    public DeviceContext(Device device, int blockSize, long colsBudget) {
        this(device, blockSize, blockSize, colsBudget);
    }

    /**
     * @param blockSize    threads per block of the element-wise kernels (1..1024)
     * @param channelBlock threads per block of the per-channel reductions, one block per channel (1..1024)
     * @param colsBudget most floats of im2col columns per convolution chunk (>= 1; at least one image is processed
     *                   at a time whatever its size)
     */
    public DeviceContext(Device device, int blockSize, int channelBlock, long colsBudget) {
        this.device = Objects.requireNonNull(device, "device");
        if (blockSize < 1 || blockSize > 1024) {
            throw new IllegalArgumentException("blockSize: expected 1..1024, found " + blockSize);
        }
        if (channelBlock < 1 || channelBlock > 1024) {
            throw new IllegalArgumentException("channelBlock: expected 1..1024, found " + channelBlock);
        }
        this.channelBlock = channelBlock;
        if (colsBudget < 1) {
            throw new IllegalArgumentException("colsBudget: expected >= 1 floats, found " + colsBudget);
        }
        this.blockSize = blockSize;
        this.colsBudget = colsBudget;
        this.gemm = new DeviceGemm(device);
        this.cols = new Workspace(device);
        this.dy = new Workspace(device);
    }

    public Device device() {
        return device;
    }

    public int blockSize() {
        return blockSize;
    }

    public int channelBlock() {
        return channelBlock;
    }

    public long colsBudget() {
        return colsBudget;
    }

    public DeviceGemm gemm() {
        return gemm;
    }

    /**
     * Makes the workspaces created from now on (layer outputs and gradients, allocated at the first forward) start
     * filled with {@link org.badfl.gpu.check.Compare#POISON_BITS} on every device, so a check sees any element a kernel
     * failed to write (the emulation poisons every allocation anyway; a GPU does not). Returns this.
     */
    public DeviceContext poisonNewWorkspaces(boolean on) {
        this.poisonWorkspaces = on;
        return this;
    }

    /** A new workspace on this context's device (poisoned when {@link #poisonNewWorkspaces} is on). */
    public Workspace workspace() {
        return new Workspace(device, poisonWorkspaces);
    }

    /** Images per convolution chunk: as many as fit {@link #colsBudget()} with {@code colsPerImage} floats each. */
    int chunkImages(long colsPerImage, int batch) {
        return (int) Math.max(1, Math.min(batch, colsBudget / Math.max(1, colsPerImage)));
    }

    DeviceBuffer cols(long floats) {
        DeviceBuffer before = cols.current();
        DeviceBuffer b = cols.floats(floats);
        if (b != before) {
            colsOwner = null;
        }
        return b;
    }

    DeviceBuffer dy(long floats) {
        return dy.floats(floats);
    }

    /** Grid of a grid-stride element-wise launch over {@code items}. */
    Dim3 grid(long items) {
        return Dim3.of((int) Math.max(1, Math.min(MAX_GRID_BLOCKS, (items + blockSize - 1) / blockSize)));
    }

    /** Launches an element-wise kernel over {@code items} (no dynamic shared memory). */
    public void launch(String kernel, long items, KernelArgs args) {
        device.launch(kernel, grid(items), Dim3.of(blockSize), 0, args);
    }

    /** Launches a per-channel reduction kernel: one block per channel, channelBlock doubles of shared memory. */
    void launchPerChannel(String kernel, int channels, KernelArgs args) {
        device.launch(kernel, Dim3.of(Math.min(channels, MAX_GRID_BLOCKS)), Dim3.of(channelBlock), channelBlock * 8, args);
    }

    /**
     * {@code count} as an int, for kernels that index a tensor with 32-bit arithmetic (64-bit division is slow on a
     * GPU); IllegalArgumentException naming {@code what} when it does not fit.
     */
    static int elements(String what, long count) {
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + ": " + count + " elements, more than the 2^31 - 1 a kernel indexes");
        }
        return (int) count;
    }

    @Override
    public void close() {
        gemm.close();
        cols.close();
        dy.close();
        colsOwner = null;
    }
}
