package org.badfl.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Work counter of the training benchmarks: a benchmark adds the images it trained on per invocation and JMH
 * reports the secondary result {@code <benchmark>:images} as images per second ("ops/s" in JMH's output).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ImageCounter {

    /** Images trained on in the current iteration. */
    public long images;

    @Setup(Level.Iteration)
    public void reset() {
        images = 0;
    }
}
