/**
 * config/quality.yaml: thresholds, severities and service levels of the data quality checks, and
 * which tables each report reads. Validated with zod; tables and columns are checked against
 * tables.ts so a typo is a config error naming the key, not a failing query.
 */
import { z } from 'zod';
import { configFile, loadYamlConfig, validateConfig } from '../core/config.js';
import { TABLES, TABLE_NAMES, storedColumns, type TableName } from '../warehouse/index.js';

export const SEVERITIES = ['error', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

const severity = z.enum(SEVERITIES);
const table = z.enum(TABLE_NAMES);
const pct = z.number().min(0).max(100);
const serviceLevel = z
  .object({ owner: z.string().min(1), respond_hours: z.number().positive(), escalate_to: z.string().min(1).optional() })
  .strict();

export const QualityConfigSchema = z
  .object({
    service_levels: z.object({ error: serviceLevel, warning: serviceLevel, dispute: serviceLevel }).strict(),
    freshness: z
      .array(z.object({ table, max_age_hours: z.number().positive(), severity: severity.default('error') }).strict())
      .default([]),
    completeness: z
      .object({
        max_null_pct: pct.default(0),
        severity: severity.default('error'),
        rules: z
          .array(
            z
              .object({ table, any_of: z.array(z.string()).min(1), max_null_pct: pct.default(0), severity: severity.default('error') })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .default({ max_null_pct: 0, severity: 'error', rules: [] }),
    uniqueness: z.object({ severity: severity.default('error') }).strict().default({ severity: 'error' }),
    referential_integrity: z
      .object({ max_orphan_pct: pct.default(0), severity: severity.default('error') })
      .strict()
      .default({ max_orphan_pct: 0, severity: 'error' }),
    distribution: z
      .object({
        severity: severity.default('warning'),
        max_row_count_change_pct: z.number().positive().default(50),
        max_mean_change_pct: z.number().positive().default(30),
        max_median_change_pct: z.number().positive().default(30),
        columns: z.partialRecord(table, z.string()).default({}),
      })
      .strict()
      .default({ severity: 'warning', max_row_count_change_pct: 50, max_mean_change_pct: 30, max_median_change_pct: 30, columns: {} }),
    reconciliation: z
      .object({
        severity: severity.default('error'),
        tolerance: z.string().regex(/^\d+(\.\d{1,2})?$/, 'expected a decimal amount like 0.00').default('0.00'),
        tables: z.array(table).default(['opportunities', 'revenue']),
        attributed_vs_booked: z.boolean().default(true),
      })
      .strict()
      .default({ severity: 'error', tolerance: '0.00', tables: ['opportunities', 'revenue'], attributed_vs_booked: true }),
    reports: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.array(z.string())).default({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const stored = (t: TableName) => new Set(TABLES[t].columns.flatMap(storedColumns).map((c) => c.name));
    cfg.completeness.rules.forEach((r, i) => {
      r.any_of.forEach((col, j) => {
        if (!stored(r.table).has(col)) {
          ctx.addIssue({ code: 'custom', path: ['completeness', 'rules', i, 'any_of', j], message: `expected a column of ${r.table}, got "${col}"` });
        }
      });
    });
    for (const [t, col] of Object.entries(cfg.distribution.columns)) {
      if (col !== undefined && !stored(t as TableName).has(col)) {
        ctx.addIssue({ code: 'custom', path: ['distribution', 'columns', t], message: `expected a stored column of ${t}, got "${col}"` });
      }
    }
    for (const [report, inputs] of Object.entries(cfg.reports)) {
      inputs.forEach((input, i) => {
        if (!(TABLE_NAMES as readonly string[]).includes(input) && !/^model\.[a-z_]+$/.test(input)) {
          ctx.addIssue({ code: 'custom', path: ['reports', report, i], message: `expected a core table or model.<table>, got "${input}"` });
        }
      });
    }
  });
export type QualityConfig = z.infer<typeof QualityConfigSchema>;

/**
 * Loads config/quality.yaml (or validates a given object, for tests and the API).
 *
 * @example
 * const cfg = loadQualityConfig(opts.config);
 */
export function loadQualityConfig(configDir?: string): QualityConfig {
  return loadYamlConfig(configFile('quality.yaml', configDir), QualityConfigSchema);
}

export function parseQualityConfig(value: unknown, file = 'quality.yaml'): QualityConfig {
  return validateConfig(file, value, QualityConfigSchema);
}
