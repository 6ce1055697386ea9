package org.badfl.gpu.check;

import org.badfl.gpu.Dim3;
import org.badfl.gpu.KernelArgs;
import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.badfl.util.Seeds;

/**
 * Checks of the execution model and the memory operations, valid CUDA on every device: what the CPU emulation
 * must get right for the kernel checks to mean anything, and what a GPU run confirms. The kernels are in
 * {@code kernels/device_checks.cu} and {@code kernels/vector_ops.cu}.
 */
public final class DeviceChecks {

    private DeviceChecks() {
    }

    /** All execution-model checks, inputs drawn from {@code seed}. */
    public static List<DeviceCheck> all(long seed) {
        List<DeviceCheck> checks = new ArrayList<>();
        checks.add(new DeviceCheck("memory: copies, slices, memset", DeviceChecks::memory));
        for (int block : new int[] {1, 33, 128, 1024}) {
            checks.add(new DeviceCheck("barrier + dynamic shared memory block=" + block, d -> barrierRotate(d, block, seed)));
        }
        for (int block : new int[] {32, 256, 1024}) {
            checks.add(new DeviceCheck("static shared memory per block, tree reduction block=" + block,
                d -> sharedReduce(d, block, seed)));
        }
        checks.add(new DeviceCheck("atomics under contention grid=13 block=128", d -> atomics(d, 13, 128, 13 * 128 - 5)));
        checks.add(new DeviceCheck("atomics under contention grid=4 block=1024", d -> atomics(d, 4, 1024, 4096)));
        for (int block : new int[] {32, 96, 256}) {
            checks.add(new DeviceCheck("warp shuffles and votes block=" + block, d -> warp(d, block, seed)));
        }
        for (int[] gb : new int[][] {{1, 32}, {3, 128}, {64, 1024}, {2, 37}}) {
            for (int n : new int[] {1, 1000}) {
                checks.add(new DeviceCheck("grid-stride axpy n=" + n + " grid=" + gb[0] + " block=" + gb[1],
                    d -> axpy(d, n, gb[0], gb[1], seed)));
            }
        }
        return checks;
    }

