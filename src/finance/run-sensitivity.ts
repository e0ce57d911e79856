/**
 * Sensitivity: how each partner's attributed revenue and payout move when the attribution
 * model's parameters move (a tornado table), and the spread across models.
 *
 * Each variant is a real attribution run through `runAttribution` with a modified copy of
 * attribution.yaml in a temporary folder (or `windowDays` for `window_days`); nothing of the
 * attribution is reimplemented here. Variant runs are recorded in meta.runs with kind
 * 'attribution_sensitivity' (params and config hash kept, so any figure can be reproduced), so
 * reports that read "the latest attribution run" never pick them up.
 *
 * Payouts: every plan with basis `attributed` is read as if it used the model under study (so
 * the payout moves with the model); sourced/registered plans do not move. Attributed revenue is
 * the partner's revenue credit on deals closed in the period.
 *
 * Share parameters of position-based models (first/last/middle, lead_creation, ...) are varied
 * with the other shares rescaled so they still add up to what they did.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { JointlyError, fromMinor, toMinor, validateConfig } from '../core/index.js';
import { AttributionConfigSchema, loadAttributionConfig, runAttribution, type AttributionConfig } from '../attribution/index.js';
import { sql, type Warehouse } from '../warehouse/index.js';
import { computePayouts } from './compute-payouts.js';
import { loadPayoutConfig, type PayoutConfig } from './payout-config.js';
import { parsePeriod, type Period } from './period.js';

export interface SensitivityOptions {
  /** Attribution model under study (a name in attribution.yaml). */
  model: string;
  /** `PARAM=a..b` (low and high) or `PARAM=a,b,c`; PARAM is a (dotted) numeric key of the model or `window_days`. */
  vary?: readonly string[] | undefined;
  /** Statement period for payouts and attributed revenue (default: the quarter of the latest won deal). */
  period?: string | undefined;
  /** Folder holding attribution.yaml and payouts.yaml. */
  configDir?: string | undefined;
  /** Also compare every model that has a run (default true). */
  spread?: boolean | undefined;
}

export interface ParamVariation {
  param: string;
  base: number;
  values: number[];
  run_ids: number[];
}

export interface TornadoRow {
  param: string;
  partner_id: string;
  revenue_base: string;
  revenue_low: string;
  revenue_high: string;
  payout_base: string;
  payout_low: string;
  payout_high: string;
  /** revenue_high - revenue_low */
  revenue_swing: string;
  /** The parameter values giving the lowest and highest revenue. */
  value_at_low: number;
  value_at_high: number;
}

export interface SpreadRow {
  partner_id: string;
  revenue: Record<string, string>;
  payout: Record<string, string>;
  revenue_min: string;
  revenue_max: string;
  payout_min: string;
  payout_max: string;
}

export interface SensitivityResult {
  model: string;
  period: Period;
  base_run_id: number;
  params: ParamVariation[];
  tornado: TornadoRow[];
  spread: SpreadRow[];
  models_without_run: string[];
}

const SHARE_KEYS: Record<string, readonly string[]> = {
  position_based: ['first', 'last', 'middle'],
  w_shaped: ['first', 'lead_creation', 'opportunity_creation', 'spread'],
  full_path: ['first', 'lead_creation', 'opportunity_creation', 'close', 'spread'],
};

/** Parses `PARAM=a..b` or `PARAM=a,b,c`. */
export function parseVary(text: string): { param: string; values: number[] } {
  const m = /^([a-z_][a-z0-9_.]*)=(.+)$/.exec(text.trim());
  const fail = () =>
    new JointlyError('BAD_ARGUMENT', `--vary expects PARAM=LOW..HIGH or PARAM=V1,V2,... (e.g. half_life_days=3..30, window_days=90,180,365), got "${text}".`);
  if (!m || !m[1] || !m[2]) throw fail();
  const parts = m[2].includes('..') ? m[2].split('..') : m[2].split(',');
  if (parts.some((p) => p.trim() === '') || (m[2].includes('..') && parts.length !== 2)) throw fail();
  const values = parts.map((p) => Number(p.trim()));
  if (values.some((v) => !Number.isFinite(v))) throw fail();
  return { param: m[1], values };
}

