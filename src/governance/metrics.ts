/**
 * The metric dictionary (config/metrics.yaml): name, description, the formula or query it stands
 * for, unit, grain, owner and approval date. Reports call `assertMetricsDefined` for the metrics
 * they show, so nothing reaches a user without a definition and an owner.
 */
import { statSync } from 'node:fs';
import { z } from 'zod';
import { configFile, loadYamlConfig } from '../core/config.js';
import { JointlyError } from '../core/errors.js';

export const METRIC_UNITS = ['currency', 'count', 'ratio', 'days', 'currency_per_day', 'score', 'percent'] as const;
export type MetricUnit = (typeof METRIC_UNITS)[number];

const metricSchema = z
  .object({
    description: z.string().min(10, 'expected a description of at least 10 characters'),
    formula: z.string().min(3, 'expected the formula or query the metric stands for'),
    query: z.string().optional(),
    unit: z.enum(METRIC_UNITS),
    grain: z.string().min(1, 'expected the grain, e.g. "partner x period"'),
    owner: z.string().min(1, 'expected an owning team'),
    approved_at: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected the approval date as YYYY-MM-DD'),
  })
  .strict();

export const MetricsConfigSchema = z
  .object({
    metrics: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case metric name'), metricSchema),
  })
  .strict();
export type MetricsConfig = z.infer<typeof MetricsConfigSchema>;

export interface MetricDefinition extends z.infer<typeof metricSchema> {
  name: string;
}

const cache = new Map<string, { mtimeMs: number; metrics: MetricDefinition[] }>();

/**
 * Every defined metric, sorted by name. Validation errors name the file and the key.
 *
 * @example
 * listMetrics().map((m) => m.name) // ['attributed_pipeline', 'attributed_revenue', ...]
 */
export function listMetrics(configDir?: string): MetricDefinition[] {
  const file = configFile('metrics.yaml', configDir);
  let mtimeMs = -1;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    // loadYamlConfig reports the missing file.
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.metrics;
  const cfg = loadYamlConfig(file, MetricsConfigSchema);
  const metrics = Object.entries(cfg.metrics)
    .map(([name, m]) => ({ name, ...m }))
    .sort((a, b) => a.name.localeCompare(b.name));
  cache.set(file, { mtimeMs, metrics });
  return metrics;
}

/** The metric or undefined. */
export function findMetric(name: string, configDir?: string): MetricDefinition | undefined {
  return listMetrics(configDir).find((m) => m.name === name);
}

/**
 * The metric or a NOT_FOUND error.
 *
 * @example
 * getMetric('attributed_revenue').unit // 'currency'
 */
export function getMetric(name: string, configDir?: string): MetricDefinition {
  const m = findMetric(name, configDir);
  if (!m) {
    throw new JointlyError('NOT_FOUND', `Metric "${name}" is not defined in metrics.yaml. See \`jointly metrics\`.`);
  }
  return m;
}

/**
 * Throws BAD_CONFIG naming every metric a report shows that the dictionary does not define.
 *
 * @example
 * assertMetricsDefined(['attributed_pipeline', 'attributed_revenue'], { report: 'attribution' });
 */
export function assertMetricsDefined(names: readonly string[], options: { report?: string; configDir?: string } = {}): void {
  const known = new Set(listMetrics(options.configDir).map((m) => m.name));
  const missing = [...new Set(names)].filter((n) => !known.has(n));
  if (missing.length) {
    throw new JointlyError(
      'BAD_CONFIG',
      `${options.report ? `Report ${options.report} shows` : 'Shown'} metrics not defined in metrics.yaml: ${missing.join(', ')}. Define them (description, formula, unit, grain, owner, approved_at) first.`,
      { details: { missing } },
    );
  }
}
