/**
 * Attribution engine: eligibility, rule-based and data-driven models, credits in the warehouse.
 * Reports read its outputs (model.credits, model.sourced, report.*) through src/reports.
 */
export { runAttribution, runAllModels, type RunOptions, type RunSummary } from './run-attribution.js';
export {
  loadAttributionConfig, resolveModel, AttributionConfigSchema, MODEL_TYPES,
  type AttributionConfig, type ModelSpec, type ModelType, type ResolvedModel, type Windows,
} from './config.js';
export { buildEligibility, dropEligibility, PARTNER_SHARES_SQL } from './eligibility.js';
export { decayFactor } from './models/index.js';
export { writeCreditRows, deleteCreditRows, UNATTRIBUTED_RULE } from './credits.js';
