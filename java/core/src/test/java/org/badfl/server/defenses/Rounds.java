package org.badfl.server.defenses;

import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.RoundInput;
import org.badfl.server.HostRoundUpdates;
import org.badfl.server.RoundUpdates;
import org.badfl.server.ServerContext;

/** Builds small rounds for defense tests. */
final class Rounds {

    private Rounds() {
    }

    /** One trainable entry "w" of d values. */
    static ParamLayout plain(int d) {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("w", d, ParamKind.WEIGHT);
        return b.build();
    }

    /** "w" (trainable, d values) followed by "bn.running_mean" (bn values). */
    static ParamLayout withBn(int d, int bn) {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("w", d, ParamKind.WEIGHT);
        b.add("bn.running_mean", bn, ParamKind.BN_RUNNING_MEAN);
        return b.build();
    }

    static RoundUpdates updates(ParamLayout layout, float[][] rows, long... samples) {
        RoundUpdates u = new HostRoundUpdates(layout, rows.length);
        for (int i = 0; i < rows.length; i++) {
            u.set(i, 100 + i, samples.length == 0 ? 1 : samples[i], rows[i]);
        }
        return u;
    }

    static RoundInput input(float[] global, ParamLayout layout, float[][] rows, long... samples) {
        return input(global, layout, ServerContext.of(Compute.serial()), 1, 7L, rows, samples);
    }

    static RoundInput input(float[] global, ParamLayout layout, ServerContext context, int round, long seed,
                            float[][] rows, long... samples) {
        return new RoundInput(global, layout, updates(layout, rows, samples), round, 0, seed, context);
    }

    /** A context whose root update (FLTrust's g_0) is fixed. */
    static ServerContext withRoot(float[] root) {
        return new ServerContext() {
            @Override
            public Compute compute() {
                return Compute.serial();
            }

            @Override
            public float[] rootUpdate(float[] global, int round, long seed) {
                return root.clone();
            }
        };
    }

    static float[][] rows(double[]... values) {
        float[][] out = new float[values.length][];
        for (int i = 0; i < values.length; i++) {
            out[i] = new float[values[i].length];
            for (int j = 0; j < values[i].length; j++) {
                out[i][j] = (float) values[i][j];
            }
        }
        return out;
    }

    static float[] vec(double... values) {
        return rows(values)[0];
    }
}
