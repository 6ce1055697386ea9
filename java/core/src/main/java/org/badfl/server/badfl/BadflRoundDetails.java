package org.badfl.server.badfl;

import org.badfl.server.DefenseDetails;

/**
 * BADFL's per-client values of one round, as reported to a {@link org.badfl.server.DefenseObserver} (e.g. to write a
 * trace of patch deviation for studying the rule offline). Row i is the round's update row i. Every array is a copy
 * made for the observer; fields of steps that did not run are null.
 *
 * @param round         the round (1-based)
 * @param clients       per row: the client id
 * @param flagged       per row: detection's verdict (before elimination)
 * @param reasons       per row: why
 * @param lof           per row: LMCA's local outlier factor (null for the HDBSCAN / K-means / off ablations)
 * @param mniaFlagged   per row: flagged by MNIA's own index (null when MNIA did not run)
 * @param patch         patch deviation's round scores, memory entries, accumulated values and flags (null when
 *                      patch deviation did not run)
 * @param profiles      per row: the patch profile, [class][patch] (null rows for non-finite saliency; null when
 *                      patch deviation did not run)
 * @param patchMemory   per row: the client's patch memory alone after this round, sum / √rounds (NaN when it has
 *                      none; null when patch deviation did not run)
 * @param lofMemory     per row: the client's LOF memory after this round, sum / √rounds (NaN when it has none; null
 *                      when patch deviation did not run)
 */
public record BadflRoundDetails(int round, int[] clients, boolean[] flagged, String[] reasons, double[] lof,
                                boolean[] mniaFlagged, PatchDeviation.Result patch, double[][][] profiles,
                                double[] patchMemory, double[] lofMemory) implements DefenseDetails {

    @Override
    public String defense() {
        return "badfl";
    }
}
