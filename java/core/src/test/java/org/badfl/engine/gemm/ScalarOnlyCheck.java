package org.badfl.engine.gemm;

import org.badfl.engine.Compute;

/**
 * Run in a separate JVM by {@link GemmPathSelectionTest}: checks which GEMM path this JVM selected and that
 * it computes correctly. Argument: the expected default path. Prints "OK" on success, exits 1 otherwise.
 */
public final class ScalarOnlyCheck {

    private ScalarOnlyCheck() {
    }

    public static void main(String[] args) {
        Gemm.Path expected = Gemm.Path.valueOf(args[0]);
        if (Gemm.defaultPath() != expected) {
            System.out.println("default path " + Gemm.defaultPath() + ", expected " + expected);
            System.exit(1);
        }
        float[] c = new float[4];
        Gemm.sgemm(Compute.serial(), false, false, 2, 2, 2, new float[] {1, 2, 3, 4}, 0, 2,
                new float[] {5, 6, 7, 8}, 0, 2, c, 0, 2, false);
        if (c[0] != 19 || c[1] != 22 || c[2] != 43 || c[3] != 50) {
            System.out.println("wrong product " + java.util.Arrays.toString(c));
            System.exit(1);
        }
        if (!Gemm.vectorAvailable()) {
            try {
                Gemm.sgemm(Gemm.Path.VECTOR, Compute.serial(), false, false, 2, 2, 2, new float[4], 0, 2,
                        new float[4], 0, 2, c, 0, 2, false);
                System.out.println("VECTOR path ran without the vector module");
                System.exit(1);
            } catch (IllegalStateException expectedFailure) {
                System.out.println("vector refused: " + expectedFailure.getMessage());
            }
        }
        System.out.println("OK");
    }
}
