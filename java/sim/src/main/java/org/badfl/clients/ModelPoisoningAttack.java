package org.badfl.clients;

import java.util.Arrays;
import org.badfl.data.AsrSet;
import org.badfl.data.Dataset;
import org.badfl.data.Poisoning;
import org.badfl.engine.ParamLayout;

/**
 * An attack that replaces its clients' updates with crafted ones: after every client of the round has trained and
 * before the defense sees any update, the simulator hands the attack a {@link RoundView} (G, the honest clients'
 * updates, its own clients' trained updates) and sends the rows {@link #craft} returns in place of its clients'
 * updates (docs/ATTACKS.md, "Model poisoning"). An attack that reads the honest updates is <em>omniscient</em>
 * ({@link #omniscient()}): it knows what the benign clients send in the same round, the full-knowledge threat
 * model of ALIE, IPM, Min-Max/Min-Sum and Fang et al.
 * <p>Only the trainable coordinates are attacked: BatchNorm running statistics are measurements, not trained, so
 * every crafted row keeps its client's own statistics ({@link #craft} copies them in), and every norm and distance
 * is taken over the trainable coordinates. Crafting is a pure function of the view and the seed; the view's arrays
 * are read, never written. Implementations are immutable and thread-safe.
 */
public abstract class ModelPoisoningAttack extends ClientAttack {

    /**
     * What the attacker sees of one round (read-only: the arrays are the received rows themselves).
     *
     * @param global G, the global model the round started from
     * @param benign the updates of the round's honest clients, in client-id order
     * @param own    the updates this adversary's attacking clients trained in the round, in client-id order (honest
     *               training, or this attack's own training when {@link #trainsWithAttack()}); one crafted row
     *               replaces each
     * @param layout the parameter layout (which coordinates are trainable)
     */
    public record RoundView(float[] global, float[][] benign, float[][] own, ParamLayout layout) {

        public RoundView {
            if (global == null || benign == null || own == null || layout == null) {
                throw new IllegalArgumentException("round view: global, benign, own and layout are required");
            }
            for (float[][] rows : new float[][][] {benign, own}) {
                for (float[] r : rows) {
                    layout.checkLength("round view row", r);
                }
            }
            layout.checkLength("round view global model", global);
        }

        /** Number of rows to craft (this adversary's attacking clients that trained). */
        public int malicious() {
            return own.length;
        }

        public int dimension() {
            return global.length;
        }
    }

    /** An untargeted model-poisoning attack. */
    protected ModelPoisoningAttack(String name) {
        super(name);
    }

    /** A targeted one (a backdoor whose update is post-processed), with the training knobs of {@link ClientAttack}. */
    protected ModelPoisoningAttack(String name, int target, double poisonRatio, Integer poisonEpochs, Double poisonLr) {
        super(name, target, poisonRatio, Scaling.NONE, poisonEpochs, poisonLr);
    }

    /** True when {@link #craft} reads the honest clients' updates of the round (an omniscient attacker). */
    public boolean omniscient() {
        return true;
    }

    /**
     * True when the attack's clients train with this attack's hooks (poisoned batches, ...) before crafting; false
     * (the default) when they train honestly and the honest update only serves as input to {@link #craft}.
     */
    public boolean trainsWithAttack() {
        return false;
    }

    /** The fewest honest updates the attack's formula needs (1 by default). */
    public int minimumBenign() {
        return 1;
    }

    /**
     * Checks that the attack is defined for a round of {@code clientsInRound} clients of which {@code malicious}
     * are this adversary's and {@code benign} are honest; called when the scenario is prepared.
     *
     * @throws IllegalArgumentException naming the attack and what does not fit
     */
    public void checkRound(int clientsInRound, int malicious, int benign) {
        if (omniscient() && benign < minimumBenign()) {
            throw new IllegalArgumentException("attack " + name() + ": needs at least " + minimumBenign() + " honest "
                + "client(s) in every attack round, found " + benign + " of " + clientsInRound);
        }
    }

