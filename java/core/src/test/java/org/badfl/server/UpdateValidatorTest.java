package org.badfl.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.junit.jupiter.api.Test;

class UpdateValidatorTest {

    static ParamLayout layout() {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("conv.weight", 3, ParamKind.WEIGHT);
        b.add("conv.bias", 2, ParamKind.BIAS);
        return b.build();
    }

    static float[] ok() {
        return new float[] {1, 2, 3, 4, 5};
    }

    @Test
    void rejectsEachKindOfMalformedUpdateWithItsReason() {
        RoundUpdates r = new HostRoundUpdates(layout(), 10);
        r.receive(0, 10, 5, ok());
        r.receive(1, 11, 5, new float[] {1, 2, Float.NaN, 4, 5});
        r.receive(2, 12, 5, new float[] {1, 2, 3, 4, Float.NEGATIVE_INFINITY});
        r.receive(3, 13, 5, new float[] {1, 2, 3});
        r.receive(4, 14, 0, ok());
        r.receive(5, 15, -3, ok());
        r.receive(6, 16, 5, null);
        r.receive(7, 17, 5, ok());
        r.receive(8, 17, 5, ok());
        // slot 9 never filled
        UpdateValidator.Validation v = new UpdateValidator().validate(r, Compute.serial());
        assertArrayEquals(new int[] {0}, v.acceptedSlots());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, v.rejectedSlots());
        assertEquals(10, v.receivedCount());
        String[] reasons = v.rejected().stream().map(ClientVerdict::reason).toArray(String[]::new);
        assertEquals("invalid update: NaN at index 2 (conv.weight[2])", reasons[0]);
        assertEquals("invalid update: -Infinity at index 4 (conv.bias[1])", reasons[1]);
        assertEquals("invalid update: wrong length: expected 5 values, found 3", reasons[2]);
        assertEquals("invalid update: sample count must be > 0, found 0", reasons[3]);
        assertEquals("invalid update: sample count must be > 0, found -3", reasons[4]);
        assertEquals("invalid update: no update received (slot 6 never filled)", reasons[5]);
        assertEquals("invalid update: client id 17 appears in 2 slots [7, 8]; the server cannot tell which update is "
            + "genuine", reasons[6]);
        assertTrue(reasons[8].contains("slot 9 never filled"));
        for (ClientVerdict c : v.rejected()) {
            assertEquals(ClientVerdict.Status.REJECTED, c.status());
            assertFalse(c.flagged());
        }
        assertEquals(11, v.rejected().get(0).clientId());
        // The accepted view shares the row (no copy).
        assertEquals(1, v.accepted().size());
        assertSame(r.row(0), v.accepted().row(0));
        assertEquals(10, v.accepted().clientId(0));
    }

    @Test
    void boundsTheSampleCount() {
        RoundUpdates r = new HostRoundUpdates(layout(), 2);
        r.receive(0, 1, 100, ok());
        r.receive(1, 2, 101, ok());
        UpdateValidator.Validation v = new UpdateValidator(100).validate(r, Compute.serial());
        assertArrayEquals(new int[] {1}, v.rejectedSlots());
        assertEquals("invalid update: sample count 101 exceeds the bound 100", v.rejected().get(0).reason());
        assertThrows(IllegalArgumentException.class, () -> new UpdateValidator(0));
    }

    @Test
    void anOptionalNormBoundRejectsHugeFiniteUpdates() {
        int d = layout().size();
        float[] huge = new float[d];
        huge[0] = 1e30f;
        float[] edge = new float[d];
        edge[1] = 3;
        edge[2] = 4; // norm exactly 5
        float[] over = new float[d];
        over[3] = 5.0001f;
        RoundUpdates r = new HostRoundUpdates(layout(), 3);
        r.receive(0, 10, 1, huge);
        r.receive(1, 11, 1, edge);
        r.receive(2, 12, 1, over);
        // Off by default: a finite 1e30 update passes.
        assertTrue(new UpdateValidator().validate(r, Compute.serial()).allAccepted());
        assertEquals(Double.POSITIVE_INFINITY, new UpdateValidator().maxUpdateNorm());
        UpdateValidator.Validation v = new UpdateValidator(UpdateValidator.DEFAULT_MAX_SAMPLES, 5).validate(r,
            Compute.serial());
        assertArrayEquals(new int[] {1}, v.acceptedSlots());
        assertArrayEquals(new int[] {0, 2}, v.rejectedSlots());
        assertEquals("invalid update: L2 norm 1.0000000150474662E30 exceeds the server's bound 5.0",
            v.rejected().get(0).reason());
        assertTrue(v.rejected().get(1).reason().startsWith("invalid update: L2 norm 5.000100135803223 exceeds"),
            v.rejected().get(1).reason());
        assertFalse(v.rejected().get(0).flagged());
        assertThrows(IllegalArgumentException.class, () -> new UpdateValidator(10, 0));
        assertThrows(IllegalArgumentException.class, () -> new UpdateValidator(10, Double.NaN));
    }

    @Test
    void sameResultOnManyThreads() {
        RoundUpdates r = new HostRoundUpdates(layout(), 40);
        for (int i = 0; i < 40; i++) {
            float[] row = ok();
            if (i % 3 == 0) {
                row[i % 5] = Float.POSITIVE_INFINITY;
            }
            r.receive(i, i, 1, row);
        }
        UpdateValidator.Validation serial = new UpdateValidator().validate(r, Compute.serial());
        try (Compute c = Compute.create(3)) {
            UpdateValidator.Validation parallel = new UpdateValidator().validate(r, c);
            assertArrayEquals(serial.rejectedSlots(), parallel.rejectedSlots());
            assertEquals(serial.rejected(), parallel.rejected());
        }
        assertEquals(14, serial.rejected().size());
    }

    @Test
    void findNonFiniteNamesTheLayer() {
        assertEquals(Optional.empty(), UpdateValidator.findNonFinite(ok(), layout()));
        assertEquals(Optional.of("Infinity at index 3 (conv.bias[0])"),
            UpdateValidator.findNonFinite(new float[] {0, 0, 0, Float.POSITIVE_INFINITY, 0}, layout()));
        assertEquals(-1, UpdateValidator.firstNonFinite(new float[0]));
    }

    @Test
    void strictSetStillThrowsAndRoundInputChecksShapes() {
        RoundUpdates r = new HostRoundUpdates(layout(), 1);
        assertThrows(IllegalArgumentException.class, () -> r.set(0, 1, 1, new float[2]));
        r.receive(0, 1, 1, new float[2]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new RoundInput(new float[5], layout(), r, 1, 0, 1, ServerContext.of(Compute.serial())));
        assertEquals("update of client 1: expected 5 values, found 2 (validate the updates first)", e.getMessage());
    }
}
