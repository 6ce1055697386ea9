package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.rows;
import static org.badfl.server.defenses.Rounds.vec;
import static org.badfl.server.defenses.Rounds.withBn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamLayout;
import org.badfl.server.NoiseStreams;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.ServerContext;
import org.badfl.server.noise.GaussianNoise;
import org.junit.jupiter.api.Test;

class RlrCrflTest {

    /**
     * Votes per trainable coordinate over 4 equally weighted updates: c0 ++++ → 4, c1 +++− → 2, c2 +−+− → 0,
     * c3 000+ → 1, c4 −−−− → 4. θ = 3: lr = (+, −, −, −, +). c5 is a BatchNorm statistic: FedAvg mean, no vote.
     * Mean Δ = (2.5, 0.5, 0, 0.25, −1, 1.5).
     */
    @Test
    void rlrFlipsCoordinatesWithoutSignAgreement() {
        ParamLayout layout = withBn(5, 1);
        float[][] rows = rows(new double[] {1, 1, 1, 0, -1, 3}, new double[] {2, 1, -1, 0, -1, -3},
            new double[] {3, 1, 2, 0, -1, 3}, new double[] {4, -1, -2, 1, -1, 3});
        float[] g = vec(10, 10, 10, 10, 10, 10);
        RoundResult r = new Rlr(3, 1.0).aggregate(Rounds.input(g, layout, rows));
        assertArrayEquals(vec(12.5, 9.5, 10, 9.75, 9, 11.5), r.global());
        assertTrue(r.note().contains("on 3 of 5 trainable coordinates"), r.note());
        // θ = 0 turns it off: FedAvg (η = 1).
        assertArrayEquals(vec(12.5, 10.5, 10, 10.25, 9, 11.5), new Rlr(0, 1.0).aggregate(Rounds.input(g, layout, rows)).global());
        // η scales the voted coordinates only.
        assertArrayEquals(vec(15, 9, 10, 9.5, 8, 11.5), new Rlr(3, 2.0).aggregate(Rounds.input(g, layout, rows)).global());
        assertThrows(IllegalArgumentException.class, () -> new Rlr(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Rlr(1, 0));
    }

    @Test
    void crflScheduleMatchesTheReference() {
        Crfl mnist = new Crfl();
        assertEquals(2.1, mnist.rho(1), 1e-15);
        assertEquals(7.0, mnist.rho(50), 1e-12);
        assertEquals(15.0, mnist.rho(130), 1e-12);
        assertEquals(15.0, mnist.rho(500));
        Crfl emnist = new Crfl(Crfl.Schedule.EMNIST, 0.01);
        assertEquals(4.25, emnist.rho(1));
        assertEquals(100.0, emnist.rho(384));
        assertEquals(100.0, emnist.rho(1000));
        assertEquals(3.0, Crfl.Schedule.constant(3).rho(77));
        assertEquals(0.01, mnist.sigma());
    }

    /**
     * G = 0 and FedAvg of the updates θ = (3, 4) (BN statistic 100): ‖θ‖ over trainable = 5 > ρ_1 = 2.1, so
     * θ ← θ·2.1/5 = (1.26, 1.68); the BN statistic is neither counted nor scaled. The evaluation model is that
     * clipped model; G adds σ·z_i from stream {@link NoiseStreams#CRFL} to the trainable coordinates only.
     */
    @Test
    void crflClipsTheGlobalModelAndAddsNoiseAfterEvaluation() {
        ParamLayout layout = withBn(2, 1);
        float[][] rows = rows(new double[] {2, 4, 100}, new double[] {4, 4, 100});
        RoundInput in = Rounds.input(new float[3], layout, ServerContext.of(Compute.serial()), 1, 9, rows);
        RoundResult r = new Crfl().aggregate(in);
        float[] eval = r.modelToEvaluate();
        assertNotSame(eval, r.global());
        assertEquals(1.26, eval[0], 1e-6);
        assertEquals(1.68, eval[1], 1e-6);
        assertEquals(100f, eval[2]);
        assertEquals(2.1, Crfl.trainableNorm(eval, layout.trainableRanges()), 1e-6);
        for (int j = 0; j < 2; j++) {
            assertEquals(eval[j] + 0.01 * GaussianNoise.normal(9, NoiseStreams.CRFL, j), r.global()[j], 1e-7);
        }
        assertEquals(100f, r.global()[2]);
        assertTrue(r.note().contains("clipped to rho_1"), r.note());

        // Below the bound: no clipping, no note; later round, larger bound.
        RoundInput late = Rounds.input(new float[3], layout, ServerContext.of(Compute.serial()), 40, 9, rows);
        RoundResult lr = new Crfl().aggregate(late);
        assertArrayEquals(vec(3, 4, 100), lr.modelToEvaluate());
        assertEquals("", lr.note());
        // Same seed, same G; another seed, another G.
        assertArrayEquals(r.global(), new Crfl().aggregate(in).global());
        RoundInput other = Rounds.input(new float[3], layout, ServerContext.of(Compute.serial()), 1, 10, rows);
        assertFalse(Arrays.equals(r.global(), new Crfl().aggregate(other).global()));
    }
}
