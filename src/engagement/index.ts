/**
 * Engagement: attribution of engagement units, quality scores (0-100), relation to later
 * pipeline, alerts and predictions. Import this folder only through this file.
 */
export { runEngagement, type EngagementRunSummary } from './run-engagement.js';
export { loadEngagementConfig, EngagementConfigSchema, SCORE_COMPONENTS, type EngagementConfig, type ScoreComponent } from './config.js';
export { ENGAGEMENT_MODEL_TYPES } from './credit-engagement.js';
export { SCORE_GRAINS, type ScoreGrain } from './score-engagement.js';
export {
  ENGAGEMENT_BY, getEngagement, getEngagementRun, getAlerts, getEngagementPipeline,
  type EngagementBy, type EngagementScoreRow, type EngagementRunRef, type EngagementAlert, type EngagementPipelineRow, type AlertTesting,
} from './get-engagement.js';
export { predictEngagement, ENGAGE_FEATURES, type EngagementPrediction } from './predict-engagement.js';
export { predictRenewal, RENEWAL_FEATURES, type RenewalPrediction } from './predict-renewal.js';
export { auc, calibration, type CalibrationBin } from './evaluate-predictions.js';
export type { Evaluation } from './train-and-score.js';
