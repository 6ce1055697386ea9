/**
 * The federated-learning simulator behind {@code ./badfl run} (docs/RUN.md): {@link org.badfl.sim.ScenarioConfig}
 * and {@link org.badfl.sim.ConfigLoader} (every option, JSON/YAML, flags), {@link org.badfl.sim.Scenario} (data,
 * held-out server sets, partition, adversaries, initial model — all derived from the master seed),
 * {@link org.badfl.sim.Simulation} (rounds of parallel local training, validation, defense, evaluation, detection
 * counts, checkpoints), {@link org.badfl.sim.SimulationContext} (the simulator's
 * {@link org.badfl.server.ServerContext}), and the outputs: {@link org.badfl.sim.RunFolder},
 * {@link org.badfl.sim.RunReport}, {@link org.badfl.cli.Plots}, {@link org.badfl.sim.Checkpoint}.
 */
package org.badfl.sim;
