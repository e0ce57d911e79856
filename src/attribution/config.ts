/**
 * The attribution rule library: `attribution.yaml`, validated with zod at load. Errors name the
 * file and the key (src/core/config.ts). Models are named entries with a `type` and parameters;
 * `rules` models map partner types, programs, touch or activity types to other models, so a new
 * partner type is configuration, not code.
 *
 * @example
 * const cfg = loadAttributionConfig();            // shipped defaults or ./config
 * const cfg2 = loadAttributionConfig('my-config'); // --config DIR
 * resolveModel(cfg, 'linear') // => { name: 'linear', spec: { type: 'linear' }, windows: {...} }
 */
import { z } from 'zod';
import { JointlyError, configFile, loadYamlConfig } from '../core/index.js';
import { PARTNER_TYPES, TOUCH_TYPES, ACTIVITY_TYPES } from '../warehouse/index.js';

export const MODEL_TYPES = [
  'first_touch', 'last_touch', 'linear', 'time_decay', 'position_based', 'w_shaped', 'full_path',
  'custom', 'blended', 'rules', 'markov', 'shapley',
] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

const share = z.number().min(0).max(1);
const factorMap = z.record(z.string(), z.number().min(0));
const windowsSchema = z
  .object({
    default_days: z.number().int().min(0).max(3650).optional(),
    by_partner_type: z.partialRecord(z.enum(PARTNER_TYPES), z.number().int().min(0).max(3650)).optional(),
  })
  .strict();

const common = { windows: windowsSchema.optional(), description: z.string().optional() };

const modelSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('first_touch'), ...common }).strict(),
  z.object({ type: z.literal('last_touch'), ...common }).strict(),
  z.object({ type: z.literal('linear'), ...common }).strict(),
  z.object({ type: z.literal('time_decay'), half_life_days: z.number().positive().max(3650), ...common }).strict(),
  z.object({ type: z.literal('position_based'), first: share.default(0.4), last: share.default(0.4), middle: share.default(0.2), ...common }).strict(),
  z.object({
    type: z.literal('w_shaped'), first: share.default(0.3), lead_creation: share.default(0.3),
    opportunity_creation: share.default(0.3), spread: share.default(0.1), ...common,
  }).strict(),
  z.object({
    type: z.literal('full_path'), first: share.default(0.225), lead_creation: share.default(0.225),
    opportunity_creation: share.default(0.225), close: share.default(0.225), spread: share.default(0.1), ...common,
  }).strict(),
  z.object({
    type: z.literal('custom'),
    touch_type: z.partialRecord(z.enum(TOUCH_TYPES), z.number().min(0)).default({}),
    channel: factorMap.default({}),
    partner_type: z.partialRecord(z.enum(PARTNER_TYPES), z.number().min(0)).default({}),
    activity_type: z.partialRecord(z.enum(ACTIVITY_TYPES), z.number().min(0)).default({}),
    position: z.partialRecord(z.enum(['first', 'last', 'lead_creation', 'opportunity_creation']), z.number().min(0)).default({}),
    default_factor: z.number().min(0).default(1),
    ...common,
  }).strict(),
  z.object({ type: z.literal('blended'), mix: z.record(z.string(), z.number().positive()), ...common }).strict(),
  z.object({
    type: z.literal('rules'),
    rules: z.array(z.object({
      name: z.string(),
      when: z.object({
        partner_type: z.enum(PARTNER_TYPES).optional(),
        program: z.string().optional(),
        touch_type: z.enum(TOUCH_TYPES).optional(),
        activity_type: z.enum(ACTIVITY_TYPES).optional(),
        channel: z.string().optional(),
        partner_id: z.string().optional(),
      }).strict().refine((w) => Object.keys(w).length > 0, 'a rule needs at least one condition'),
      model: z.string(),
    }).strict()).min(1),
    default: z.string(),
    ...common,
  }).strict(),
  z.object({ type: z.literal('markov'), order: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).default(1), ...common }).strict(),
  z.object({
    type: z.literal('shapley'), players: z.enum(['channels', 'partners']).default('channels'),
    max_exact_players: z.number().int().min(1).max(20).default(12), samples: z.number().int().positive().default(2000),
    seed: z.number().int().default(1), ...common,
  }).strict(),
]);
export type ModelSpec = z.infer<typeof modelSchema>;

export const AttributionConfigSchema = z
  .object({
    windows: windowsSchema.default({}),
    models: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'model names are lower_snake_case'), modelSchema),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    for (const [name, m] of Object.entries(cfg.models)) {
      const refs = m.type === 'blended' ? Object.keys(m.mix) : m.type === 'rules' ? [...m.rules.map((r) => r.model), m.default] : [];
      for (const ref of refs) {
        const target = cfg.models[ref];
        if (!target) ctx.addIssue({ code: 'custom', path: ['models', name], message: `refers to unknown model "${ref}"` });
        else if (target.type === 'blended' || target.type === 'rules' || target.type === 'markov' || target.type === 'shapley') {
          ctx.addIssue({ code: 'custom', path: ['models', name], message: `may only combine rule-based models, "${ref}" is ${target.type}` });
        }
      }
    }
  });
export type AttributionConfig = z.infer<typeof AttributionConfigSchema>;

/** Lookback windows in days: a default and per partner type. */
export interface Windows {
  defaultDays: number;
  byPartnerType: Partial<Record<(typeof PARTNER_TYPES)[number], number>>;
}

export interface ResolvedModel {
  name: string;
  spec: ModelSpec;
  windows: Windows;
  /** The config file the model came from (for messages and run params). */
  file: string;
}

/**
 * Loads and validates attribution.yaml from `configDir` (or JOINTLY_CONFIG, ./config, shipped).
 *
 * @example
 * const cfg = loadAttributionConfig();
 */
export function loadAttributionConfig(configDir?: string): AttributionConfig & { file: string } {
  const file = configFile('attribution.yaml', configDir);
  return { ...loadYamlConfig(file, AttributionConfigSchema), file };
}

/**
 * The model named `name` with its effective windows (model override, else global, else 365 days;
 * `windowDays` replaces every window).
 *
 * @example
 * resolveModel(loadAttributionConfig(), 'linear', 90).windows // => { defaultDays: 90, byPartnerType: {} }
 */
export function resolveModel(
  cfg: AttributionConfig & { file: string },
  name: string,
  windowDays?: number,
): ResolvedModel {
  const spec = cfg.models[name];
  if (!spec) {
    throw new JointlyError(
      'BAD_ARGUMENT',
      `Unknown attribution model "${name}". Models in ${cfg.file}: ${Object.keys(cfg.models).join(', ')}.`,
    );
  }
  if (windowDays !== undefined && !(Number.isInteger(windowDays) && windowDays >= 0)) {
    throw new JointlyError('BAD_ARGUMENT', `--window-days expects a whole number of days >= 0, got ${windowDays}.`);
  }
  const w = spec.windows ?? cfg.windows;
  const windows: Windows =
    windowDays !== undefined
      ? { defaultDays: windowDays, byPartnerType: {} }
      : { defaultDays: w.default_days ?? cfg.windows.default_days ?? 365, byPartnerType: { ...(cfg.windows.by_partner_type ?? {}), ...(w.by_partner_type ?? {}) } };
  return { name, spec, windows, file: cfg.file };
}
