package org.badfl.engine.gemm;

/**
 * The left operand op(A) (m x k) of {@link Gemm#sgemm(Parallel, PackedA, boolean, int, float[],
 * int, int, float[], int, int, boolean)}, packed once into the vector GEMM's A panels for all its rows and k
 * blocks, so that many products with the same A (a convolution's weights against every image or row chunk of
 * a batch) do not pack it again each time. Made by {@link Gemm#packA}; the products give exactly the bits of
 * {@link Gemm#sgemm} on the unpacked A.
 * <p>It also keeps a reference to the source matrix, which products read when they do not use the packed
 * panels (the scalar path, the NT dot-product path): the source must not change while this object is used,
 * and {@link Gemm#packA} must be called again after it changes.
 */
public final class PackedA {

    final Gemm.Path path;
    final boolean transA;
    final int m;
    final int k;
    final float[] a;
    final int aOff;
    final int lda;
    /** Vector path: panels of every k block, block {@code kb} at {@code roundUp(m, MR) * start(kb)}; else null. */
    final float[] panels;

    PackedA(Gemm.Path path, boolean transA, int m, int k, float[] a, int aOff, int lda, float[] panels) {
        this.path = path;
        this.transA = transA;
        this.m = m;
        this.k = k;
        this.a = a;
        this.aOff = aOff;
        this.lda = lda;
        this.panels = panels;
    }

    /** Rows of op(A). */
    public int rows() {
        return m;
    }

    /** Columns of op(A) (the product's k). */
    public int depth() {
        return k;
    }

    /** Whether A is stored transposed (k x m). */
    public boolean transposed() {
        return transA;
    }
}
