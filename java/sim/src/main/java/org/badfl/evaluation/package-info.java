/**
 * Metrics of a global model and of a defense's judgements: {@link org.badfl.evaluation.Evaluator} (clean accuracy,
 * attack success rate) and {@link org.badfl.evaluation.DetectionCounts} (paper_tpr, paper_tnr, recall,
 * specificity). Test-time smoothing and certification plug into the simulator through
 * {@link org.badfl.sim.FinalEvaluation}.
 */
package org.badfl.evaluation;
