package org.badfl.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.badfl.engine.Compute;
import org.badfl.engine.Models;
import org.badfl.engine.Network;
import org.badfl.engine.Sgd;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Training throughput (issue 2): images per second of one full training step, {@link Network#trainStep} =
 * train-mode forward (dropout masks drawn, BatchNorm batch statistics), mean softmax cross-entropy, backward,
 * and {@link Sgd} with momentum 0.9 and weight decay 5e-4 (lr 0.01), on one fixed batch of random N(0, 1)
 * images and random labels, with the model on the trial's {@link Compute} ({@code threads} = 1, 2).
 * <ul>
 * <li>{@code cnn-paper} (1x28x28, batch 64) and {@code resnet18} (CIFAR ResNet-18, 3x32x32, batch 32): the
 *     models and batches of the issue, compared with PyTorch by {@code benchmarks/run_training_comparison.sh}
 *     (anchor: {@code benchmarks/python/torch_train_cpu.py}, same models, batches and optimiser).</li>
 * <li>{@code cnn-small} (1x28x28, batch 64): the CPU-scale default model of the FL runs, for information.</li>
 * </ul>
 * {@code batch} 0 means the model's batch above. Read the {@code trainStep:images} rows (images/s, printed as
 * "ops/s"); add {@code -prof org.badfl.bench.aggregation.CpuTimeProfiler} for process CPU milliseconds per
 * step ({@code trainStep:cpu}), from which images per CPU second = batch * 1000 / cpu. Iterations are 3 s and
 * warm-up 4 x 3 s: the Vector API kernels need a few seconds before C2 has compiled them, and a ResNet-18
 * step takes about a second on one core.
 */
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 5, time = 3)
public class TrainingBench extends EngineBench {

    @Param({"cnn-paper", "resnet18", "cnn-small"})
    public String model;

    /** Images per step; 0 = the model's default batch (cnn-paper 64, resnet18 32, cnn-small 64). */
    @Param({"0"})
    public int batch;

    private Network net;
    private float[] images;
    private int[] labels;
    private Sgd sgd;
    private int batchSize;

    @Setup(Level.Trial)
    public void prepare() {
        batchSize = batch > 0 ? batch : defaultBatch(model);
        net = newModel(model, compute);
        images = randomImages(batchSize * net.inputSize(), 1);
        labels = randomLabels(batchSize, net.classes(), 2);
        sgd = new Sgd(0.01, 0.9, 5e-4);
    }

    @Benchmark
    public double trainStep(ImageCounter counter) {
        double loss = net.trainStep(images, labels, batchSize, sgd);
        counter.images += batchSize;
        return loss;
    }

    /** The batch of the comparison for a model: 32 for ResNets, 64 for the CNNs. */
    static int defaultBatch(String model) {
        return model.startsWith("resnet") ? 32 : 64;
    }

    /** A registered model for its default input and 10 classes, seed 42, on {@code compute}. */
    static Network newModel(String model, Compute compute) {
        return Models.create(model, Models.defaultInput(model).channels(), Models.defaultInput(model).height(),
            Models.defaultInput(model).width(), 10, 42).setCompute(compute);
    }

    /** {@code n} values N(0, 1) (Box-Muller) from {@code seed}. */
    static float[] randomImages(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble()));
        }
        return x;
    }

    /** {@code batch} labels uniform in [0, classes) from {@code seed}. */
    static int[] randomLabels(int batch, int classes, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] y = new int[batch];
        for (int b = 0; b < batch; b++) {
            y[b] = rnd.nextInt(classes);
        }
        return y;
    }

    /** The first three fields of /proc/loadavg, or "n/a" where it does not exist. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }
}
