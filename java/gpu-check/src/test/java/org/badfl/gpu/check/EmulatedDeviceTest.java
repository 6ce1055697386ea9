package org.badfl.gpu.check;

import org.badfl.gpu.Device;
import org.badfl.gpu.DeviceBuffer;
import org.badfl.gpu.DeviceRows;
import org.badfl.gpu.Dim3;
import org.badfl.gpu.KernelArgs;
import org.badfl.gpu.EmulatedDevice;
import org.badfl.gpu.GpuAggregation;
import org.badfl.gpu.TestDevices;
import org.badfl.gpu.check.AggregationChecks;
import org.badfl.gpu.check.Compare;
import org.badfl.gpu.check.DeviceChecks;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.badfl.engine.Compute;
import org.badfl.server.kernels.Gram;
import org.badfl.server.noise.GaussianNoise;
import org.junit.jupiter.api.Test;

/** What only the CPU emulation can show: its error reports, poisoning, canaries and deadlock detection. */
class EmulatedDeviceTest {

    private final EmulatedDevice dev = TestDevices.emulated();

    @Test
    void registryHasEveryKernelWithItsCSignature() {
        assertEquals("ppfi", dev.kernels().get("axpy_forward_kernel"));
        assertEquals("plipip", dev.kernels().get("gram_forward_kernel"));
        assertEquals("pliiip", dev.kernels().get("coordinate_median_forward_kernel"));
        assertEquals("pldlll", dev.kernels().get("gaussian_noise_forward_kernel"));
        assertEquals("iiiiipipipiilppiip", dev.kernels().get("sgemm_128_forward_kernel"));
        assertEquals("piiiiiiiiipi", dev.kernels().get("conv2d_im2col_forward_kernel"));
        assertEquals("pppllldf", dev.kernels().get("dropout_forward_kernel"));
        assertEquals("ppppifff", dev.kernels().get("sgd_forward_kernel"));
        assertEquals(46, dev.kernels().size());
        // tensor-core code cannot run here: the TF32 GEMM exists only in the fatbin
        assertTrue(!dev.kernels().containsKey("sgemm_tf32_forward_kernel"));
    }

    @Test
    void newAllocationsArePoisonedWithNaN() {
        try (DeviceBuffer b = dev.allocFloats(100)) {
            for (float v : dev.downloadFloats(b, 100)) {
                assertEquals(Compare.POISON_BITS, Float.floatToRawIntBits(v));
            }
        }
    }

    @Test
    void dynamicSharedMemoryStartsPoisoned() {
        try (DeviceBuffer out = dev.allocFloats(64)) {
            dev.memset8(out, 0);
            dev.launch("check_emulator_shared_poison_kernel", Dim3.of(2), Dim3.of(32), 32 * 4, KernelArgs.create().ptr(out));
            for (float v : dev.downloadFloats(out, 64)) {
                assertEquals(Compare.POISON_BITS, Float.floatToRawIntBits(v), "unwritten shared memory must read as poison");
            }
        }
    }

