package org.badfl.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TriggerTest {

    private static List<String> positions(Trigger t) {
        List<String> out = new ArrayList<>();
        for (int[] p : t.maskedPositions()) {
            out.add(p[0] + "," + p[1]);
        }
        return out;
    }

    @Test
    void backdoors101PixelsByHand() {
        Trigger t = Trigger.backdoors101(1, 28, 28);
        // rows 3-7, cols 23-25: [[1,0,1],[-,1,-],[-,-,0],[-,1,-],[1,0,1]]
        assertEquals(List.of("3,23", "3,24", "3,25", "4,24", "5,25", "6,24", "7,23", "7,24", "7,25"), positions(t));
        float[][] expected = {{1, 0, 1}, {-1, 1, -1}, {-1, -1, 0}, {-1, 1, -1}, {1, 0, 1}};
        for (int r = 0; r < 5; r++) {
            for (int c = 0; c < 3; c++) {
                if (expected[r][c] >= 0) {
                    assertEquals(1f, t.mask(0, 3 + r, 23 + c));
                    assertEquals(expected[r][c], t.pattern(0, 3 + r, 23 + c));
                } else {
                    assertEquals(0f, t.mask(0, 3 + r, 23 + c));
                }
            }
        }
        assertEquals(9, t.maskedCount());
        Trigger rgb = Trigger.backdoors101(3, 32, 32);
        assertEquals(27, rgb.maskedCount());
        assertEquals(0f, rgb.pattern(2, 3, 24));
        assertEquals(1f, rgb.pattern(2, 4, 24));
        assertThrows(IllegalArgumentException.class, () -> Trigger.backdoors101(1, 28, 26));
    }

    @Test
    void applyFollowsEquationFive() {
        float[] mask = {0f, 1f, 0.25f, 1f};
        float[] pattern = {1f, 0f, 1f, 0.5f};
        Trigger t = new Trigger("t", 1, 2, 2, mask, pattern);
        float[] x = {0.2f, 0.7f, 0.6f, 0.1f};
        float[] out = new float[5];
        t.apply(x, 0, out, 1);
        assertEquals(0.2f, out[1]);           // m = 0: unchanged
        assertEquals(0f, out[2]);             // m = 1: pattern exactly
        assertEquals(0.6f * 0.75f + 0.25f, out[3], 1e-7f);  // blend
        assertEquals(0.5f, out[4]);
        assertEquals(0.7f, x[1]);             // source not modified
        t.applyInPlace(x, 0);
        assertEquals(0f, x[1]);
        assertThrows(IllegalArgumentException.class, () -> new Trigger("bad", 1, 1, 2, new float[] {0, 2},
            new float[2]));
        assertThrows(IllegalArgumentException.class, () -> t.apply(x, 1, out, 0));
    }

    @Test
    void dbaMnistLocalAndGlobal() {
        assertEquals(List.of("0,0", "0,1", "0,2", "0,3"), positions(Trigger.dbaLocal(0, 1, 28, 28)));
        assertEquals(List.of("0,6", "0,7", "0,8", "0,9"), positions(Trigger.dbaLocal(1, 1, 28, 28)));
        assertEquals(List.of("3,0", "3,1", "3,2", "3,3"), positions(Trigger.dbaLocal(2, 1, 28, 28)));
        assertEquals(List.of("3,6", "3,7", "3,8", "3,9"), positions(Trigger.dbaLocal(3, 1, 28, 28)));
        Trigger global = Trigger.dbaGlobal(1, 28, 28);
        assertEquals(16, global.maskedCount());
        assertEquals(List.of("0,0", "0,1", "0,2", "0,3", "0,6", "0,7", "0,8", "0,9", "3,0", "3,1", "3,2", "3,3",
            "3,6", "3,7", "3,8", "3,9"), positions(global));
        assertEquals(1f, global.pattern(0, 3, 9));
    }

    @Test
    void dbaCifarBarsInAllChannels() {
        assertEquals(List.of("0,0", "0,1", "0,2", "0,3", "0,4", "0,5"), positions(Trigger.dbaLocal(0, 3, 32, 32)));
        assertEquals(List.of("0,9", "0,10", "0,11", "0,12", "0,13", "0,14"), positions(Trigger.dbaLocal(1, 3, 32, 32)));
        assertEquals(List.of("4,0", "4,1", "4,2", "4,3", "4,4", "4,5"), positions(Trigger.dbaLocal(2, 3, 32, 32)));
        assertEquals(List.of("4,9", "4,10", "4,11", "4,12", "4,13", "4,14"), positions(Trigger.dbaLocal(3, 3, 32, 32)));
        Trigger global = Trigger.dbaGlobal(3, 32, 32);
        assertEquals(24 * 3, global.maskedCount());
        for (int c = 0; c < 3; c++) {
            assertEquals(1f, global.mask(c, 4, 14));
            assertEquals(1f, global.pattern(c, 4, 14));
            assertEquals(0f, global.mask(c, 4, 15));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trigger.dbaLocal(0, 1, 30, 30));
        assertTrue(e.getMessage().contains("30x30"));
        assertThrows(IllegalArgumentException.class, () -> Trigger.dbaLocal(4, 1, 28, 28));
    }

    @Test
    void squareAndPresets() {
        Trigger sq = Trigger.square(1, 28, 28, 2, 5, 6, 0.8f);
        assertEquals(List.of("5,6", "5,7", "6,6", "6,7"), positions(sq));
        assertEquals(0.8f, sq.pattern(0, 6, 7));
        Trigger def = Trigger.preset("square", 1, 28, 28);
        assertEquals(16, def.maskedCount());
        assertEquals(1f, def.mask(0, 23, 23));
        assertEquals(1f, def.mask(0, 26, 26));
        assertEquals(0f, def.mask(0, 27, 27));
        assertEquals(2, Trigger.preset("square:size=1,row=0,col=0,value=1", 2, 8, 8).maskedCount());
        assertEquals(16, Trigger.preset("dba:global", 1, 28, 28).maskedCount());
        assertEquals(4, Trigger.preset("dba:2", 1, 28, 28).maskedCount());
        assertEquals(9, Trigger.preset("backdoors101", 1, 28, 28).maskedCount());
        assertThrows(IllegalArgumentException.class, () -> Trigger.preset("square:size=40", 1, 28, 28));
        assertThrows(IllegalArgumentException.class, () -> Trigger.preset("glasses", 1, 28, 28));
        String art = Trigger.backdoors101(1, 28, 28).toAscii(0);
        assertEquals(".".repeat(23) + "#o#..", art.lines().skip(3).findFirst().orElseThrow());
        assertEquals(".".repeat(25) + "o..", art.lines().skip(5).findFirst().orElseThrow());
    }
}
