package org.badfl.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.junit.jupiter.api.Test;

/** The launchers' argument checks and launch shapes (the numerics are in {@link AggregationChecks}). */
class GpuAggregationTest {

    private final EmulatedDevice dev = TestDevices.emulated();

    @Test
    void gramChunksNeverSpanTwoRangesAndCoverThemInOrder() {
        GpuAggregation agg = new GpuAggregation(dev, 256, 65536, 4);
        int[] chunks = agg.gramChunks(new int[] {0, 10, 10, 10, 12, 13, 20, 29}, 30, 5);
        assertArrayEquals(new int[] {0, 4, 4, 8, 8, 10, 12, 13, 20, 24, 24, 28, 28, 29}, chunks);
    }

    @Test
    void gramChunksGrowSoThatPartialsStayBounded() {
        GpuAggregation agg = new GpuAggregation(dev, 256, 65536, 1);
        int n = 1000; // 500500 pairs: at most 16 chunks of partials within 64 MiB
        int[] chunks = agg.gramChunks(new int[] {0, 1_000_000}, 1_000_000, n);
        assertTrue(chunks.length / 2 <= 16, "chunks: " + chunks.length / 2);
        assertEquals(0, chunks[0]);
        assertEquals(1_000_000, chunks[chunks.length - 1]);
    }

    @Test
    void gramOfEmptyRangesIsZero() {
        float[][] x = {{1, 2}, {3, 4}};
        try (DeviceRows rows = DeviceRows.upload(dev, x, 2)) {
            assertArrayEquals(new double[4], new GpuAggregation(dev).gram(rows, new int[] {1, 1}));
        }
    }

    @Test
    void badArgumentsNameWhatIsWrong() {
        float[][] x = {{1, 2, 3}, {4, 5, 6}};
        DeviceRows rows = DeviceRows.upload(dev, x, 3);
        GpuAggregation agg = new GpuAggregation(dev);
        try (DeviceBuffer b = rows.buffer(); DeviceBuffer small = dev.allocFloats(2); DeviceBuffer out = dev.allocFloats(3)) {
            assertMessage("cannot trim 1 from each side of 2 rows", () -> agg.trimmedMean(rows, 1, out));
            assertMessage("weights: expected one per row (2), found 3", () -> agg.accumulate(rows, new double[3], out));
            assertMessage("output buffer holds 2 values, expected at least d = 3", () -> agg.median(rows, small));
            assertMessage("gram range 0: [2, 4) is not inside [0, 3)", () -> agg.gram(rows, new int[] {2, 4}));
            assertMessage("noise sigma must be finite and >= 0", () -> agg.addNoise(out, 3, Double.NaN, 1, 2));
            ParamLayout.Builder builder = ParamLayout.builder();
            builder.add("w", 2, ParamKind.WEIGHT);
            ParamLayout layout = builder.build();
            assertMessage("rows have d = 3 coordinates, layout has 2",
                () -> agg.accumulateLayerScaled(rows, new double[2], new double[2][], layout, out));
            assertMessage("row stride ld = 2 is smaller than d = 3", () -> new DeviceRows(b, 2, 3, 2));
            assertMessage("need 28 bytes, the buffer has 24", () -> new DeviceRows(b, 2, 3, 4));
            assertMessage("blockSize: expected 1..1024, found 2048", () -> new GpuAggregation(dev, 2048, 1, 1));
        }
    }

    @Test
    void columnTilesFitSharedMemory() {
        GpuAggregation agg = new GpuAggregation(dev, 1024, 65536, 1);
        assertEquals(96, agg.columnsPerBlock(128));   // 96 columns x 128 keys x 4 bytes = 48 KiB
        assertEquals(1024, agg.columnsPerBlock(1) / 1024 * 1024);
        assertEquals(32, agg.columnsPerBlock(1024));  // beyond 48 KiB: the device's opt-in limit
        assertThrows(IllegalArgumentException.class, () -> agg.columnsPerBlock(1 << 17));
    }

    private static void assertMessage(String expected, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should contain '" + expected + "'");
    }
}
