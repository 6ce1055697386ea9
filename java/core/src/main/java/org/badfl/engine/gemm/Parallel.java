package org.badfl.engine.gemm;

import java.util.function.IntConsumer;

/**
 * What a GEMM needs of a thread pool: its size (the task grid adapts to it) and a parallel loop over tasks.
 * {@code org.badfl.engine.Compute} is one; the GEMM asks for this instead so that it stays below the engine's
 * layers that call it (no package cycle).
 */
public interface Parallel {

    /** Everything on the calling thread, tasks in order (as {@code Compute.serial()}). */
    Parallel SERIAL = new Parallel() {
        @Override
        public int threads() {
            return 1;
        }

        @Override
        public void parallelFor(int tasks, IntConsumer body) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
        }
    };

    /** Threads the loop may use (the caller counts as one). */
    int threads();

    /** Runs {@code body.accept(i)} for every {@code i} in {@code [0, tasks)}, spread over the threads. */
    void parallelFor(int tasks, IntConsumer body);
}
