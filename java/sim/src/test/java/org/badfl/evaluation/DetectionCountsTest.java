package org.badfl.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;
import org.badfl.server.ClientVerdict;
import org.junit.jupiter.api.Test;

class DetectionCountsTest {

    private static ClientVerdict flagged(int id) {
        return ClientVerdict.rejected(id, true, "test");
    }

    @Test
    void countsAndRatesByHand() {
        // attackers 1, 2, 3; flagged 1, 2 (TP), 7 (FP); 3 missed (FN); 4, 5, 6 benign unflagged (TN)
        List<ClientVerdict> v = List.of(flagged(1), flagged(2), ClientVerdict.accepted(3), ClientVerdict.accepted(4),
            ClientVerdict.clipped(5, false, "clip"), ClientVerdict.accepted(6), flagged(7));
        DetectionCounts c = DetectionCounts.of(v, Set.of(1, 2, 3));
        assertEquals(new DetectionCounts(2, 1, 3, 1), c);
        assertEquals(2.0 / 3, c.paperTpr());     // TP/(TP+FP): precision
        assertEquals(3.0 / 4, c.paperTnr());     // TN/(TN+FN)
        assertEquals(2.0 / 3, c.recall());       // TP/(TP+FN)
        assertEquals(3.0 / 4, c.specificity());  // TN/(TN+FP)
        assertEquals(3, c.flagged());
        assertEquals(7, c.total());
    }

    @Test
    void undefinedRatesAreNull() {
        DetectionCounts nobodyFlaggedNoAttack = DetectionCounts.of(List.of(ClientVerdict.accepted(1)), Set.of());
        assertNull(nobodyFlaggedNoAttack.paperTpr());
        assertNull(nobodyFlaggedNoAttack.recall());
        assertEquals(1.0, nobodyFlaggedNoAttack.paperTnr());
        assertEquals(1.0, nobodyFlaggedNoAttack.specificity());
        DetectionCounts allFlaggedAllAttack = DetectionCounts.of(List.of(flagged(1)), Set.of(1));
        assertNull(allFlaggedAllAttack.paperTnr());
        assertNull(allFlaggedAllAttack.specificity());
    }

    @Test
    void sumsOverRounds() {
        DetectionCounts s = DetectionCounts.sum(List.of(new DetectionCounts(1, 0, 3, 0), new DetectionCounts(0, 2, 1, 1)));
        assertEquals(new DetectionCounts(1, 2, 4, 1), s);
        assertEquals(1.0 / 3, s.paperTpr());
    }
}
