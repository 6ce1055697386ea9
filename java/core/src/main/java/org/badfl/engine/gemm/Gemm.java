package org.badfl.engine.gemm;

import java.util.Locale;

/**
 * Single-precision GEMM on row-major arrays: {@code C = op(A) * op(B) + (accumulate ? C : 0)}, with
 * {@code op(A)} of shape m x k and {@code op(B)} of shape k x n. Every convolution and linear layer runs on it.
 * <p>Inputs: {@code a}, {@code b} not modified. Output: {@code c}, rows {@code cOff + i*ldc}, columns 0..n-1.
 * {@code transA} means A is stored k x m (element (i,p) of op(A) at {@code a[aOff + p*lda + i]}); likewise B.
 * <p>Work is split over output blocks only (never over k), and each output's operations do not depend on the
 * block it falls in, so results are bit-identical for any thread count.
 * <p>Two implementations, same contract ({@link GemmReference} defines it):
 * <ul>
 * <li>{@link Path#VECTOR}: register-tiled, cache-blocked Vector API kernel with packed panels (VectorGemm);
 *     each output is one fused-multiply-add chain over p in order (narrow NT products: VectorDotGemm, one
 *     chain per vector lane, lanes summed in order).</li>
 * <li>{@link Path#SCALAR}: plain Java (ScalarGemm), separately rounded multiply and add over p in order.</li>
 * </ul>
 * The default is the vector path when the {@code jdk.incubator.vector} module is in the boot layer (JVM flag
 * {@code --add-modules jdk.incubator.vector}), else the scalar path; system property
 * {@code badfl.gemm=scalar|vector|auto} overrides it (read once, when this class initialises). The vector
 * implementation class is loaded only when that module is present, so the scalar path never touches it.
 */
public final class Gemm {

    /** Which implementation computes a GEMM. */
    public enum Path { VECTOR, SCALAR }

    /** System property choosing the default path: {@code auto} (default), {@code vector} or {@code scalar}. */
    public static final String PATH_PROPERTY = "badfl.gemm";

    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String VECTOR_IMPL = "org.badfl.engine.gemm.VectorGemm";
    private static final boolean VECTOR_AVAILABLE = ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    private static final GemmImpl SCALAR = new ScalarGemm();
    private static final Path DEFAULT_PATH = defaultPathFrom(System.getProperty(PATH_PROPERTY, "auto"));

    private Gemm() {
    }

    /** Loads the vector implementation on first use only (class loading is the JVM's lazy holder idiom). */
    private static final class VectorHolder {
        static final GemmImpl IMPL = loadVectorImpl();
    }

    /** Serial GEMM on the default path. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        sgemm(DEFAULT_PATH, Parallel.SERIAL, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb,
                c, cOff, ldc, accumulate);
    }

    /** GEMM on the default path, spread over the threads of {@code compute}. */
    public static void sgemm(Parallel compute, boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        sgemm(DEFAULT_PATH, compute, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb,
                c, cOff, ldc, accumulate);
    }

    /**
     * GEMM on an explicit path (tests and benchmarks compare both).
     * @throws IllegalStateException for {@link Path#VECTOR} when the vector module is absent
     */
    public static void sgemm(Path path, Parallel compute, boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        if (compute == null) {
            throw new IllegalArgumentException("compute must not be null");
        }
        validate(m, n, k, transA, a, aOff, lda, transB, b, bOff, ldb, c, cOff, ldc);
        if (isTrivial(m, n, k, c, cOff, ldc, accumulate)) {
            return;
        }
        impl(path).sgemm(compute, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }

    /**
     * Handles the products with nothing to multiply: an empty C (m or n = 0) is left alone, and with k = 0
     * op(A)·op(B) is the zero matrix, so C is zeroed unless accumulating. True when the product is done.
     */
    private static boolean isTrivial(int m, int n, int k, float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) {
            return true;
        }
        if (k != 0) {
            return false;
        }
        if (!accumulate) {
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
        }
        return true;
    }

    /**
     * Packs op(A) (m x k; A stored k x m when {@code transA}) for repeated products on the default path
     * ({@link #sgemm(Parallel, PackedA, boolean, int, float[], int, int, float[], int, int, boolean)}): the vector
     * path packs its A panels once here instead of in every product. {@code reuse}: a previous result whose
     * panel buffer is taken over when large enough (or null). A is referenced, not copied, for the paths that
     * read it in place: it must not change while the result is used.
     */
    public static PackedA packA(boolean transA, int m, int k, float[] a, int aOff, int lda, PackedA reuse) {
        requireNonNegative("m", m);
        requireNonNegative("k", k);
        checkMatrix("A", "lda", a, aOff, lda, transA ? k : m, transA ? m : k, transA);
        float[] panels = null;
        if (m > 0 && k > 0) {
            float[] old = reuse != null && reuse.path == DEFAULT_PATH ? reuse.panels : null;
            panels = impl(DEFAULT_PATH).packA(transA, m, k, a, aOff, lda, old);
        }
        return new PackedA(DEFAULT_PATH, transA, m, k, a, aOff, lda, panels);
    }

