package org.badfl.server.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.noise.GaussianNoise;
import org.badfl.server.noise.GaussianNoiseReference;
import org.junit.jupiter.api.Test;

/**
 * The public kernels in a JVM started without {@code --add-modules jdk.incubator.vector}: they must run
 * their scalar paths (never touching the module) and give the reference results.
 */
class ScalarFallbackTest {

    @Test
    void decision() {
        assertTrue(VectorSupport.decide(null, true, 512));
        assertTrue(VectorSupport.decide("true", true, 128));
        assertFalse(VectorSupport.decide("false", true, 512));
        assertFalse(VectorSupport.decide(null, false, 0));
        assertFalse(VectorSupport.decide(null, true, 64));
    }

    @Test
    void kernelsRunWithoutTheVectorModule() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
            Main.class.getName()));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertEquals("vector=false ok", out.trim(), out);
    }

    /** Runs every public kernel once against its reference; prints "vector=<enabled> ok" or throws. */
    public static final class Main {
        public static void main(String[] args) {
            float[][] rows = TestRows.awkward(7, 301, 3);
            float[][] gauss = TestRows.gaussian(7, 301, 4);
            float[] a = new float[301];
            float[] b = new float[301];
            try (Compute compute = Compute.create(2)) {
                CoordinateStats.median(rows, a, compute);
                CoordinateStatsReference.median(rows, b);
                TestRows.assertBitsEqual(b, a, "median");
                CoordinateStats.trimmedMean(rows, 2, a, compute);
                CoordinateStatsReference.trimmedMean(rows, 2, b);
                TestRows.assertBitsEqual(b, a, "trimmed mean");
                int[] votes = new int[301];
                int[] votesRef = new int[301];
                SignVotes.absSignSum(rows, votes, compute);
                SignVotesReference.absSignSum(rows, votesRef);
                if (!java.util.Arrays.equals(votes, votesRef)) {
                    throw new AssertionError("sign votes");
                }
                double[] w = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7};
                a = new float[301];
                b = new float[301];
                WeightedSum.accumulate(rows, w, a, compute);
                WeightedSumReference.accumulate(rows, w, b);
                TestRows.assertBitsEqual(b, a, "weighted sum");
                ParamLayout.Builder lb = ParamLayout.builder();
                lb.add("w", 300, ParamKind.WEIGHT);
                lb.add("b", 1, ParamKind.BIAS);
                ParamLayout layout = lb.build();
                double[][] scale = new double[7][];
                scale[1] = new double[] {0.5, 2};
                WeightedSum.accumulateLayerScaled(rows, w, scale, layout, a, compute);
                WeightedSumReference.accumulateLayerScaled(rows, w, scale, layout, b);
                TestRows.assertBitsEqual(b, a, "layer-scaled weighted sum");
                double[] g = Gram.compute(gauss, Gram.all(301), compute);
                double[] gRef = GramReference.compute(gauss, Gram.all(301));
                for (int k = 0; k < g.length; k++) {
                    if (Math.abs(g[k] - gRef[k]) > 1e-9 * (1 + Math.abs(gRef[k]))) {
                        throw new AssertionError("gram entry " + k + ": " + g[k] + " vs " + gRef[k]);
                    }
                }
                double[] norms = RowDots.squaredNorms(gauss, Gram.all(301), compute);
                for (int i = 0; i < norms.length; i++) {
                    if (Math.abs(norms[i] - gRef[i * 7 + i]) > 1e-9 * gRef[i * 7 + i]) {
                        throw new AssertionError("row norm " + i);
                    }
                }
                a = new float[301];
                b = new float[301];
                GaussianNoise.add(a, 0.5, 1, 2, compute);
                GaussianNoiseReference.add(b, 0.5, 1, 2, compute);
                TestRows.assertBitsEqual(b, a, "noise");
            }
            System.out.println("vector=" + VectorSupport.enabled() + " ok");
        }
    }
}
