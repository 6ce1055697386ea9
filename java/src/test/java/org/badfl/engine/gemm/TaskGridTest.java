package org.badfl.engine.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The task split covers the output exactly once, follows its cost rule, and depends on the shape only. */
class TaskGridTest {

    private static final TaskGrid.Costs COSTS = new TaskGrid.Costs(8, 48, 2_000_000L, 16, 0.30);

    @Test
    void bandsTileTheOutputExactlyOnce() {
        int[][] shapes = {{1, 1, 1}, {64, 676, 288}, {64, 288, 43264}, {1000, 3, 500}, {97, 1001, 77}, {512, 512, 512}};
        for (int[] s : shapes) {
            TaskGrid grid = TaskGrid.of(s[0], s[1], s[2], COSTS, 40, 60);
            int[][] count = new int[s[0]][s[1]];
            for (int t = 0; t < grid.tasks(); t++) {
                assertTrue(grid.rowStart(t) < grid.rowEnd(t) && grid.colStart(t) < grid.colEnd(t), "empty task");
                assertEquals(0, grid.rowStart(t) % 8, "row band aligned to micro-tiles");
                assertEquals(0, grid.colStart(t) % 48, "column band aligned to micro-tiles");
                for (int i = grid.rowStart(t); i < grid.rowEnd(t); i++) {
                    for (int j = grid.colStart(t); j < grid.colEnd(t); j++) {
                        count[i][j]++;
                    }
                }
            }
            for (int[] row : count) {
                for (int c : row) {
                    assertEquals(1, c, "every output in exactly one task");
                }
            }
        }
    }

    @Test
    void splitFollowsWorkAndPackingCost() {
        // 25 MFLOP with cheap repacking of the small A: 2 MFLOP per task allows 12, so 8 tasks, all column bands
        TaskGrid conv = TaskGrid.of(64, 676, 288, COSTS, 40, 60);
        assertEquals(8, conv.tasks());
        assertEquals(1, conv.rowBands);
        // large 512^3: the full 16 tasks, split both ways
        TaskGrid square = TaskGrid.of(512, 512, 512, COSTS, 40, 60);
        assertEquals(16, square.tasks());
        assertEquals(4, square.rowBands);
        // tiny product: one task
        assertEquals(1, TaskGrid.of(10, 10, 10, COSTS, 40, 60).tasks());
        // m = n = 100, huge k: each split repacks 100 x k values for 2*100*100*k flops; 2 tasks stay under +30%
        assertEquals(2, TaskGrid.of(100, 100, 100_000, COSTS, 40, 60).tasks());
    }
}