    /**
     * {@code C = op(A) * op(B) + (accumulate ? C : 0)} with op(A) from {@link #packA} (m = {@code a.rows()},
     * k = {@code a.depth()}), spread over the threads of {@code compute}: the same bits as the unpacked
     * {@link #sgemm(Parallel, boolean, boolean, int, int, int, float[], int, int, float[], int, int, float[], int,
     * int, boolean)}.
     */
    public static void sgemm(Parallel compute, PackedA a, boolean transB, int n, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        if (compute == null) {
            throw new IllegalArgumentException("compute must not be null");
        }
        if (a == null) {
            throw new IllegalArgumentException("packed A must not be null");
        }
        int m = a.m;
        int k = a.k;
        validate(m, n, k, a.transA, a.a, a.aOff, a.lda, transB, b, bOff, ldb, c, cOff, ldc);
        if (isTrivial(m, n, k, c, cOff, ldc, accumulate)) {
            return;
        }
        impl(a.path).sgemmPacked(compute, a, transB, n, b, bOff, ldb, c, cOff, ldc, accumulate);
    }

    /** The path {@link #sgemm(Parallel, boolean, boolean, int, int, int, float[], int, int, float[], int, int,
     * float[], int, int, boolean)} uses. */
    public static Path defaultPath() {
        return DEFAULT_PATH;
    }

    /** Whether the Vector API module is present, i.e. {@link Path#VECTOR} can run. */
    public static boolean vectorAvailable() {
        return VECTOR_AVAILABLE;
    }

    /** Kernel and blocking of {@code path}, e.g. for benchmark reports. */
    public static String describe(Path path) {
        return impl(path).describe();
    }

    static GemmImpl impl(Path path) {
        if (path == Path.SCALAR) {
            return SCALAR;
        }
        if (path != Path.VECTOR) {
            throw new IllegalArgumentException("path must be VECTOR or SCALAR, got " + path);
        }
        if (!VECTOR_AVAILABLE) {
            throw new IllegalStateException("GEMM path VECTOR needs module " + VECTOR_MODULE
                    + ", which is not in the boot layer: start java with --add-modules " + VECTOR_MODULE);
        }
        return VectorHolder.IMPL;
    }

    private static Path defaultPathFrom(String property) {
        switch (property.trim().toLowerCase(Locale.ROOT)) {
            case "auto":
            case "":
                return VECTOR_AVAILABLE ? Path.VECTOR : Path.SCALAR;
            case "scalar":
                return Path.SCALAR;
            case "vector":
                if (!VECTOR_AVAILABLE) {
                    throw new IllegalStateException("-D" + PATH_PROPERTY + "=vector but module " + VECTOR_MODULE
                            + " is not in the boot layer: start java with --add-modules " + VECTOR_MODULE);
                }
                return Path.VECTOR;
            default:
                throw new IllegalArgumentException("system property " + PATH_PROPERTY
                        + " must be auto, vector or scalar, got '" + property + "'");
        }
    }

    private static GemmImpl loadVectorImpl() {
        try {
            return Class.forName(VECTOR_IMPL).asSubclass(GemmImpl.class).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load the vector GEMM " + VECTOR_IMPL, e);
        }
    }

    // ---- argument checks -------------------------------------------------------------------------------

    private static void validate(int m, int n, int k, boolean transA, float[] a, int aOff, int lda,
                                 boolean transB, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        requireNonNegative("m", m);
        requireNonNegative("n", n);
        requireNonNegative("k", k);
        long[] aRange = checkMatrix("A", "lda", a, aOff, lda, transA ? k : m, transA ? m : k, transA);
        long[] bRange = checkMatrix("B", "ldb", b, bOff, ldb, transB ? n : k, transB ? k : n, transB);
        long[] cRange = checkMatrix("C", "ldc", c, cOff, ldc, m, n, false);
        requireDisjoint(c, cRange, "A", a, aRange);
        requireDisjoint(c, cRange, "B", b, bRange);
    }

    private static void requireNonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    /**
     * Checks a row-major matrix stored as {@code rows x cols} with leading dimension {@code ld} at
     * {@code off}; returns the index range {@code [first, end)} it occupies (empty when it has no elements).
     */
    private static long[] checkMatrix(String name, String ldName, float[] array, int off, int ld,
                                      int rows, int cols, boolean transposed) {
        String shape = name + " (stored " + rows + " x " + cols + (transposed ? ", transposed" : "") + ")";
        if (array == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (off < 0) {
            throw new IllegalArgumentException("offset of " + name + " must be >= 0, got " + off);
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(ldName + " must be >= " + Math.max(1, cols)
                    + " (the stored row length of " + shape + "), got " + ld);
        }
        if (rows == 0 || cols == 0) {
            return new long[] {off, off};
        }
        long end = off + (long) (rows - 1) * ld + cols;
        if (end > array.length) {
            throw new IllegalArgumentException(shape + " with " + ldName + "=" + ld + " at offset " + off
                    + " needs an array of at least " + end + " floats, found " + array.length);
        }
        return new long[] {off, end};
    }

    /** Writing C into the memory being read would silently corrupt the result. */
    private static void requireDisjoint(float[] c, long[] cRange, String name, float[] input, long[] range) {
        boolean empty = cRange[0] == cRange[1] || range[0] == range[1];
        if (c == input && !empty && cRange[0] < range[1] && range[0] < cRange[1]) {
            throw new IllegalArgumentException("C (elements " + cRange[0] + ".." + (cRange[1] - 1)
                    + ") overlaps " + name + " (elements " + range[0] + ".." + (range[1] - 1)
                    + ") in the same array; the output must not alias an input");
        }
    }
}