type Spec = Record<string, unknown>;

function getPath(obj: Spec, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (typeof o === 'object' && o !== null ? (o as Spec)[k] : undefined), obj);
}

function setPath(obj: Spec, path: string, value: number): void {
  const keys = path.split('.');
  let o: Spec = obj;
  for (const k of keys.slice(0, -1)) {
    const next = o[k];
    if (typeof next !== 'object' || next === null) throw new JointlyError('BAD_ARGUMENT', `No parameter ${path}.`);
    o = next as Spec;
  }
  o[keys[keys.length - 1] ?? ''] = value;
}

function numericParams(spec: Spec, prefix = ''): string[] {
  return Object.entries(spec).flatMap(([k, v]) =>
    typeof v === 'number' ? [prefix + k] : typeof v === 'object' && v !== null && !Array.isArray(v) ? numericParams(v as Spec, `${prefix}${k}.`) : [],
  );
}

/** Default variations when none are given: half-life /2..x2, shares +-0.1, windows 90/180/365. */
function defaultVary(spec: Spec): string[] {
  const out: string[] = [];
  if (typeof spec['half_life_days'] === 'number') out.push(`half_life_days=${spec['half_life_days'] / 2}..${spec['half_life_days'] * 2}`);
  const type = String(spec['type']);
  const first = spec['first'];
  if (SHARE_KEYS[type] && typeof first === 'number') out.push(`first=${Math.max(0, round6(first - 0.1))}..${Math.min(1, round6(first + 0.1))}`);
  out.push('window_days=90,180,365');
  return out;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** A copy of the model spec with `param` set to `value` (shares rescaled). */
function variantSpec(spec: Spec, param: string, value: number): Spec {
  const copy = structuredClone(spec);
  const keys = SHARE_KEYS[String(spec['type'])];
  if (keys?.includes(param)) {
    if (value < 0 || value > 1) throw new JointlyError('BAD_ARGUMENT', `--vary ${param}: a share must be between 0 and 1, got ${value}.`);
    const others = keys.filter((k) => k !== param);
    const total = keys.reduce((a, k) => a + Number(spec[k] ?? 0), 0);
    const rest = others.reduce((a, k) => a + Number(spec[k] ?? 0), 0);
    for (const k of others) copy[k] = rest > 0 ? round6((Number(spec[k] ?? 0) * (total - value)) / rest) : round6((total - value) / others.length);
    copy[param] = value;
    return copy;
  }
  setPath(copy, param, value);
  return copy;
}

/**
 * Runs the tornado and the model spread.
 *
 * @example
 * const s = await runSensitivity(wh, { model: 'time_decay', vary: ['half_life_days=3..30'], period: '2026-Q3' });
 * s.tornado[0] // { param: 'half_life_days', partner_id: 'P1', revenue_low: '...', revenue_high: '...', ... }
 */
export async function runSensitivity(wh: Warehouse, opts: SensitivityOptions): Promise<SensitivityResult> {
  const cfg = loadAttributionConfig(opts.configDir);
  const baseSpec = cfg.models[opts.model] as Spec | undefined;
  if (!baseSpec) {
    throw new JointlyError('BAD_ARGUMENT', `Unknown attribution model "${opts.model}". Models in ${cfg.file}: ${Object.keys(cfg.models).join(', ')}.`);
  }
  const payoutConfig = loadPayoutConfig(opts.configDir);
  const period = opts.period !== undefined ? parsePeriod(opts.period) : await latestQuarter(wh);
  const varies = (opts.vary && opts.vary.length > 0 ? [...opts.vary] : defaultVary(baseSpec)).map(parseVary);
  const numeric = numericParams(baseSpec);
  for (const v of varies) {
    if (v.param !== 'window_days' && typeof getPath(baseSpec, v.param) !== 'number') {
      throw new JointlyError('BAD_ARGUMENT', `--vary ${v.param}: model "${opts.model}" (${String(baseSpec['type'])}) has no numeric parameter ${v.param}. It has: ${['window_days', ...numeric].join(', ')}.`);
    }
  }

  const tmp = mkdtempSync(join(tmpdir(), 'jointly-sensitivity-'));
  try {
    let n = 0;
    const runVariant = async (spec: Spec, windowDays?: number): Promise<number> => {
      const dir = join(tmp, String(n++));
      const doc = { windows: cfg.windows, models: { ...cfg.models, [opts.model]: spec } };
      const file = join(dir, 'attribution.yaml');
      validateConfig(`${cfg.file} (varied)`, doc, AttributionConfigSchema);
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, stringify(doc));
      const run = await runAttribution(wh, { model: opts.model, configDir: dir, windowDays });
      await wh.run(sql`update meta.runs set kind = 'attribution_sensitivity' where run_id = ${run.run_id}`);
      return run.run_id;
    };
    const baseRun = await runVariant(baseSpec);
    const baseFig = await figures(wh, { config: payoutConfig, period, model: opts.model, runId: baseRun });
    const params: ParamVariation[] = [];
    const tornado: TornadoRow[] = [];
    for (const v of varies) {
      const w = resolveWindow(cfg, opts.model);
      const base = v.param === 'window_days' ? w : Number(getPath(baseSpec, v.param));
      const runIds: number[] = [];
      const figs: Map<string, { revenue: bigint; payout: bigint }>[] = [];
      for (const value of v.values) {
        const runId = v.param === 'window_days' ? await runVariant(baseSpec, value) : await runVariant(variantSpec(baseSpec, v.param, value));
        runIds.push(runId);
        figs.push(await figures(wh, { config: payoutConfig, period, model: opts.model, runId }));
      }
      params.push({ param: v.param, base, values: v.values, run_ids: runIds });
      const partners = new Set([...baseFig.keys(), ...figs.flatMap((f) => [...f.keys()])]);
      const group: TornadoRow[] = [];
      for (const p of [...partners].sort()) {
        const b = baseFig.get(p) ?? { revenue: 0n, payout: 0n };
        const at = figs.map((f) => f.get(p) ?? { revenue: 0n, payout: 0n });
        let lo = 0;
        let hi = 0;
        at.forEach((x, i) => {
          if (x.revenue < (at[lo]?.revenue ?? 0n)) lo = i;
          if (x.revenue > (at[hi]?.revenue ?? 0n)) hi = i;
        });
        const payouts = at.map((x) => x.payout);
        const low = at[lo] ?? b;
        const high = at[hi] ?? b;
        group.push({
          param: v.param,
          partner_id: p,
          revenue_base: fromMinor(b.revenue),
          revenue_low: fromMinor(low.revenue),
          revenue_high: fromMinor(high.revenue),
          payout_base: fromMinor(b.payout),
          payout_low: fromMinor(payouts.reduce((a, x) => (x < a ? x : a), payouts[0] ?? 0n)),
          payout_high: fromMinor(payouts.reduce((a, x) => (x > a ? x : a), payouts[0] ?? 0n)),
          revenue_swing: fromMinor(high.revenue - low.revenue),
          value_at_low: v.values[lo] ?? base,
          value_at_high: v.values[hi] ?? base,
        });
      }
      // Widest swing first within each parameter: the tornado's shape.
      group.sort((a, b) => {
        const d = toMinor(b.revenue_swing) - toMinor(a.revenue_swing);
        return d > 0n ? 1 : d < 0n ? -1 : a.partner_id < b.partner_id ? -1 : 1;
      });
      tornado.push(...group);
    }
    const { spread, missing } = opts.spread === false ? { spread: [], missing: [] } : await modelSpread(wh, { cfg, payoutConfig, period });
    return { model: opts.model, period, base_run_id: baseRun, params, tornado, spread, models_without_run: missing };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function resolveWindow(cfg: AttributionConfig, model: string): number {
  const spec = cfg.models[model];
  return spec?.windows?.default_days ?? cfg.windows.default_days ?? 365;
}

async function latestQuarter(wh: Warehouse): Promise<Period> {
  const row = await wh.find<{ d: string | null }>(`select max(close_date)::VARCHAR as d from core.opportunities where is_won`);
  if (!row?.d) throw new JointlyError('NO_DATA', 'No won opportunities: nothing to measure. Load data first.');
  const d = row.d;
  return parsePeriod(`${d.slice(0, 4)}-Q${Math.floor((Number(d.slice(5, 7)) - 1) / 3) + 1}`);
}

/** Per partner: revenue credit on deals closed in the period, and the period's payout under the run. */
async function figures(
  wh: Warehouse,
  opts: { config: PayoutConfig; period: Period; model: string; runId: number },
): Promise<Map<string, { revenue: bigint; payout: bigint }>> {
  const plans = opts.config.plans.map((p) => (p.basis === 'attributed' ? { ...p, model: opts.model } : p));
  await computePayouts(wh, { period: opts.period, config: { ...opts.config, plans }, runOverrides: { [opts.model]: opts.runId } });
  const rows = await wh.all<{ partner_id: string; revenue: string; payout: string }>(sql`
    with rev as (
      select c.partner_id, sum(c.revenue_credit) as revenue
      from model.credit_amounts c join core.opportunities o using (opportunity_id)
      where c.run_id = ${opts.runId} and c.purpose = 'revenue' and c.partner_id is not null
        and o.close_date between ${opts.period.start}::DATE and ${opts.period.end}::DATE
      group by 1
    ), pay as (
      select partner_id, sum(amount) as payout from fin_out group by 1
    )
    select partner_id, coalesce(rev.revenue, 0)::DECIMAL(18,2)::VARCHAR as revenue, coalesce(pay.payout, 0)::DECIMAL(18,2)::VARCHAR as payout
    from rev full join pay using (partner_id)`);
  return new Map(rows.map((r) => [r.partner_id, { revenue: toMinor(r.revenue), payout: toMinor(r.payout) }]));
}

async function modelSpread(
  wh: Warehouse,
  opts: { cfg: AttributionConfig; payoutConfig: PayoutConfig; period: Period },
): Promise<{ spread: SpreadRow[]; missing: string[] }> {
  const per = new Map<string, Map<string, { revenue: bigint; payout: bigint }>>();
  const missing: string[] = [];
  for (const model of Object.keys(opts.cfg.models)) {
    const run = await wh.find<{ run_id: number | null }>(sql`
      select max(run_id)::INTEGER as run_id from meta.runs where kind = 'attribution' and status = 'succeeded' and model = ${model}`);
    if (run?.run_id === null || run?.run_id === undefined) {
      missing.push(model);
      continue;
    }
    per.set(model, await figures(wh, { config: opts.payoutConfig, period: opts.period, model, runId: Number(run.run_id) }));
  }
  const partners = new Set([...per.values()].flatMap((m) => [...m.keys()]));
  const spread = [...partners].sort().map((p): SpreadRow => {
    const revenue: Record<string, string> = {};
    const payout: Record<string, string> = {};
    const revs: bigint[] = [];
    const pays: bigint[] = [];
    for (const [model, m] of per) {
      const f = m.get(p) ?? { revenue: 0n, payout: 0n };
      revenue[model] = fromMinor(f.revenue);
      payout[model] = fromMinor(f.payout);
      revs.push(f.revenue);
      pays.push(f.payout);
    }
    const min = (xs: bigint[]) => xs.reduce((a, x) => (x < a ? x : a), xs[0] ?? 0n);
    const max = (xs: bigint[]) => xs.reduce((a, x) => (x > a ? x : a), xs[0] ?? 0n);
    return { partner_id: p, revenue, payout, revenue_min: fromMinor(min(revs)), revenue_max: fromMinor(max(revs)), payout_min: fromMinor(min(pays)), payout_max: fromMinor(max(pays)) };
  });
  return { spread, missing };
}
