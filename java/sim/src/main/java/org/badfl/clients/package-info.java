/**
 * FL clients: the training seam {@link org.badfl.clients.ClientTrainer} (on the CPU engine,
 * {@link org.badfl.clients.CpuClientTrainer}, or on a device, {@link org.badfl.clients.GpuClientTrainer}), one
 * local-training loop for both ({@link org.badfl.clients.LocalTrainer}, {@link org.badfl.clients.GpuTrainer}) with
 * the clients' random streams from {@link org.badfl.clients.ClientSeeds}, and backdoor attacks as strategies the
 * CPU trainer consults ({@link org.badfl.clients.ClientAttack}: {@link org.badfl.clients.PixelPatternAttack},
 * {@link org.badfl.clients.ConstrainAndScaleAttack}, {@link org.badfl.clients.DbaAttack},
 * {@link org.badfl.clients.EdgeCaseAttack}), with {@link org.badfl.clients.AttackSchedule} for the attack rounds.
 * Parameters, defaults and sources: docs/ATTACKS.md.
 */
package org.badfl.clients;
