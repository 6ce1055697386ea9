package org.badfl.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.HostRoundUpdates;
import org.badfl.server.RoundUpdates;
import org.badfl.server.ServerContext;
import org.badfl.server.catalog.Defenses;
import org.badfl.server.AggregationKernels;
import org.junit.jupiter.api.Test;

/**
 * {@link DeviceAggregationKernels} on the CPU emulation of the CUDA kernels against {@link AggregationKernels#cpu}:
 * each kernel, then whole rounds of every baseline defense with the emulated kernels behind
 * {@link ServerContext#kernels()}. Sizes stay small (the emulation runs every CUDA thread as a fiber) but odd: d is
 * not a multiple of any block or vector width, and the layout has a BatchNorm entry that the trainable-only steps
 * must skip.
 */
class DeviceAggregationKernelsTest {

    private static final int D_TRAINABLE = 1531;
    private static final int D_BN = 13;

    /** "w" (1531 trainable values) followed by 13 BatchNorm running means. */
    private static ParamLayout layout() {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("w", D_TRAINABLE, ParamKind.WEIGHT);
        b.add("bn.running_mean", D_BN, ParamKind.BN_RUNNING_MEAN);
        return b.build();
    }

    /**
     * n rows: a common direction plus noise, rows 0 and 1 (the "attackers") pointing the other way and 6× larger,
     * so that Krum, FLAME, FLTrust and RLR separate them the same way on both paths (no near ties).
     */
    private static float[][] rows(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] direction = new float[d];
        for (int c = 0; c < d; c++) {
            direction[c] = (float) r.nextGaussian();
        }
        float[][] rows = new float[n][d];
        for (int i = 0; i < n; i++) {
            double sign = i < 2 ? -6 : 1;
            for (int c = 0; c < d; c++) {
                rows[i][c] = (float) (0.01 * (sign * direction[c] + 0.5 * r.nextGaussian()));
            }
        }
        rows[n - 1][5] = 0f; // exact zeros and a negative zero for the sign votes
        rows[n - 1][6] = -0f;
        return rows;
    }

    private static DeviceAggregationKernels emulated() {
        return new DeviceAggregationKernels(TestDevices.emulated());
    }

    @Test
    void eachKernelMatchesTheCpuKernels() {
        AggregationKernels cpu = AggregationKernels.cpu(Compute.serial());
        ParamLayout layout = layout();
        int d = layout.size();
        for (int n : new int[] {1, 6}) {
            float[][] rows = rows(n, d, 11 + n);
            try (DeviceAggregationKernels dev = emulated()) {
                float[] a = new float[d];
                float[] b = new float[d];
                cpu.median(rows, a);
                dev.median(rows, b);
                assertArrayEquals(a, b, "median, n = " + n);
                if (n > 2) {
                    cpu.trimmedMean(rows, 1, a);
                    dev.trimmedMean(rows, 1, b);
                    assertArrayEquals(a, b, "trimmed mean, n = " + n);
                }
                int[] va = new int[d];
                int[] vb = new int[d];
                cpu.absSignSum(rows, va);
                dev.absSignSum(rows, vb);
                assertArrayEquals(va, vb, "sign votes, n = " + n);

                double[] weights = new double[n];
                double[][] scale = new double[n][];
                for (int i = 0; i < n; i++) {
                    weights[i] = (i + 1.0) / (n * (n + 1) / 2.0);
                    scale[i] = i % 2 == 0 ? null : new double[] {0.25 + i, 1.0};
                }
                float[] sa = base(d);
                float[] sb = base(d);
                cpu.accumulate(rows, weights, sa);
                dev.accumulate(rows, weights, sb);
                assertArrayEquals(sa, sb, "weighted sum (bit-identical: rows in index order, double sums), n = " + n);
                cpu.accumulateLayerScaled(rows, weights, scale, layout, sa);
                dev.accumulateLayerScaled(rows, weights, scale, layout, sb);
                assertArrayEquals(sa, sb, "layer-scaled sum, n = " + n);

                cpu.addNoise(sa, 3, D_TRAINABLE, 0.5, 77L, 4L);
                dev.addNoise(sb, 3, D_TRAINABLE, 0.5, 77L, 4L);
                assertArrayEquals(sa, sb, "noise on [3, d) (Philox stream from element 3; bit-identical on the emulation)");

                int[] ranges = layout.trainableRanges();
                double[] ga = cpu.gram(rows, ranges);
                double[] gb = dev.gram(rows, ranges);
                assertGramClose(rows, ranges, ga, gb);
                float[] v = rows(1, d, 99)[0];
                double[] da = cpu.dots(rows, v, ranges);
                double[] db = dev.dots(rows, v, ranges);
                double[] na = cpu.dots(rows, null, ranges);
                double[] nb = dev.dots(rows, null, ranges);
                for (int i = 0; i < n; i++) {
                    assertClose("dot " + i, da[i], db[i], absDot(rows[i], v, ranges));
                    assertClose("squared norm " + i, na[i], nb[i], absDot(rows[i], rows[i], ranges));
                }
                assertEquals(n > 2 ? 7 : 6, dev.rowUploads(), "host rows are uploaded for each call (median .. gram, "
                    + "[rows, v] for the dots); the squared norms come from the kept Gram");
                assertEquals(n > 2 ? 9 : 8, dev.deviceCalls(), "kernel calls answered by the device");
            }
        }
    }

    @Test
    void deviceRoundUpdatesAreReadInPlaceWithTheSameResults() {
        ParamLayout layout = layout();
        int d = layout.size();
        int n = 5;
        float[][] rows = rows(n, d, 23);
        EmulatedDevice device = TestDevices.emulated();
        try (DeviceAggregationKernels dev = new DeviceAggregationKernels(device);
             DeviceRoundUpdates updates = new DeviceRoundUpdates(new GpuAggregation(device), layout, n)) {
            for (int i = 0; i < n; i++) {
                device.copyToDevice(rows[i], 0, updates.slot(i), d); // as a trainer leaves its Δ there
                updates.receiveOnDevice(i, 100 + i, 10 + i);
            }
            float[] a = new float[d];
            float[] b = new float[d];
            dev.median(rows, a);
            long uploads = dev.rowUploads();
            long moved = device.bytesToDevice() + device.bytesToHost();
            dev.median(updates, b);
            assertArrayEquals(a, b, "median of device rows");
            dev.trimmedMean(rows, 1, a);
            dev.trimmedMean(updates, 1, b);
            assertArrayEquals(a, b, "trimmed mean of device rows");
            double[] weights = updates.sampleWeights();
            float[] sa = base(d);
            float[] sb = base(d);
            dev.accumulate(rows, weights, sa);
            dev.accumulate(updates, weights, sb);
            assertArrayEquals(sa, sb, "weighted sum of device rows");
            int[] ranges = layout.trainableRanges();
            assertArrayEquals(dev.gram(rows, ranges), dev.gram(updates, ranges), "Gram of device rows");
            float[] v = rows(1, d, 98)[0];
            double[][] both = dev.dotsAndSquaredNorms(updates, v, ranges);
            double[] dots = dev.dots(rows, v, ranges);
            double[] norms = dev.dots(rows, null, ranges);
            assertArrayEquals(dots, both[0], "dots with v");
            assertArrayEquals(norms, both[1], "squared norms");

            int[] some = {4, 1, 3};
            RoundUpdates picked = updates.select(some);
            float[][] pickedRows = {rows[4], rows[1], rows[3]};
            dev.median(pickedRows, a);
            dev.median(picked, b);
            assertArrayEquals(a, b, "median of a gathered selection");
            assertArrayEquals(rows[3], picked.row(2), "host view of a selected device row");
            assertEquals(103, picked.clientId(2));
            assertEquals(uploads + 5, dev.rowUploads(), "only the host-row calls uploaded rows");
            assertTrue(device.bytesToHost() + device.bytesToDevice() - moved > 0);

            float[] bad = rows[2].clone();
            bad[7] = Float.POSITIVE_INFINITY;
            device.copyToDevice(bad, 0, updates.slot(2), d);
            updates.receiveOnDevice(2, 102, 12);
            assertArrayEquals(new int[] {-1, 7, -1}, updates.firstNonFinite(new int[] {1, 2, 3}, Compute.serial()),
                "the NaN/Inf scan of device rows finds the row and its first bad index");
        }
    }

    @Test
    void badArgumentsNameTheKernel() {
        try (DeviceAggregationKernels dev = emulated()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dev.median(new float[][] {new float[4], new float[5]}, new float[4]));
            assertEquals("median: row 1 has 5 values, expected 4 like row 0", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> dev.accumulate(new float[][] {new float[4]},
                new double[] {1}, new float[3]));
            assertEquals("weighted sum: output has 3 values, expected the rows' 4", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> dev.addNoise(new float[4], 2, 5, 1, 1, 1));
            assertEquals("noise range [2, 5) must lie within the target's 4 values", e.getMessage());
        }
    }

    /**
     * A round of every baseline defense with the emulated kernels equals the CPU round: same verdicts, and the new
     * G within {@code tol + |ref|·eps}. Defenses whose steps are exact on both paths (FedAvg, Median, Trimmed
     * mean, RLR, Krum, Multi-Krum: order statistics, integer votes, double weighted sums in row order) give the same
     * bits. Where a Gram or dot product feeds a factor (FLAME's clip bound and noise σ, FLTrust's trust and norm
     * alignment, norm clipping's factors, CRFL's clip): the CPU sums float FMAs within 8192-coordinate chunks and
     * the device sums in double, so norms and cosines agree to ~(m + 1)·2⁻²⁴ ≈ 3·10⁻⁵ relative at worst (here
     * ~10⁻⁷); a factor off by δ moves G by δ·|update| (updates ~0.1 here) plus, with noise, δ·σ·|z|: tol = 1e-6,
     * eps = 2⁻²² (two float roundings of G + Σ).
     */
    @Test
    void everyBaselineDefenseRoundMatchesTheCpuRound() {
        ParamLayout layout = layout();
        int d = layout.size();
        int n = 9;
        float[][] rows = rows(n, d, 5);
        float[] global = rows(1, d, 6)[0];
        float[] root = rows(3, d, 5)[2].clone(); // an honest-looking direction for FLTrust
        List<String> baselines = List.of("fedavg", "median", "trimmed-mean", "rlr", "krum", "multi-krum", "flame",
            "fltrust", "norm-clipping", "crfl", "badfl"); // badfl without an inspector: LMCA + removal + noise
        double eps = Math.scalb(1.0, -22);
        for (String name : baselines) {
            Defense defense = Defenses.create(name);
            RoundResult cpu = defense.aggregate(input(global, layout, rows, root, AggregationKernels.cpu(Compute.serial())));
            try (DeviceAggregationKernels dev = emulated()) {
                RoundResult emu = defense.aggregate(input(global, layout, rows, root, dev));
                assertTrue(dev.deviceCalls() > 0, name + ": ran its kernels on the device");
                assertEquals(statuses(cpu.verdicts()), statuses(emu.verdicts()), name + ": verdicts");
                assertEquals(cpu.note(), emu.note(), name + ": note");
                float[] ref = cpu.global();
                float[] got = emu.global();
                boolean exact = List.of("fedavg", "median", "trimmed-mean", "rlr", "krum", "multi-krum").contains(name);
                for (int c = 0; c < d; c++) {
                    double tol = exact ? 0 : 1e-6 + Math.abs(ref[c]) * eps;
                    if (!(Math.abs(ref[c] - got[c]) <= tol)) {
                        throw new AssertionError(name + ": G[" + c + "] = " + got[c] + " on the device, " + ref[c]
                            + " on the CPU (tolerance " + tol + ")");
                    }
                }
            }
        }
    }

    private static RoundInput input(float[] global, ParamLayout layout, float[][] rows, float[] root,
                                    AggregationKernels kernels) {
        RoundUpdates u = new HostRoundUpdates(layout, rows.length);
        for (int i = 0; i < rows.length; i++) {
            u.set(i, 100 + i, 10 + i, rows[i].clone());
        }
        ServerContext context = new ServerContext() {
            @Override
            public Compute compute() {
                return Compute.serial();
            }

            @Override
            public AggregationKernels kernels() {
                return kernels;
            }

            @Override
            public float[] rootUpdate(float[] g, int round, long seed) {
                return root.clone();
            }
        };
        return new RoundInput(global.clone(), layout, u, 3, 10, 1234L, context);
    }

    private static String statuses(List<ClientVerdict> verdicts) {
        StringBuilder sb = new StringBuilder();
        for (ClientVerdict v : verdicts) {
            sb.append(v.clientId()).append(':').append(v.status()).append(v.flagged() ? "!" : "").append(' ');
        }
        return sb.toString();
    }

    private static float[] base(int d) {
        float[] out = new float[d];
        for (int c = 0; c < d; c++) {
            out[c] = (float) Math.sin(c);
        }
        return out;
    }

    /** Gram entries within (m + 1)·2⁻²⁴·Σ|x_i·x_j| + 1e-15 (CPU float-FMA chunk bound, m = 512; device in double). */
    private static void assertGramClose(float[][] rows, int[] ranges, double[] ref, double[] got) {
        int n = rows.length;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                assertClose("gram[" + i + "][" + j + "]", ref[i * n + j], got[i * n + j], absDot(rows[i], rows[j], ranges));
            }
        }
    }

    private static void assertClose(String what, double ref, double got, double absSum) {
        double tol = 1e-15 + 513 * Math.scalb(1.0, -24) * absSum;
        if (!(Math.abs(ref - got) <= tol)) {
            throw new AssertionError(what + ": device " + got + ", CPU " + ref + " (tolerance " + tol + ")");
        }
    }

    private static double absDot(float[] a, float[] b, int[] ranges) {
        double s = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int c = ranges[r]; c < ranges[r + 1]; c++) {
                s += Math.abs((double) a[c] * b[c]);
            }
        }
        return s;
    }
}
