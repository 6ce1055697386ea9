package org.badfl.server.badfl;

import static org.badfl.server.badfl.BadflDefenseTest.input;
import static org.badfl.server.badfl.BadflDefenseTest.round;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.badfl.engine.Compute;
import org.badfl.server.DefenseDetails;
import org.badfl.server.DefenseObserver;
import org.badfl.server.ModelInspector;
import org.badfl.server.RoundResult;
import org.badfl.server.ServerContext;
import org.junit.jupiter.api.Test;

/** BADFL reports its per-client values to the context's observer each round, and the observer changes nothing. */
class BadflObserverTest {

    static ServerContext context(ModelInspector inspector, DefenseObserver observer) {
        return new ServerContext() {
            @Override
            public Compute compute() {
                return Compute.serial();
            }

            @Override
            public Optional<ModelInspector> inspector() {
                return Optional.ofNullable(inspector);
            }

            @Override
            public DefenseObserver observer() {
                return observer;
            }
        };
    }

    @Test
    void theDefaultObserverIsNone() {
        assertSame(DefenseObserver.NONE, ServerContext.of(Compute.serial()).observer());
    }

    @Test
    void receivesThePerClientValuesOfEveryRound() {
        List<DefenseDetails> seen = new ArrayList<>();
        ServerContext ctx = context(new FakeInspector(8), seen::add);
        BadflDefense badfl = new BadflDefense();
        List<RoundResult> results = new ArrayList<>();
        for (int t = 1; t <= 2; t++) {
            results.add(badfl.aggregate(input(round(20, 4, 20 + t), ctx, t, 3, 40 + t)));
        }
        assertEquals(2, seen.size());
        BadflRoundDetails d = (BadflRoundDetails) seen.get(1);
        RoundResult r = results.get(1);
        assertEquals("badfl", d.defense());
        assertEquals(2, d.round());
        int n = 20;
        double w = badfl.config().patchLofWeight();
        for (int i = 0; i < n; i++) {
            assertEquals(100 + i, d.clients()[i]);
            assertEquals(r.verdicts().get(i).flagged(), d.flagged()[i], "client " + i);
            assertTrue(r.verdicts().get(i).reason().startsWith(d.reasons()[i]), r.verdicts().get(i).reason());
            assertTrue(Double.isFinite(d.lof()[i]), "LOF of " + i);
            assertEquals(2, d.patch().rounds()[i], "rounds of client " + i);
            assertNotNull(d.profiles()[i]);
            // The accumulated value is the patch memory and the LOF memory combined with the LOF weight.
            assertEquals(d.patch().accumulated()[i], (d.patchMemory()[i] + w * d.lofMemory()[i]) / Math.sqrt(1 + w * w),
                1e-12, "client " + i);
        }
        // The backdoored clients stand out in what is reported.
        for (int i = 0; i < 4; i++) {
            assertTrue(d.flagged()[i], "attacker " + i);
            assertTrue(d.mniaFlagged()[i] || d.patch().flagged()[i], "attacker " + i);
        }
        assertTrue(!d.flagged()[10] && !d.patch().flagged()[10]);
        assertTrue(d.patch().accumulated()[0] > d.patch().accumulated()[10]);
    }

    /** An observer that scribbles over everything it receives still leaves the rounds bit-identical. */
    @Test
    void theObserverOnlyReads() {
        ServerContext plain = context(new FakeInspector(8), DefenseObserver.NONE);
        ServerContext scribbling = context(new FakeInspector(8), details -> {
            BadflRoundDetails d = (BadflRoundDetails) details;
            Arrays.fill(d.flagged(), true);
            Arrays.fill(d.lof(), Double.NaN);
            Arrays.fill(d.patch().accumulated(), 1e9);
            Arrays.fill(d.patch().flagged(), false);
            Arrays.fill(d.reasons(), "x");
            for (double[][] p : d.profiles()) {
                for (double[] row : p) {
                    Arrays.fill(row, 7);
                }
            }
        });
        BadflDefense a = new BadflDefense();
        BadflDefense b = new BadflDefense();
        for (int t = 1; t <= 3; t++) {
            RoundResult ra = a.aggregate(input(round(20, 4, 30 + t), plain, t, 3, 50 + t));
            RoundResult rb = b.aggregate(input(round(20, 4, 30 + t), scribbling, t, 3, 50 + t));
            assertArrayEquals(ra.global(), rb.global(), "round " + t);
            assertEquals(ra.verdicts(), rb.verdicts(), "round " + t);
            assertEquals(ra.note(), rb.note());
        }
        assertEquals(a.saveState(), b.saveState());
    }

    /** Steps that did not run report null: no patch deviation with patch=off, no MNIA without an inspector. */
    @Test
    void stepsThatDidNotRunAreNull() {
        List<DefenseDetails> seen = new ArrayList<>();
        new BadflDefense(BadflConfig.builder().patch(false).build())
            .aggregate(input(round(20, 4, 1), context(new FakeInspector(8), seen::add), 1, 3, 5));
        BadflRoundDetails off = (BadflRoundDetails) seen.get(0);
        assertNotNull(off.lof());
        assertNotNull(off.mniaFlagged());
        assertNull(off.patch());
        assertNull(off.profiles());
        assertNull(off.patchMemory());
        assertNull(off.lofMemory());

        new BadflDefense().aggregate(input(round(20, 4, 1), context(null, seen::add), 1, 3, 5));
        BadflRoundDetails noInspector = (BadflRoundDetails) seen.get(1);
        assertNotNull(noInspector.lof());
        assertNull(noInspector.mniaFlagged());
        assertNull(noInspector.patch());
    }
}