    static void memory(Device device) {
        float[] data = new float[1000];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.5f - 17;
        }
        try (DeviceBuffer a = device.upload(data); DeviceBuffer b = device.allocFloats(1000)) {
            Compare.exact("upload/download round trip", data, device.downloadFloats(a, 1000));
            device.memset32(b, Float.floatToRawIntBits(2.5f));
            device.copy(a.sliceFloats(10, 20), b.sliceFloats(500, 20), 80);
            float[] expect = new float[1000];
            java.util.Arrays.fill(expect, 2.5f);
            System.arraycopy(data, 10, expect, 500, 20);
            Compare.exact("memset32 + device-to-device copy between slices", expect, device.downloadFloats(b, 1000));
            device.memset8(b.slice(0, 8), 0);
            float[] head = new float[3];
            device.copyToHost(b, head, 0, 3);
            Compare.exact("memset8 of a slice", new float[] {0f, 0f, 2.5f}, head);
            int[] ints = {7, -1, Integer.MIN_VALUE};
            double[] doubles = {Math.PI, -0.0, Double.MAX_VALUE};
            byte[] bytes = {1, -2, 3};
            try (DeviceBuffer i = device.upload(ints); DeviceBuffer dd = device.upload(doubles); DeviceBuffer by = device.alloc(3)) {
                device.copyToDevice(bytes, 0, by, 3);
                Compare.exact("int round trip", ints, device.downloadInts(i, 3));
                double[] gotD = device.downloadDoubles(dd, 3);
                for (int k = 0; k < 3; k++) {
                    if (Double.doubleToRawLongBits(gotD[k]) != Double.doubleToRawLongBits(doubles[k])) {
                        throw new CheckFailure("double round trip [" + k + "]: expected " + doubles[k] + ", got " + gotD[k]);
                    }
                }
                byte[] gotB = new byte[3];
                device.copyToHost(by, gotB, 0, 3);
                if (!java.util.Arrays.equals(bytes, gotB)) {
                    throw new CheckFailure("byte round trip: expected " + java.util.Arrays.toString(bytes) + ", got "
                        + java.util.Arrays.toString(gotB));
                }
            }
        }
    }

    static void barrierRotate(Device device, int block, long seed) {
        int grid = 3;
        int rounds = block == 1 ? 3 : 5;
        int total = grid * block;
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, "barrier", block));
        int[] in = new int[total];
        for (int i = 0; i < total; i++) {
            in[i] = rnd.nextInt();
        }
        int[] expect = new int[total];
        for (int b = 0; b < grid; b++) {
            for (int t = 0; t < block; t++) {
                expect[b * block + t] = in[b * block + (t + rounds) % block];
            }
        }
        try (DeviceBuffer i = device.upload(in); DeviceBuffer o = device.allocInts(total)) {
            device.memset32(o, Compare.POISON_BITS);
            device.launch("check_barrier_rotate_kernel", Dim3.of(grid), Dim3.of(block), block * 4,
                KernelArgs.create().ptr(i).ptr(o).i32(rounds));
            Compare.exact("rotation through shared memory, " + rounds + " rounds", expect, device.downloadInts(o, total));
        }
    }

    static void sharedReduce(Device device, int block, long seed) {
        int grid = 16;
        int total = grid * block;
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, "shared-reduce", block));
        float[] in = new float[total];
        float[] expect = new float[grid];
        for (int i = 0; i < total; i++) {
            in[i] = rnd.nextInt(-1000, 1000); // small integers: every partial sum is exact, any order
            expect[i / block] += in[i];
        }
        int[] ones = new int[total];
        java.util.Arrays.fill(ones, 1);
        try (DeviceBuffer i = device.upload(in); DeviceBuffer s = device.allocFloats(grid); DeviceBuffer tag = device.allocInts(total)) {
            device.memset32(s, Compare.POISON_BITS);
            device.memset32(tag, Compare.POISON_BITS);
            device.launch("check_shared_reduce_kernel", Dim3.of(grid), Dim3.of(block), 0, KernelArgs.create().ptr(i).ptr(s).ptr(tag));
            Compare.exact("block sums", expect, device.downloadFloats(s, grid));
            Compare.exact("__shared__ tag seen by every thread is its own block's", ones, device.downloadInts(tag, total));
        }
    }

    static void atomics(Device device, int grid, int block, int total) {
        int[] ints = {0, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, 0, 0};
        try (DeviceBuffer i = device.upload(ints); DeviceBuffer u = device.alloc(8); DeviceBuffer f = device.allocFloats(1);
             DeviceBuffer dd = device.allocDoubles(1)) {
            device.memset8(u, 0);
            device.memset8(f, 0);
            device.memset8(dd, 0);
            device.launch("check_atomics_kernel", Dim3.of(grid), Dim3.of(block), 0,
                KernelArgs.create().ptr(i).ptr(u).ptr(f).ptr(dd).i32(total));
            int xor = 0;
            int or = 0;
            for (int g = 0; g < total; g++) {
                xor ^= g;
                or |= 1 << (g % 31);
            }
            Compare.exact("int atomics [add, max, min, CAS loop, xor, or]", new int[] {total, total - 1, -(total - 1), total, xor, or},
                device.downloadInts(i, 6));
            byte[] raw = new byte[8];
            device.copyToHost(u, raw, 0, 8);
            long sum = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            if (sum != (long) total * (total - 1) / 2) {
                throw new CheckFailure("unsigned long long atomicAdd: expected " + (long) total * (total - 1) / 2 + ", got " + sum);
            }
            Compare.exact("float atomicAdd of 1.0 (exact below 2^24)", new float[] {total}, device.downloadFloats(f, 1));
            double got = device.downloadDoubles(dd, 1)[0];
            if (got != total * 0.5) {
                throw new CheckFailure("double atomicAdd of 0.5: expected " + total * 0.5 + ", got " + got);
            }
        }
    }

    static void warp(Device device, int block, long seed) {
        int grid = 3;
        int n = grid * block;
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, "warp", block));
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextInt(-99, 91); // any(v > 90) false unless planted, all(v > -100) true unless planted
        }
        v[5] = 95;          // warp 0: any true
        v[n - 1] = -100;    // last warp: all false
        int[] out;
        try (DeviceBuffer i = device.upload(v); DeviceBuffer o = device.allocInts(9L * n)) {
            device.memset32(o, Compare.POISON_BITS);
            device.launch("check_warp_kernel", Dim3.of(grid), Dim3.of(block), 0, KernelArgs.create().ptr(i).ptr(o));
            out = device.downloadInts(o, 9 * n);
        }
        String[] what = {"__shfl_down_sync warp sum (lane 0)", "__shfl_xor_sync warp max", "__shfl_sync from lane 3",
            "__shfl_up_sync inclusive scan", "__ballot_sync(v > 0)", "__shfl_xor_sync sum, width 16",
            "__shfl_down_sync sum, width 8 (lane 0 of 8)", "__any_sync(v > 90)", "__all_sync(v > -100)"};
        for (int k = 0; k < 9; k++) {
            int[] expect = new int[n];
            int[] got = new int[n];
            for (int g = 0; g < n; g++) {
                int base = g / 32 * 32;
                int lane = g % 32;
                boolean checked = true;
                int e = 0;
                switch (k) {
                    case 0 -> { checked = lane == 0; e = sum(v, base, 32); }
                    case 1 -> { e = Integer.MIN_VALUE; for (int l = 0; l < 32; l++) e = Math.max(e, v[base + l]); }
                    case 2 -> e = v[base + 3];
                    case 3 -> e = sum(v, base, lane + 1);
                    case 4 -> { for (int l = 0; l < 32; l++) if (v[base + l] > 0) e |= 1 << l; }
                    case 5 -> e = sum(v, g / 16 * 16, 16);
                    case 6 -> { checked = lane % 8 == 0; e = sum(v, g / 8 * 8, 8); }
                    case 7 -> { for (int l = 0; l < 32; l++) if (v[base + l] > 90) e = 1; }
                    default -> { e = 1; for (int l = 0; l < 32; l++) if (v[base + l] <= -100) e = 0; }
                }
                expect[g] = checked ? e : 0;
                got[g] = checked ? out[k * n + g] : 0;
            }
            Compare.exact(what[k], expect, got);
        }
    }

    private static int sum(int[] v, int from, int count) {
        int s = 0;
        for (int i = from; i < from + count; i++) {
            s += v[i];
        }
        return s;
    }

    static void axpy(Device device, int n, int grid, int block, long seed) {
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, "axpy", n));
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
            y[i] = (float) rnd.nextGaussian();
        }
        float a = 0.75f;
        float[] expect = new float[n];
        double[] tol = new double[n];
        for (int i = 0; i < n; i++) {
            expect[i] = y[i] + a * x[i];
            // a GPU may fuse a*x + y into one FMA: one rounding instead of two
            tol[i] = Math.ulp(Math.abs(a * x[i]) + Math.abs(y[i]));
        }
        try (DeviceBuffer xb = device.upload(x); DeviceBuffer yb = device.allocFloats(n + Compare.GUARD)) {
            device.memset32(yb, Compare.POISON_BITS);
            device.copyToDevice(y, 0, yb, n);
            device.launch("axpy_forward_kernel", Dim3.of(grid), Dim3.of(block), 0, KernelArgs.create().ptr(yb).ptr(xb).f32(a).i32(n));
            float[] got = device.downloadFloats(yb, n + Compare.GUARD);
            Compare.close("y += a*x", expect, java.util.Arrays.copyOf(got, n), tol, 0);
            Compare.guardIntact("y", guardBits(got, n));
        }
    }

    static int[] guardBits(float[] got, int from) {
        int[] g = new int[got.length - from];
        for (int i = from; i < got.length; i++) {
            g[i - from] = Float.floatToRawIntBits(got[i]);
        }
        return g;
    }
}
