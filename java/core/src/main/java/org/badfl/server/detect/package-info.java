/**
 * Detection helpers shared by FLAME and BADFL, one implementation each: the round's
 * {@link org.badfl.server.detect.GramMatrix} (norms, cosine and Euclidean distances from one pass over the
 * updates), {@link org.badfl.server.detect.LocalOutlierFactor} (ELKI semantics),
 * {@link org.badfl.server.detect.KMeans} (k-means++ and Lloyd) and {@link org.badfl.server.detect.Hdbscan}
 * (the {@code hdbscan} Python package's semantics). They take small dense inputs (n = clients per round) and are
 * deterministic given their seed.
 */
package org.badfl.server.detect;
