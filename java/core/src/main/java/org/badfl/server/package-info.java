/**
 * The aggregation interface of badfl, written for linking from any FL server, not only the simulator.
 * <p>One round: the server collects the clients' updates Δ_i = W_i − G (flat float vectors laid out by a
 * {@link org.badfl.engine.ParamLayout}) into {@link org.badfl.server.RoundUpdates}, and
 * {@link org.badfl.server.RoundAggregator} validates them ({@link org.badfl.server.UpdateValidator}: malformed
 * updates are rejected with a reason, never crash the round), runs the {@link org.badfl.server.Defense}, and
 * guards the new G (a non-finite G is never returned: the previous one is kept and the note says why).
 * Defenses come from {@code org.badfl.server.catalog.Defenses} by name; clustering helpers shared by FLAME and
 * BADFL are in {@code org.badfl.server.detect}.
 * <pre>{@code
 * ParamLayout.Builder b = ParamLayout.builder();      // same order as the model's flat buffer
 * b.add("fc.weight", 784 * 10, ParamKind.WEIGHT);
 * b.add("fc.bias", 10, ParamKind.BIAS);
 * ParamLayout layout = b.build();
 * Defense defense = Defenses.create("flame", Map.of("lambda", "0.001"));
 * RoundAggregator aggregator = new RoundAggregator(defense);
 *
 * try (Compute compute = Compute.create(Compute.availableCores())) {
 *     ServerContext context = ServerContext.of(compute);   // FLTrust: also implement rootUpdate(...)
 *     float[] global = initialModel();                    // G, length layout.size()
 *     for (int round = 1; round <= rounds; round++) {
 *         RoundUpdates updates = new HostRoundUpdates(layout, clients.size());
 *         for (int slot = 0; slot < clients.size(); slot++) {
 *             Received r = receiveFrom(clients.get(slot));   // untrusted: use receive(), not set()
 *             updates.receive(slot, r.clientId(), r.sampleCount(), r.delta());
 *         }
 *         long seed = Seeds.derive(masterSeed, "aggregation", round);
 *         RoundAggregator.Outcome outcome =
 *             aggregator.aggregate(global, layout, updates, round, rounds, seed, context);
 *         global = outcome.result().global();              // next round starts here
 *         evaluate(outcome.result().modelToEvaluate());    // CRFL: the model before its noise
 *         log(outcome.result().verdicts(), outcome.result().note());
 *     }
 * }
 * }</pre>
 * (LinkingExampleTest in the tests runs this loop.) A server that validates by itself may call {@link org.badfl.server.Defense#aggregate} directly with a
 * {@link org.badfl.server.RoundInput}; the defense then trusts that every row is finite and well formed.
 */
package org.badfl.server;
