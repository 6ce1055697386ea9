/**
 * FL clients: honest local training ({@link org.badfl.clients.LocalTrainer}) and backdoor attacks as strategies
 * it consults ({@link org.badfl.clients.ClientAttack}: {@link org.badfl.clients.PixelPatternAttack},
 * {@link org.badfl.clients.ConstrainAndScaleAttack}, {@link org.badfl.clients.DbaAttack},
 * {@link org.badfl.clients.EdgeCaseAttack}), with {@link org.badfl.clients.AttackSchedule} for the attack rounds.
 * Parameters, defaults and sources: docs/ATTACKS.md.
 */
package org.badfl.clients;
