/**
 * engagement.yaml: score weights and targets, attribution units, prediction and alert thresholds,
 * validated with zod at load; errors name the file and the key (src/core/config.ts).
 *
 * @example
 * const cfg = loadEngagementConfig();          // ./config, $JOINTLY_CONFIG or shipped defaults
 * cfg.score.weights.content_depth               // 0.2
 */
import { z } from 'zod';
import { configFile, loadYamlConfig } from '../core/index.js';
import { ACTIVITY_TYPES, TOUCH_TYPES } from '../warehouse/index.js';

export const SCORE_COMPONENTS = [
  'content_depth', 'attendance', 'co_creation', 'onboarding', 'adoption', 'recurring_usage',
] as const;
export type ScoreComponent = (typeof SCORE_COMPONENTS)[number];

const weight = z.number().min(0).max(100);
const positive = z.number().positive();
const count = z.number().int().min(1);

export const EngagementConfigSchema = z
  .object({
    score: z
      .object({
        weights: z
          .object({
            content_depth: weight,
            attendance: weight,
            co_creation: weight,
            onboarding: weight,
            adoption: weight,
            recurring_usage: weight,
          })
          .strict()
          .refine((w) => Object.values(w).some((v) => v > 0), 'at least one weight must be above 0'),
        targets: z
          .object({
            content_seconds: positive,
            event_seconds: positive,
            co_created_per_quarter: positive,
            onboarding_days: count,
          })
          .strict(),
        content_touch_types: z.array(z.enum(TOUCH_TYPES)).min(1),
        co_created_activity_types: z.array(z.enum(ACTIVITY_TYPES)).min(1),
      })
      .strict(),
    attribution: z
      .object({
        default_model: z.string().min(1),
        unit_touch_types: z.array(z.enum(TOUCH_TYPES)).min(1),
        customer_lookback_days: count,
      })
      .strict(),
    pipeline: z.object({ horizon_days: count, buckets: z.number().int().min(2).max(20) }).strict(),
    predict: z
      .object({
        engage_horizon_days: count,
        holdout_months: count,
        renewal_holdout_fraction: z.number().gt(0).lt(1),
        max_training_rows: count,
        min_training_rows: count,
        min_class_rows: count,
        min_test_rows: count,
        min_test_class_rows: count,
      })
      .strict(),
    alerts: z
      .object({
        level_months: z.number().int().min(2),
        level_months_after: z.number().int().min(0),
        history_months: z.number().int().min(2),
        min_history_months: z.number().int().min(2),
        min_residual_months: z.number().int().min(2),
        dispersion_prior_months: z.number().min(0),
        min_expected: z.number().min(0),
        index_min_partners: z.number().int().min(1),
        fdr: z.number().gt(0).lt(1),
        max_accounts: count,
      })
      .strict()
      .refine((a) => a.min_history_months <= a.level_months, {
        message: 'min_history_months must not exceed level_months',
        path: ['min_history_months'],
      })
      .refine((a) => a.min_residual_months <= a.history_months, {
        message: 'min_residual_months must not exceed history_months',
        path: ['min_residual_months'],
      }),
  })
  .strict();
export type EngagementConfig = z.infer<typeof EngagementConfigSchema>;

/**
 * Loads and validates engagement.yaml from `configDir` (or JOINTLY_CONFIG, ./config, shipped).
 *
 * @example
 * loadEngagementConfig('my-config').alerts.fdr // 0.01
 */
export function loadEngagementConfig(configDir?: string): EngagementConfig & { file: string } {
  const file = configFile('engagement.yaml', configDir);
  return { ...loadYamlConfig(file, EngagementConfigSchema), file };
}
