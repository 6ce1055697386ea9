package org.badfl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RoundSetTest {

    @Test
    void listsAndRanges() {
        RoundSet s = RoundSet.parse("3, 10-12,5");
        assertEquals(new TreeSet<>(List.of(3, 5, 10, 11, 12)), s.rounds());
        assertTrue(s.contains(11));
        assertFalse(s.contains(4));
        assertEquals(12, s.last());
        assertEquals("3,5,10-12", s.toString());
        assertEquals(s, RoundSet.parse(s.toString()));
        assertEquals("5", RoundSet.parse("5").toString());
        assertTrue(RoundSet.parse("none").isEmpty());
        assertEquals("none", RoundSet.parse("").toString());
        assertEquals(0, RoundSet.NONE.last());
    }

    @Test
    void badTextNamesItself() {
        for (String bad : new String[] {"0", "5-3", "a", "1,,2", "-2", "every:2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RoundSet.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }
}
