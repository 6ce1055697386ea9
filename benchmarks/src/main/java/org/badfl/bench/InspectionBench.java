package org.badfl.bench;

import java.util.SplittableRandom;
import org.badfl.engine.Models;
import org.badfl.engine.Network;
import org.badfl.engine.Shape;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Level;

/**
 * BADFL's neuron inspection of one client model: guided-backprop saliency of all 10 class logits on the 64
 * inspection images (the default inspection set). {@code shared} is what the inspector does (one forward,
 * ten backwards: {@link Network#saliencyPerClass}); {@code per-class} is one forward and backward per class,
 * the earlier path, as the anchor. The score is models inspected per second; a round inspects every sampled
 * model, so the round's inspection time is (models inspected) / score.
 * <pre>java -jar benchmarks/target/benchmarks.jar InspectionBench -p threads=2</pre>
 */
public class InspectionBench extends EngineBench {

    @Param({"cnn-small", "cnn-paper"})
    public String model;

    @Param({"shared", "per-class"})
    public String mode;

    private static final int IMAGES = 64;
    private static final int CLASSES = 10;

    private Network network;
    private float[] images;

    @Setup(Level.Trial)
    public void build() {
        Shape input = Models.defaultInput(model);
        network = Models.spec(model, input, CLASSES).build();
        network.initialise(1);
        network.setCompute(compute);
        SplittableRandom r = new SplittableRandom(2);
        images = new float[IMAGES * input.size()];
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) r.nextGaussian();
        }
    }

    @Benchmark
    public float[][] inspectOneModel() {
        if (mode.equals("shared")) {
            return network.saliencyPerClass(images, IMAGES, true);
        }
        float[][] out = new float[CLASSES][];
        for (int c = 0; c < CLASSES; c++) {
            out[c] = network.saliency(images, IMAGES, c, true);
        }
        return out;
    }
}
