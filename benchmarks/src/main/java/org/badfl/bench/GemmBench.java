package org.badfl.bench;

import java.util.SplittableRandom;
import org.badfl.engine.gemm.Gemm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * GFLOP/s of {@link Gemm#sgemm} (2mnk flops per call) for the vector and scalar paths on 1 and 2 threads.
 * Shapes ({@code T}: operand stored transposed; m x n x k):
 * <ul>
 * <li>{@code NN_256x256x256 .. NN_1024x1024x1024}: square matrices (anchor: torch.matmul, see
 *     {@code benchmarks/python/torch_train_cpu.py}).</li>
 * <li>Paper CNN conv2 (64 out channels, k = 32*3*3 = 288, 24*24 = 576 output pixels from the 26x26 conv1
 *     output) as im2col GEMMs, per image and for a batch of 64: forward {@code NN_64x576x288},
 *     {@code NN_64x36864x288}; weight gradient {@code NT_64x288x576}, {@code NT_64x288x36864}; input
 *     gradient {@code TN_288x576x64}. conv1 (32 out channels, k = 9, 26*26 = 676 pixels), batch 64:
 *     {@code NN_32x43264x9}.</li>
 * <li>Paper CNN fc1 (batch 64, 9216 -> 128): forward {@code NT_64x128x9216}, weight gradient
 *     {@code TN_128x9216x64}, input gradient {@code NN_64x9216x128}.</li>
 * <li>ResNet18 on CIFAR, batch 32: layer1 conv forward {@code NN_64x32768x576} (64 ch, 32x32 pixels),
 *     layer4 conv forward {@code NN_512x512x4608} (512 ch, 4x4 pixels, 512*3*3).</li>
 * <li>Gram matrix of 100 client updates of 100k coordinates: {@code NT_100x100x100000}.</li>
 * </ul>
 * Run a subset with {@code -p shape=NN_256x256x256,NN_512x512x512 -p path=VECTOR}.
 */
public class GemmBench extends EngineBench {

    @Param({"VECTOR", "SCALAR"})
    public String path;

    @Param({"NN_256x256x256", "NN_512x512x512", "NN_1024x1024x1024",
            "NN_64x576x288", "NN_64x36864x288", "NT_64x288x576", "NT_64x288x36864", "TN_288x576x64",
            "NN_32x43264x9",
            "NT_64x128x9216", "TN_128x9216x64", "NN_64x9216x128",
            "NN_64x32768x576", "NN_512x512x4608", "NT_100x100x100000"})
    public String shape;

    private Gemm.Path gemmPath;
    private boolean transA;
    private boolean transB;
    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;
    private double gflopPerCall;

    @Setup(Level.Trial)
    public void prepare() {
        gemmPath = Gemm.Path.valueOf(path);
        String[] parts = shape.split("_");
        if (parts.length != 2 || parts[0].length() != 2) {
            throw new IllegalArgumentException("shape must look like NT_64x288x676, got '" + shape + "'");
        }
        transA = parts[0].charAt(0) == 'T';
        transB = parts[0].charAt(1) == 'T';
        String[] dims = parts[1].split("x");
        m = Integer.parseInt(dims[0]);
        n = Integer.parseInt(dims[1]);
        k = Integer.parseInt(dims[2]);
        SplittableRandom rnd = new SplittableRandom(42);
        a = random(rnd, m * k);
        b = random(rnd, k * n);
        c = new float[m * n];
        gflopPerCall = 2.0 * m * n * k / 1e9;
    }

    @Benchmark
    public float[] sgemm(GflopCounter counter) {
        Gemm.sgemm(gemmPath, compute, transA, transB, m, n, k, a, 0, transA ? m : k, b, 0, transB ? k : n,
                c, 0, n, false);
        counter.gflops += gflopPerCall;
        return c;
    }

    private static float[] random(SplittableRandom rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
