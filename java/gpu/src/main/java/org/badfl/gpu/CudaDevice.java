package org.badfl.gpu;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;
import static jcuda.driver.JCudaDriver.cuMemsetD8;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.CudaException;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * A GPU through the CUDA driver API (JCuda): the device's primary context (shared with any other CUDA user in the
 * process), JCuda exceptions on, the kernels loaded once from {@link Fatbin} with {@code cuModuleLoadData},
 * {@code CUfunction}s cached by name, launches on the default stream.
 * <p>Every driver call is checked: a failing call throws IllegalStateException naming the operation (for a launch:
 * kernel, grid, block, shared memory) and the CUDA error. Kernel faults are asynchronous; they surface at the next
 * copy to the host or {@link #synchronize()}, reported with the last kernel launched. With
 * {@code checkEachLaunch} every launch is followed by a synchronize, so a fault names its own kernel (the
 * self-test does this; it costs throughput).
 */
public final class CudaDevice extends AbstractDevice {

    private static final int DEFAULT_SHARED_LIMIT = 48 * 1024;

    private final int ordinal;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();
    private final DeviceInfo info;
    private final boolean checkEachLaunch;
    private final ConcurrentHashMap<String, CUfunction> functions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> sharedLimitSet = new ConcurrentHashMap<>();
    private volatile String lastLaunch = "none";

    /**
     * Opens GPU {@code ordinal} and loads the kernels.
     *
     * @throws IllegalStateException no usable CUDA driver or device, or the fatbin does not load on it
     */
    public CudaDevice(int ordinal, boolean checkEachLaunch) {
        this.ordinal = ordinal;
        this.checkEachLaunch = checkEachLaunch;
        initDriver();
        int count = deviceCount();
        if (ordinal < 0 || ordinal >= count) {
            throw new IllegalArgumentException("CUDA device " + ordinal + " requested, this machine has " + count);
        }
        call("cuDeviceGet", () -> cuDeviceGet(device, ordinal));
        this.info = describe(device);
        call("cuDevicePrimaryCtxRetain", () -> cuDevicePrimaryCtxRetain(context, device));
        try {
            makeCurrent();
            byte[] image = Fatbin.bytes();
            call("cuModuleLoadData(" + Fatbin.RESOURCE + ") on " + info.name() + " (compute capability "
                + info.computeCapability() + ")", () -> cuModuleLoadData(module, image));
        } catch (RuntimeException e) {
            cuDevicePrimaryCtxRelease(device);
            throw e;
        }
    }

    /** GPU 0, launches checked only when results are read. */
    public CudaDevice() {
        this(0, false);
    }

    // ---- driver helpers (also used by the probe) ------------------------------------------------------------

    /** Loads JCuda's driver binding and calls cuInit; LinkageError when libcuda.so.1 cannot be loaded. */
    static void initDriver() {
        JCudaDriver.setExceptionsEnabled(true);
        call("cuInit", () -> cuInit(0));
    }

    static int deviceCount() {
        int[] n = new int[1];
        call("cuDeviceGetCount", () -> cuDeviceGetCount(n));
        return n[0];
    }

    static int driverVersion() {
        int[] v = new int[1];
        call("cuDriverGetVersion", () -> cuDriverGetVersion(v));
        return v[0];
    }

    static DeviceInfo describe(CUdevice d) {
        byte[] name = new byte[256];
        call("cuDeviceGetName", () -> cuDeviceGetName(name, name.length, d));
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        long[] mem = new long[1];
        call("cuDeviceTotalMem", () -> cuDeviceTotalMem(mem, d));
        return new DeviceInfo(new String(name, 0, len, StandardCharsets.US_ASCII), false,
            attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
            attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR), mem[0],
            attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
            attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN), driverVersion());
    }

    static DeviceInfo describe(int ordinal) {
        CUdevice d = new CUdevice();
        call("cuDeviceGet", () -> cuDeviceGet(d, ordinal));
        return describe(d);
    }

    private static int attribute(CUdevice d, int attribute) {
        int[] v = new int[1];
        call("cuDeviceGetAttribute(" + attribute + ")", () -> cuDeviceGetAttribute(v, attribute, d));
        return v[0];
    }

    /** Runs a driver call; a CudaException (or a non-zero result) becomes IllegalStateException naming it. */
    static void call(String what, java.util.function.IntSupplier driverCall) {
        int result;
        try {
            result = driverCall.getAsInt();
        } catch (CudaException e) {
            throw new IllegalStateException("CUDA " + what + " failed: " + e.getMessage(), e);
        }
        if (result != 0) {
            throw new IllegalStateException("CUDA " + what + " failed: " + jcuda.driver.CUresult.stringFor(result));
        }
    }

    // ---- Device ----------------------------------------------------------------------------------------------
    @Override
    public String name() {
        return info.name() + " (GPU " + ordinal + ")";
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    private void makeCurrent() {
        call("cuCtxSetCurrent", () -> cuCtxSetCurrent(context));
    }

    private static CUdeviceptr pointer(DeviceBuffer b) {
        CUdeviceptr base = (CUdeviceptr) b.allocation().ref;
        return b.offset() == 0 ? base : base.withByteOffset(b.offset());
    }

    private static Pointer host(Object array, long byteOffset) {
        Pointer p;
        if (array instanceof float[] f) {
            p = Pointer.to(f);
        } else if (array instanceof int[] i) {
            p = Pointer.to(i);
        } else if (array instanceof double[] d) {
            p = Pointer.to(d);
        } else if (array instanceof byte[] b) {
            p = Pointer.to(b);
        } else {
            throw new IllegalArgumentException("unsupported host array type " + array.getClass().getSimpleName());
        }
        return byteOffset == 0 ? p : p.withByteOffset(byteOffset);
    }

    @Override
    Object allocRaw(long bytes) {
        makeCurrent();
        CUdeviceptr p = new CUdeviceptr();
        call("cuMemAlloc(" + bytes + " bytes)", () -> cuMemAlloc(p, bytes));
        return p;
    }

    @Override
    void freeRaw(Object ref) {
        makeCurrent();
        call("cuMemFree", () -> cuMemFree((CUdeviceptr) ref));
    }

    @Override
    void copyInRaw(Object array, long arrayByteOffset, DeviceBuffer dst, long bytes) {
        makeCurrent();
        call("cuMemcpyHtoD(" + bytes + " bytes)" + afterLaunch(), () -> cuMemcpyHtoD(pointer(dst), host(array, arrayByteOffset), bytes));
    }

    @Override
    void copyOutRaw(DeviceBuffer src, Object array, long arrayByteOffset, long bytes) {
        makeCurrent();
        call("cuMemcpyDtoH(" + bytes + " bytes)" + afterLaunch(), () -> cuMemcpyDtoH(host(array, arrayByteOffset), pointer(src), bytes));
    }

    @Override
    void copyRaw(DeviceBuffer src, DeviceBuffer dst, long bytes) {
        makeCurrent();
        call("cuMemcpyDtoD(" + bytes + " bytes)", () -> cuMemcpyDtoD(pointer(dst), pointer(src), bytes));
    }

    @Override
    void memset8Raw(DeviceBuffer dst, int value) {
        makeCurrent();
        call("cuMemsetD8", () -> cuMemsetD8(pointer(dst), (byte) value, dst.bytes()));
    }

    @Override
    void memset32Raw(DeviceBuffer dst, int bits) {
        makeCurrent();
        call("cuMemsetD32", () -> cuMemsetD32(pointer(dst), bits, dst.bytes() / 4));
    }

    private CUfunction function(String kernel) {
        return functions.computeIfAbsent(kernel, k -> {
            CUfunction f = new CUfunction();
            try {
                cuModuleGetFunction(f, module, k);
            } catch (CudaException e) {
                throw new IllegalArgumentException("unknown kernel '" + k + "': not in " + Fatbin.RESOURCE + " ("
                    + e.getMessage() + ")");
            }
            return f;
        });
    }

    @Override
    void launchRaw(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
        makeCurrent();
        CUfunction f = function(kernel);
        if (sharedBytes > DEFAULT_SHARED_LIMIT && sharedLimitSet.getOrDefault(kernel, DEFAULT_SHARED_LIMIT) < sharedBytes) {
            call("cuFuncSetAttribute(" + kernel + ", MAX_DYNAMIC_SHARED_SIZE_BYTES, " + sharedBytes + ")",
                () -> cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, sharedBytes));
            sharedLimitSet.merge(kernel, sharedBytes, Math::max);
        }
        List<KernelArgs.Arg> list = args.list();
        NativePointerObject[] params = new NativePointerObject[list.size()];
        for (int i = 0; i < params.length; i++) {
            KernelArgs.Arg a = list.get(i);
            params[i] = switch (a.code()) {
                case 'p' -> a.value() == null ? Pointer.to(new long[] {0L}) : Pointer.to(pointer((DeviceBuffer) a.value()));
                case 'i' -> Pointer.to(new int[] {(Integer) a.value()});
                case 'l' -> Pointer.to(new long[] {(Long) a.value()});
                case 'f' -> Pointer.to(new float[] {(Float) a.value()});
                case 'd' -> Pointer.to(new double[] {(Double) a.value()});
                default -> throw new IllegalStateException("unknown argument code " + a.code());
            };
        }
        String what = "cuLaunchKernel(" + kernel + ", grid " + grid + ", block " + block + ", shared " + sharedBytes
            + " bytes, args " + args.signature() + ")";
        lastLaunch = kernel;
        call(what, () -> cuLaunchKernel(f, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(), sharedBytes,
            null, Pointer.to(params), null));
        if (checkEachLaunch) {
            call("cuCtxSynchronize after " + what, JCudaDriver::cuCtxSynchronize);
        }
    }

    private String afterLaunch() {
        return " (after kernel " + lastLaunch + ")";
    }

    @Override
    void synchronizeRaw() {
        makeCurrent();
        call("cuCtxSynchronize" + afterLaunch(), JCudaDriver::cuCtxSynchronize);
    }

    @Override
    void closeRaw() {
        try {
            makeCurrent();
            cuCtxSynchronize();
            cuModuleUnload(module);
        } finally {
            cuDevicePrimaryCtxRelease(device);
        }
    }
}