    /**
     * The rows this adversary's clients send in the round, one per {@link RoundView#own()} row, in the same
     * order; deterministic from the view and {@code seed}.
     *
     * @throws IllegalStateException when the round has fewer honest updates than the attack needs (clients whose
     *                               training diverged send nothing)
     */
    public final float[][] craft(RoundView view, long seed) {
        if (omniscient() && view.benign().length < minimumBenign()) {
            throw new IllegalStateException("attack " + name() + ": needs at least " + minimumBenign() + " honest "
                + "update(s) in the round, found " + view.benign().length);
        }
        if (view.malicious() == 0) {
            return new float[0][];
        }
        float[][] rows = craftRows(view, seed);
        if (rows.length != view.malicious()) {
            throw new IllegalStateException("attack " + name() + ": crafted " + rows.length + " rows for "
                + view.malicious() + " clients");
        }
        int[] t = view.layout().trainableRanges();
        for (int k = 0; k < rows.length; k++) {
            view.layout().checkLength("attack " + name() + " crafted row", rows[k]);
            int prev = 0;
            for (int r = 0; r <= t.length; r += 2) {
                int end = r < t.length ? t[r] : rows[k].length;
                if (end > prev) {
                    System.arraycopy(view.own()[k], prev, rows[k], prev, end - prev);
                }
                if (r < t.length) {
                    prev = t[r + 1];
                }
            }
        }
        return rows;
    }

    /** The crafted rows (fresh arrays; the non-trainable coordinates are overwritten by {@link #craft}). */
    protected abstract float[][] craftRows(RoundView view, long seed);

    @Override
    public Poisoning poisoning(int rank) {
        return null;
    }

    @Override
    public AsrSet asrSet(Dataset test) {
        return null;
    }

    /** The update as trained: crafting happens in {@link #craft}, not at the end of local training. */
    @Override
    public void finishUpdate(float[] delta, ParamLayout layout, RoundShare share) {
    }

    @Override
    public String describe() {
        return super.describe() + (omniscient() ? " (omniscient)" : "");
    }

    // ------------------------------------------------------------------ vector helpers (double accumulation)

    /** Coordinate-wise mean of {@code rows} (all coordinates). */
    protected static double[] mean(float[][] rows, int d) {
        double[] m = new double[d];
        for (float[] r : rows) {
            for (int j = 0; j < d; j++) {
                m[j] += r[j];
            }
        }
        for (int j = 0; j < d; j++) {
            m[j] /= rows.length;
        }
        return m;
    }

    /** Coordinate-wise population standard deviation (divisor n, numpy's default) around {@code mean}. */
    protected static double[] std(float[][] rows, double[] mean) {
        int d = mean.length;
        double[] s = new double[d];
        for (float[] r : rows) {
            for (int j = 0; j < d; j++) {
                double x = r[j] - mean[j];
                s[j] += x * x;
            }
        }
        for (int j = 0; j < d; j++) {
            s[j] = Math.sqrt(s[j] / rows.length);
        }
        return s;
    }

    /** ‖a − b‖² over the trainable coordinates. */
    protected static double squaredDistance(float[] a, float[] b, int[] ranges) {
        double s = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int j = ranges[r]; j < ranges[r + 1]; j++) {
                double x = (double) a[j] - b[j];
                s += x * x;
            }
        }
        return s;
    }

    /** ‖a‖ over the trainable coordinates. */
    protected static double norm(float[] a, int[] ranges) {
        double s = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int j = ranges[r]; j < ranges[r + 1]; j++) {
                s += (double) a[j] * a[j];
            }
        }
        return Math.sqrt(s);
    }

    /** ‖a − b‖² for a float row and a double vector, over the trainable coordinates. */
    protected static double squaredDistance(float[] a, double[] b, int[] ranges) {
        double s = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int j = ranges[r]; j < ranges[r + 1]; j++) {
                double x = a[j] - b[j];
                s += x * x;
            }
        }
        return s;
    }

    /** ⟨a − b, c⟩ over the trainable coordinates. */
    protected static double dotDifference(float[] a, double[] b, double[] c, int[] ranges) {
        double s = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int j = ranges[r]; j < ranges[r + 1]; j++) {
                s += (a[j] - b[j]) * c[j];
            }
        }
        return s;
    }

    /** ‖v‖² over the trainable coordinates. */
    protected static double squaredNorm(double[] v, int[] ranges) {
        double s = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int j = ranges[r]; j < ranges[r + 1]; j++) {
                s += v[j] * v[j];
            }
        }
        return s;
    }

    /** Pairwise ‖b_i − b_j‖² over the trainable coordinates (symmetric, zero diagonal). */
    protected static double[][] pairwiseSquaredDistances(float[][] rows, int[] ranges) {
        int n = rows.length;
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                d[i][j] = squaredDistance(rows[i], rows[j], ranges);
                d[j][i] = d[i][j];
            }
        }
        return d;
    }

    /** {@code count} copies of {@code v} as float rows. */
    protected static float[][] copies(double[] v, int count) {
        float[] row = new float[v.length];
        for (int j = 0; j < v.length; j++) {
            row[j] = (float) v[j];
        }
        float[][] out = new float[count][];
        for (int k = 0; k < count; k++) {
            out[k] = row.clone();
        }
        return out;
    }

    /** Median of {@code values} (mean of the two middle ones for an even count). */
    protected static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
