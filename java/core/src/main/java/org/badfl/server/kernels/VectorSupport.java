package org.badfl.server.kernels;

/**
 * Whether the aggregation kernels may use the Vector API ({@code jdk.incubator.vector}), decided once per JVM.
 * <p>The Vector API is an incubator module in Java 17: it is only there when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} (the {@code badfl} launcher, the tests and the benchmarks do).
 * Without it every kernel runs its scalar path, which computes the same function (exactly, or within the
 * tolerance its Javadoc states). The classes that touch {@code jdk.incubator.vector} are only loaded after
 * this check, so a JVM without the module never tries to link them.
 * <p>{@code -Dbadfl.vector=false} forces the scalar paths (to compare speed, or to rule the Vector API out
 * when chasing a bug).
 */
public final class VectorSupport {

    /** System property that disables the Vector API paths when set to {@code false}. */
    public static final String PROPERTY = "badfl.vector";

    private static final boolean ENABLED = detect();

    private VectorSupport() {
    }

    /** True when the kernels use their Vector API paths in this JVM. */
    public static boolean enabled() {
        return ENABLED;
    }

    private static boolean detect() {
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        return decide(System.getProperty(PROPERTY), module, module ? Shapes.preferredBits() : 0);
    }

    /**
     * The decision: not switched off by the property, module present, and at least 128-bit vectors (below
     * that the JIT has no SIMD to map the API to and the scalar paths are faster).
     */
    static boolean decide(String property, boolean modulePresent, int preferredBits) {
        if ("false".equalsIgnoreCase(property)) {
            return false;
        }
        return modulePresent && preferredBits >= 128;
    }

    /** Separate class so that {@code jdk.incubator.vector} is only linked once the module is known present. */
    private static final class Shapes {
        static int preferredBits() {
            return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }
}