    @Test
    void unknownKernelNamesTheKernel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> dev.launch("no_such_kernel", Dim3.of(1), Dim3.of(1), 0, KernelArgs.create()));
        assertTrue(e.getMessage().contains("no_such_kernel"), e.getMessage());
    }

    @Test
    void argumentTypesAreCheckedAgainstTheCSignature() {
        try (DeviceBuffer y = dev.allocFloats(4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dev.launch("axpy_forward_kernel", Dim3.of(1), Dim3.of(4), 0,
                    KernelArgs.create().ptr(y).ptr(y).f64(1.0).i32(4)));
            assertTrue(e.getMessage().contains("'ppfi'") && e.getMessage().contains("'ppdi'"), e.getMessage());
        }
    }

    @Test
    void outOfBoundsWritesAreReportedWithTheArgument() {
        try (DeviceBuffer y = dev.allocFloats(10); DeviceBuffer x = dev.allocFloats(100)) {
            dev.memset32(x, Float.floatToRawIntBits(1f)); // y[i] += 1 changes every byte it touches
            IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> dev.launch("axpy_forward_kernel", Dim3.of(1), Dim3.of(32), 0,
                    KernelArgs.create().ptr(y).ptr(x).f32(1f).i32(20)));
            assertTrue(e.getMessage().contains("wrote outside the buffer passed as pointer argument 0"), e.getMessage());
            // the canaries are re-armed: a correct launch afterwards passes
            dev.launch("axpy_forward_kernel", Dim3.of(1), Dim3.of(32), 0, KernelArgs.create().ptr(y).ptr(x).f32(1f).i32(10));
        }
    }

    @Test
    void deadlockIsReportedNotHung() {
        try (DeviceBuffer out = dev.allocInts(3)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> dev.launch("check_emulator_deadlock_kernel", Dim3.of(3), Dim3.of(64), 0, KernelArgs.create().ptr(out)));
            assertTrue(e.getMessage().contains("deadlocked") && e.getMessage().contains("63 thread(s) wait at __syncthreads"),
                e.getMessage());
            // the worker threads recover
            DeviceChecks.barrierRotate(dev, 128, 1);
        }
    }

    @Test
    void freedAndForeignBuffersAreRejected() {
        DeviceBuffer b = dev.allocFloats(8);
        b.close();
        b.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> dev.downloadFloats(b, 8));
        try (EmulatedDevice other = new EmulatedDevice(1); DeviceBuffer foreign = other.allocFloats(8)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dev.launch("axpy_forward_kernel", Dim3.of(1), Dim3.of(8), 0,
                    KernelArgs.create().ptr(foreign).ptr(foreign).f32(1f).i32(8)));
            assertTrue(e.getMessage().contains("belongs to device"), e.getMessage());
        }
    }

    @Test
    void invalidLaunchShapesAndCopiesAreRejected() {
        try (DeviceBuffer b = dev.allocFloats(8)) {
            KernelArgs args = KernelArgs.create().ptr(b).ptr(b).f32(1f).i32(8);
            assertThrows(IllegalArgumentException.class, () -> dev.launch("axpy_forward_kernel", Dim3.of(1), Dim3.of(2048), 0, args));
            assertThrows(IllegalArgumentException.class, () -> dev.launch("axpy_forward_kernel", Dim3.of(1), Dim3.of(32),
                dev.info().maxSharedBytesPerBlock() + 1, args));
            assertThrows(IllegalArgumentException.class, () -> dev.copyToDevice(new float[9], 0, b, 9));
            assertThrows(IllegalArgumentException.class, () -> dev.copyToHost(b, new float[8], 4, 8));
            assertThrows(IllegalArgumentException.class, () -> b.slice(4, 29));
            assertThrows(IllegalArgumentException.class, () -> dev.alloc(0));
        }
    }

    @Test
    void closingADeviceFreesItsMemory() {
        long before = EmulatedDevice.liveBytes();
        EmulatedDevice d = new EmulatedDevice(1);
        DeviceBuffer b = d.allocFloats(1000);
        d.allocFloats(10);
        assertEquals(before + 4040, EmulatedDevice.liveBytes());
        d.close();
        assertEquals(before, EmulatedDevice.liveBytes());
        assertTrue(b.isFreed());
        assertThrows(IllegalStateException.class, () -> d.allocFloats(1));
    }

    @Test
    void resultsDoNotDependOnTheNumberOfWorkerThreads() {
        float[][] rows = AggregationChecks.rows(3, "threads", 9, 3001);
        float[] one;
        float[] four;
        try (EmulatedDevice d1 = new EmulatedDevice(1)) {
            one = medianOf(d1, rows);
        }
        try (EmulatedDevice d4 = new EmulatedDevice(4)) {
            four = medianOf(d4, rows);
        }
        assertArrayEquals(one, four);
    }

    /** The median followed by the Gram matrix (barriers, per-chunk partials) of the rows. */
    private static float[] medianOf(Device d, float[][] rows) {
        try (DeviceRows r = DeviceRows.upload(d, rows, rows[0].length); DeviceBuffer out = d.allocFloats(r.d())) {
            GpuAggregation agg = new GpuAggregation(d, 64, 65536, 1024);
            agg.median(r, out);
            float[] med = d.downloadFloats(out, r.d());
            double[] g = agg.gram(r, Gram.all(r.d()));
            float[] both = Arrays.copyOf(med, med.length + g.length);
            for (int i = 0; i < g.length; i++) {
                both[med.length + i] = (float) g[i];
            }
            return both;
        }
    }

    @Test
    void noiseIsBitIdenticalToTheCpuGeneratorOverManyBlocks() {
        int n = 1 << 18;
        float[] ref = new float[n];
        GaussianNoise.add(ref, 1.0, 0x5EED_5EEDL, 7, Compute.serial());
        try (DeviceBuffer b = dev.allocFloats(n)) {
            dev.memset8(b, 0);
            new GpuAggregation(dev).addNoise(b, n, 1.0, 0x5EED_5EEDL, 7);
            float[] got = dev.downloadFloats(b, n);
            int differ = 0;
            for (int i = 0; i < n; i++) {
                if (Float.floatToRawIntBits(ref[i]) != Float.floatToRawIntBits(got[i])) {
                    differ++;
                }
            }
            assertEquals(0, differ, "elements differing from GaussianNoise.add, e.g. first ones: "
                + Arrays.toString(Arrays.copyOf(got, 4)) + " vs " + Arrays.toString(Arrays.copyOf(ref, 4)));
        }
    }
}
