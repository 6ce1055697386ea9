package org.badfl.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AttackScheduleTest {

    private static List<Integer> rounds(AttackSchedule s, int upTo) {
        return IntStream.rangeClosed(1, upTo).filter(s::attacksIn).boxed().toList();
    }

    @Test
    void everyForm() {
        assertEquals(List.of(1, 2, 3, 4, 5, 6), rounds(AttackSchedule.parse("every-round"), 6));
        assertEquals(List.of(4, 5, 6), rounds(AttackSchedule.parse("from:4"), 6));
        assertEquals(List.of(1, 4, 7), rounds(AttackSchedule.parse("every:3"), 8));
        assertEquals(List.of(2, 5, 8), rounds(AttackSchedule.parse("from:2+every:3"), 8));
        assertEquals(List.of(2, 5, 8), rounds(AttackSchedule.parse("every:3 + from:2"), 8));
        assertEquals(List.of(5), rounds(AttackSchedule.parse("single:5"), 10));
    }

    @Test
    void textRoundTrips() {
        for (String s : List.of("every-round", "from:4", "every:3", "from:2+every:3", "single:5")) {
            assertEquals(s, AttackSchedule.parse(s).toString());
        }
        assertEquals("every-round", AttackSchedule.parse("from:1").toString());
    }

    @Test
    void badFormsNameTheTextAndTheForms() {
        for (String s : List.of("", "sometimes", "from:0", "every:-1", "single:x", "from:2+often")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttackSchedule.parse(s));
            assertTrue(e.getMessage().contains("every-round, from:R"), e.getMessage());
        }
        assertFalse(AttackSchedule.parse("single:3").attacksIn(4));
    }
}
