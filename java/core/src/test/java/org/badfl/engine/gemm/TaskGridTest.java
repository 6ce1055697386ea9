package org.badfl.engine.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The task split covers the output exactly once and follows its cost rule. */
class TaskGridTest {

    private static final TaskGrid.Costs COSTS = new TaskGrid.Costs(8, 48, 2_000_000L, 16);

    @Test
    void bandsTileTheOutputExactlyOnce() {
        int[][] shapes = {{1, 1, 1}, {64, 676, 288}, {64, 288, 43264}, {1000, 3, 500}, {97, 1001, 77}, {512, 512, 512}};
        for (int[] s : shapes) {
          for (int threads = 1; threads <= 5; threads++) {
            TaskGrid grid = TaskGrid.of(s[0], s[1], s[2], threads, COSTS, 70, 90);
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
    }

    @Test
    void splitFollowsThreadsWorkAndPackingCost() {
        // one thread: one task, nothing packed twice
        assertEquals(1, TaskGrid.of(1024, 1024, 1024, 1, COSTS, 70, 90).tasks());
        // conv2 forward, 2 threads: two column bands of 6 micro-tiles; the small A is packed twice
        TaskGrid conv = TaskGrid.of(64, 576, 288, 2, COSTS, 70, 50);
        assertEquals(1, conv.rowBands);
        assertEquals(2, conv.colBands);
        // 512^3 on 4 threads: 2 x 2 (W = 268M * 12/11 + 512 * (2*512*70 + 2*512*90) = 376M flop-equivalents)
        // beats 4 x 1 (268M + 512 * (512*70 + 4*512*90) = 381M): 11 column micro-tiles split 6 + 5
        TaskGrid square = TaskGrid.of(512, 512, 512, 4, COSTS, 70, 90);
        assertEquals(2, square.rowBands);
        assertEquals(2, square.colBands);
        // too little work for two tasks
        assertEquals(1, TaskGrid.of(10, 10, 10, 2, COSTS, 70, 90).tasks());
        // three column micro-tiles cannot be halved evenly: with 3 threads, 3 column bands
        TaskGrid narrow = TaskGrid.of(64, 128, 9216, 3, COSTS, 70, 90);
        assertEquals(3, narrow.colBands);
    }
}
