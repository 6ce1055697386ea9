package org.badfl.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The CUDA kernels as built by nvcc ({@code CMakeLists.txt}): resource {@value #RESOURCE} in the jar, one module
 * with SASS for sm_80 and sm_90 and compute_90 PTX (which newer GPUs compile at load time).
 */
public final class Fatbin {

    public static final String RESOURCE = "org/badfl/gpu/badfl.fatbin";

    private static volatile byte[] cached;

    private Fatbin() {
    }

    /** True if the jar carries the fatbin (false when the build machine had no nvcc). */
    public static boolean present() {
        return Fatbin.class.getClassLoader().getResource(RESOURCE) != null;
    }

    /** The fatbin's bytes; IllegalStateException if the build had no nvcc. */
    public static byte[] bytes() {
        byte[] b = cached;
        if (b == null) {
            try (InputStream in = Fatbin.class.getClassLoader().getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is missing from the jar: it was built without nvcc "
                        + "(install the CUDA toolkit on the build machine and rebuild)");
                }
                b = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + RESOURCE, e);
            }
            cached = b;
        }
        return b;
    }

    /**
     * True if {@code name} occurs in the fatbin as a NUL-terminated symbol name (every kernel's name is stored in
     * each of its cubins and in the PTX); a cheap check that a kernel was compiled into the module.
     */
    public static boolean mentions(String name) {
        byte[] f = bytes();
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = 1; i + n.length < f.length; i++) {
            if (f[i + n.length] != 0 && f[i + n.length] != ' ' && f[i + n.length] != '(') {
                continue;
            }
            for (int k = 0; k < n.length; k++) {
                if (f[i + k] != n[k]) {
                    continue outer;
                }
            }
            byte before = f[i - 1];
            if (before == 0 || before == ' ' || before == '.') {
                return true;
            }
        }
        return false;
    }
}
