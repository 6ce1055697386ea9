/**
 * Metrics of a global model and of a defense's judgements: {@link org.badfl.evaluation.Evaluator} (clean accuracy,
 * attack success rate), {@link org.badfl.evaluation.DetectionCounts} (paper_tpr, paper_tnr, recall,
 * specificity) and test-time smoothing ({@link org.badfl.evaluation.SmoothedEvaluation},
 * {@link org.badfl.evaluation.CertifiedRadius}). Independent of the simulator: it reads models, data sets and what a
 * defense declares; the simulator plugs it in ({@code org.badfl.sim.SmoothedFinalEvaluation}).
 */
package org.badfl.evaluation;
