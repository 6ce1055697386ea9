package org.badfl.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Work counter: a benchmark adds the GFLOP it did per invocation and JMH reports the secondary result
 * {@code <benchmark>:gflops} as GFLOP per second ("ops/s" in JMH's output).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class GflopCounter {

    /** GFLOP done in the current iteration. */
    public double gflops;

    @Setup(Level.Iteration)
    public void reset() {
        gflops = 0;
    }
}
