package org.badfl.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.catalog.Defenses;
import org.junit.jupiter.api.Test;

class RoundAggregatorTest {

    static final ParamLayout LAYOUT = layout();
    static final ServerContext CONTEXT = ServerContext.of(Compute.serial());

    static ParamLayout layout() {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("w", 3, ParamKind.WEIGHT);
        return b.build();
    }

    /** FedAvg over the two valid rows; the NaN row is rejected and the round goes on. */
    @Test
    void rejectedRowsAreLeftOutAndReported() {
        RoundUpdates r = new HostRoundUpdates(LAYOUT, 3);
        r.receive(0, 7, 1, new float[] {1, 1, 1});
        r.receive(1, 8, 1, new float[] {Float.NaN, 0, 0});
        r.receive(2, 9, 3, new float[] {5, 5, 5});
        RoundAggregator.Outcome o = new RoundAggregator(Defenses.create("fedavg"))
            .aggregate(new float[3], LAYOUT, r, 1, 10, 42, CONTEXT);
        assertArrayEquals(new float[] {4, 4, 4}, o.result().global());
        assertFalse(o.previousGlobalKept());
        List<ClientVerdict> v = o.result().verdicts();
        assertEquals(3, v.size());
        assertEquals(ClientVerdict.accepted(7), v.get(0));
        assertEquals(ClientVerdict.Status.REJECTED, v.get(1).status());
        assertEquals("invalid update: NaN at index 0 (w[0])", v.get(1).reason());
        assertEquals(9, v.get(2).clientId());
        assertEquals("1 of 3 updates rejected as invalid", o.result().note());
    }

    /** Defense verdicts land on the right slots between validator rejections. */
    @Test
    void defenseVerdictsAreMappedToSlots() {
        RoundUpdates r = new HostRoundUpdates(LAYOUT, 3);
        r.receive(0, 1, 1, new float[] {0, 0, 0});
        r.receive(1, 2, 1, new float[] {1});
        r.receive(2, 3, 1, new float[] {10, 0, 0});
        RoundAggregator.Outcome o = new RoundAggregator(Defenses.create("norm-clipping", java.util.Map.of("bound", "1")))
            .aggregate(new float[3], LAYOUT, r, 1, 0, 1, CONTEXT);
        List<ClientVerdict> v = o.result().verdicts();
        assertEquals(ClientVerdict.Status.ACCEPTED, v.get(0).status());
        assertEquals(ClientVerdict.Status.REJECTED, v.get(1).status());
        assertEquals(ClientVerdict.Status.CLIPPED, v.get(2).status());
        assertEquals(3, v.get(2).clientId());
    }

    /**
     * A defense whose output overflows (here: G + Δ beyond the float range, 3e38 + 3e38) must not reach the next
     * round: G is kept, the note names the defense and the value.
     */
    @Test
    void nonFiniteOutputKeepsThePreviousGlobal() {
        RoundUpdates r = new HostRoundUpdates(LAYOUT, 1);
        r.receive(0, 1, 1, new float[] {3e38f, 0, 0});
        float[] g = {3e38f, 0, 0};
        RoundAggregator.Outcome o = new RoundAggregator(Defenses.create("fedavg")).aggregate(g, LAYOUT, r, 4, 0, 1, CONTEXT);
        assertTrue(o.previousGlobalKept());
        assertArrayEquals(g, o.result().global());
        assertNotSame(g, o.result().global());
        assertEquals("defense fedavg produced a non-finite value (Infinity at index 0 (w[0])); G kept from the "
            + "previous round", o.result().note());
    }

    @Test
    void everythingRejectedIsAnEmptyRound() {
        RoundUpdates r = new HostRoundUpdates(LAYOUT, 2);
        r.receive(0, 1, 1, new float[] {Float.NaN, 0, 0});
        RoundAggregator.Outcome o = new RoundAggregator(Defenses.create("flame"))
            .aggregate(new float[] {1, 2, 3}, LAYOUT, r, 1, 0, 1, CONTEXT);
        assertArrayEquals(new float[] {1, 2, 3}, o.result().global());
        assertEquals("2 of 2 updates rejected as invalid; no updates this round: G unchanged", o.result().note());
        assertEquals(2, o.result().verdicts().size());
    }

    @Test
    void badGlobalOrBrokenDefenseIsReported() {
        RoundUpdates r = new HostRoundUpdates(LAYOUT, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RoundAggregator(
            Defenses.create("fedavg")).aggregate(new float[] {0, Float.NaN, 0}, LAYOUT, r, 2, 0, 1, CONTEXT));
        assertEquals("global model before round 2 is not finite: NaN at index 1 (w[1])", e.getMessage());
        Defense shortOutput = new Defense() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public RoundResult aggregate(RoundInput input) {
                return new RoundResult(new float[2], new ArrayList<>(), "");
            }
        };
        assertThrows(IllegalStateException.class,
            () -> new RoundAggregator(shortOutput).aggregate(new float[3], LAYOUT, r, 1, 0, 1, CONTEXT));
    }
}
