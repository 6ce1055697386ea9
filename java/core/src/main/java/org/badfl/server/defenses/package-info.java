/**
 * Baseline defenses (docs/DEFENSES.md), each one class implementing {@link org.badfl.server.Defense}, created by
 * name through {@link org.badfl.server.catalog.Defenses}. How each treats BatchNorm running statistics
 * (ParamKind BN_RUNNING_MEAN / BN_RUNNING_VAR):
 * <ul>
 *   <li>excluded from every norm, cosine and distance (FLAME, FLTrust, Krum, Multi-Krum, norm clipping, CRFL's
 *       global norm), and never clipped, sign-voted or noised;</li>
 *   <li>aggregated with the defense's own client weights, unscaled: FedAvg / RLR / CRFL / norm clipping use
 *       p_i = n_i/Σn; FLAME the uniform mean of the admitted; FLTrust the trust-weighted mean; Krum the chosen
 *       update; Multi-Krum the mean of the selected; Median and Trimmed mean treat them like every coordinate.</li>
 * </ul>
 * Noise streams: {@link org.badfl.server.NoiseStreams}.
 * <p>Heavy steps (Gram, row dots, median, trimmed mean, sign votes, weighted sums, noise) go through
 * {@link org.badfl.server.ServerContext#kernels()}: the CPU kernels by default, a device's when the server has one.
 */
package org.badfl.server.defenses;
