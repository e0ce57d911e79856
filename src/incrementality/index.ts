/**
 * Incrementality: what would not have happened without the partner. Holdout experiments
 * (plan, readout) and counterfactual estimates (propensity matching + difference-in-differences).
 * Import this folder only through this file.
 */
export * from './distributions.js';
export * from './two-proportion-test.js';
export * from './welch-t-test.js';
export * from './srm-test.js';
export * from './sample-size.js';
export * from './bootstrap.js';
export * from './plan-experiment.js';
export * from './readout-experiments.js';
export * from './find-attribution-run.js';
export * from './logistic-regression.js';
export * from './run-incrementality.js';
export { FEATURES, loadIncrementalityPanel, type IncrementalityPanel } from './load-incrementality-panel.js';
export { PROPENSITY_FEATURES, estimateUnitEffect, type UnitEffect } from './estimate-unit-effect.js';
export * from './get-incrementality-results.js';
export * from './score-against-truth.js';
