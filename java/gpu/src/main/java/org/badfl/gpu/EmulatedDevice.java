package org.badfl.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kernels of {@code kernels/*.cu} executed on the CPU: the same sources compiled by the host C++ compiler
 * against the CUDA emulation of {@code native/cuda_emu.h} (threads of a block as fibers, blocks over worker
 * threads), loaded over JNI from {@code libbadfl_cudaemu.so}. It exists so that every kernel is tested in CI,
 * which has no GPU; it is far slower than a GPU and not meant for training.
 * <p>Device memory is host memory. New allocations are filled with 0xFF bytes (NaN), launches check that pointer
 * arguments point into live allocations and, afterwards, that the kernel did not write past the ends of any
 * buffer it was given (256-byte canary zones); a deadlocked block fails the launch with a description.
 * <p>Library lookup: system property {@code badfl.native.dir} (a directory holding
 * {@code libbadfl_cudaemu.so}, directly or under {@code org/badfl/gpu/linux-x86_64/}; Maven's surefire sets it to
 * the native build output), else the jar resource {@value #RESOURCE}, extracted to a temporary file.
 */
public final class EmulatedDevice extends AbstractDevice {

    static final String RESOURCE = "org/badfl/gpu/linux-x86_64/libbadfl_cudaemu.so";
    private static final String LIBRARY_FILE = "libbadfl_cudaemu.so";

    /** Outcome of loading the library, decided once per JVM. */
    record LibraryStatus(boolean loaded, String location, String problem) {
    }

    private static volatile LibraryStatus status;

    private final DeviceInfo info;
    private final Map<String, String> signatures;
    private final int threads;

    /**
     * Emulated device whose launches spread blocks over {@code threads} worker threads (native threads shared by
     * all emulated devices of the process, started on first need).
     */
    public EmulatedDevice(int threads) {
        load();
        if (threads < 1 || threads > EmuNative.maxThreads()) {
            throw new IllegalArgumentException("emulated device threads: expected 1.." + EmuNative.maxThreads() + ", got " + threads);
        }
        this.threads = threads;
        this.signatures = readSignatures();
        this.info = new DeviceInfo("CPU emulation (" + threads + " threads)", true, 0, 0, 0, threads, 232448, 0);
    }

    /** Emulated device with the default number of worker threads ({@code badfl.emu.threads}, else min(cores, 8)). */
    public EmulatedDevice() {
        this(defaultThreads());
    }

    static int defaultThreads() {
        String p = System.getProperty("badfl.emu.threads");
        if (p != null) {
            try {
                return Integer.parseInt(p.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("system property badfl.emu.threads: expected an integer, found '" + p + "'");
            }
        }
        return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Loads the JNI library once; throws IllegalStateException saying where it looked if it cannot.
     */
    public static void load() {
        LibraryStatus s = libraryStatus();
        if (!s.loaded()) {
            throw new IllegalStateException("CPU emulation of the CUDA kernels unavailable: " + s.problem());
        }
    }

    /** Whether the library loads here, and from where or why not (never throws). */
    public static LibraryStatus libraryStatus() {
        LibraryStatus s = status;
        if (s == null) {
            synchronized (EmulatedDevice.class) {
                s = status;
                if (s == null) {
                    s = tryLoad();
                    status = s;
                }
            }
        }
        return s;
    }

    private static LibraryStatus tryLoad() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return new LibraryStatus(false, null, "built for linux-x86_64 only, this is " + os + "/" + arch);
        }
        String dir = System.getProperty("badfl.native.dir");
        if (dir != null && !dir.isBlank()) {
            for (Path p : new Path[] {Path.of(dir, LIBRARY_FILE), Path.of(dir, RESOURCE)}) {
                if (Files.isRegularFile(p)) {
                    return loadFrom(p);
                }
            }
            // fall through to the jar resource: the directory may simply not hold a build
        }
        try (InputStream in = EmulatedDevice.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return new LibraryStatus(false, null, RESOURCE + " is not on the class path"
                    + (dir == null ? "" : " and not in badfl.native.dir=" + dir)
                    + " (the native build was skipped: it needs cmake, a C++ compiler and JNI headers)");
            }
            Path tmp = Files.createTempFile("badfl_cudaemu", ".so");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return loadFrom(tmp);
        } catch (IOException e) {
            return new LibraryStatus(false, null, "cannot extract " + RESOURCE + ": " + e.getMessage());
        }
    }

    private static LibraryStatus loadFrom(Path p) {
        try {
            System.load(p.toAbsolutePath().toString());
            EmuNative.maxThreads(); // proves the JNI symbols match this class
            return new LibraryStatus(true, p.toString(), null);
        } catch (UnsatisfiedLinkError e) {
            return new LibraryStatus(false, p.toString(), "cannot load " + p + ": " + e.getMessage());
        }
    }

    private static Map<String, String> readSignatures() {
        String[] pairs = EmuNative.kernels();
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** Registered kernels and their argument signatures ({@link KernelArgs#signature()} letters), in order. */
    public Map<String, String> kernels() {
        return signatures;
    }

    /** Bytes currently allocated by all emulated devices of this process (leak checks). */
    public static long liveBytes() {
        load();
        return EmuNative.liveBytes();
    }

    @Override
    public String name() {
        return info.name();
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    private static long address(DeviceBuffer b) {
        return (Long) b.allocation().ref + b.offset();
    }

    @Override
    Object allocRaw(long bytes) {
        return EmuNative.alloc(bytes);
    }

    @Override
    void freeRaw(Object ref) {
        EmuNative.free((Long) ref);
    }

    @Override
    void copyInRaw(Object array, long arrayByteOffset, DeviceBuffer dst, long bytes) {
        EmuNative.copyToDevice(array, arrayByteOffset, address(dst), bytes);
    }

    @Override
    void copyOutRaw(DeviceBuffer src, Object array, long arrayByteOffset, long bytes) {
        EmuNative.copyToHost(address(src), array, arrayByteOffset, bytes);
    }

    @Override
    void copyRaw(DeviceBuffer src, DeviceBuffer dst, long bytes) {
        EmuNative.copyDeviceToDevice(address(src), address(dst), bytes);
    }

    @Override
    void memset8Raw(DeviceBuffer dst, int value) {
        EmuNative.memset8(address(dst), value, dst.bytes());
    }

    @Override
    void memset32Raw(DeviceBuffer dst, int bits) {
        EmuNative.memset32(address(dst), bits, dst.bytes() / 4);
    }

    @Override
    void launchRaw(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
        EmuNative.launch(kernel, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(), sharedBytes,
            args.signature(), args.pack(EmulatedDevice::address), threads);
    }

    @Override
    void synchronizeRaw() {
        // launches run to completion before launch() returns
    }

    @Override
    void closeRaw() {
        // the worker threads are shared by all emulated devices of the process and stay parked
    }
}
