/**
 * Data-sharing agreements (config/sharing.yaml): per partner, which fields and metrics it may see,
 * for which purposes, whether personal data may be kept, and how many days its rows are retained
 * per table. Partners without an entry get `defaults`.
 *
 * `filterSharedFields` is the data-layer filter for partner principals: rows of other partners are
 * dropped and only agreed fields/metrics are kept. Internal roles see rows unchanged.
 */
import { statSync } from 'node:fs';
import { z } from 'zod';
import { configFile, loadYamlConfig } from '../core/config.js';
import { JointlyError } from '../core/errors.js';
import { listMetrics } from './metrics.js';
import { partnerScope, type Principal } from './roles.js';

/** Tables holding a partner's own rows, with the time column retention is measured on. */
export const RETENTION_TABLES = {
  touchpoints: { time: 'occurred_at', partner: 'partner_id' },
  feedback: { time: 'submitted_at', partner: 'partner_id' },
  experiments: { time: 'assigned_at', partner: 'partner_id' },
} as const;
export type RetentionTable = keyof typeof RETENTION_TABLES;

const name = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a snake_case name');
const retention = z
  .object({
    touchpoints: z.number().int().positive().optional(),
    feedback: z.number().int().positive().optional(),
    experiments: z.number().int().positive().optional(),
  })
  .strict();

const agreementSchema = z
  .object({
    fields: z.array(name),
    metrics: z.array(name),
    purposes: z.array(z.string().min(1)).min(1, 'expected at least one purpose'),
    retention_days: retention.default({}),
    keep_personal_data: z.boolean().default(false),
    signed_at: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD').optional(),
  })
  .strict();

const partialAgreement = agreementSchema.partial().strict();

export const SharingConfigSchema = z
  .object({
    defaults: agreementSchema,
    partners: z.record(z.string().min(1), partialAgreement).default({}),
  })
  .strict();
export type SharingConfig = z.infer<typeof SharingConfigSchema>;

export interface SharingAgreement {
  partnerId: string;
  fields: string[];
  metrics: string[];
  purposes: string[];
  retentionDays: Partial<Record<RetentionTable, number>>;
  keepPersonalData: boolean;
  /** True when the partner has no entry of its own and `defaults` apply. */
  isDefault: boolean;
}

const cache = new Map<string, { mtimeMs: number; config: SharingConfig }>();

/**
 * Loads and validates config/sharing.yaml (errors name the file and key).
 *
 * @example
 * const cfg = loadSharingConfig(); // or loadSharingConfig('/etc/jointly')
 */
export function loadSharingConfig(configDir?: string): SharingConfig {
  const file = configFile('sharing.yaml', configDir);
  const mtimeMs = safeMtime(file);
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.config;
  const config = loadYamlConfig(file, SharingConfigSchema);
  // Partners may only be promised metrics the dictionary defines.
  const known = new Set(listMetrics(configDir).map((m) => m.name));
  const unknown = [
    ...config.defaults.metrics.map((m, i) => ({ key: `defaults.metrics.${i}`, m })),
    ...Object.entries(config.partners).flatMap(([p, a]) => (a.metrics ?? []).map((m, i) => ({ key: `partners.${p}.metrics.${i}`, m }))),
  ].filter((x) => !known.has(x.m));
  if (unknown.length) {
    throw new JointlyError('BAD_CONFIG', unknown.map((x) => `${file}: ${x.key}: "${x.m}" is not defined in metrics.yaml`).join('; '));
  }
  cache.set(file, { mtimeMs, config });
  return config;
}

function safeMtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * The agreement that applies to a partner: its own entry merged over `defaults`.
 *
 * @example
 * getSharingAgreement('P001').metrics // ['sourced_pipeline', 'attributed_revenue', ...]
 */
export function getSharingAgreement(partnerId: string, configDir?: string): SharingAgreement {
  if (!partnerId) throw new JointlyError('BAD_ARGUMENT', 'getSharingAgreement needs a partner id.');
  const cfg = loadSharingConfig(configDir);
  const own = cfg.partners[partnerId];
  const merged = { ...cfg.defaults, ...(own ?? {}) };
  return {
    partnerId,
    fields: [...merged.fields],
    metrics: [...merged.metrics],
    purposes: [...merged.purposes],
    retentionDays: { ...cfg.defaults.retention_days, ...(own?.retention_days ?? {}) },
    keepPersonalData: merged.keep_personal_data,
    isDefault: own === undefined,
  };
}

/**
 * What a principal may see of metric rows. Internal roles: unchanged. Partner users: rows whose
 * `partner_id` is another partner's are dropped, long-form rows (`metric` column) of metrics
 * outside the agreement are dropped, and only agreed fields and metrics are kept as columns.
 *
 * @example
 * filterSharedFields(partnerPrincipal, [{ partner_id: 'P001', attributed_revenue: '10.00', margin: '3.00' }])
 * // => [{ partner_id: 'P001', attributed_revenue: '10.00' }] when margin is not agreed
 */
export function filterSharedFields<R extends Record<string, unknown>>(
  principal: Principal,
  metricRows: readonly R[],
  options: { configDir?: string } = {},
): Record<string, unknown>[] {
  const scope = partnerScope(principal);
  if (scope === undefined) return metricRows.map((r) => ({ ...r }));
  const agreement = getSharingAgreement(scope, options.configDir);
  const allowed = new Set([...agreement.fields, ...agreement.metrics]);
  const metrics = new Set(agreement.metrics);
  const out: Record<string, unknown>[] = [];
  for (const row of metricRows) {
    if ('partner_id' in row && row['partner_id'] !== scope) continue;
    if ('partner_ids' in row) {
      const ids = row['partner_ids'];
      if (!Array.isArray(ids) || !ids.includes(scope)) continue;
    }
    if ('metric' in row && !metrics.has(String(row['metric']))) continue;
    const kept: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) if (allowed.has(k)) kept[k] = v;
    out.push(kept);
  }
  return out;
}
