/**
 * Holdout readout: per experiment and arm, each assigned account's outcomes from the
 * opportunities it opened in a window after its assignment (opened at all, pipeline, won at all,
 * won revenue = amount of those won; base currency), aggregated
 * set-wise in DuckDB to n / successes / mean / sample variance per arm. Rates use the
 * two-proportion z-test; money per account uses Welch's t-test (not a bootstrap). The
 * sample-ratio check assumes the planned split is 50/50 unless `expectedTreatmentShare` says
 * otherwise. Incremental totals = lift per account × treated accounts.
 */
import { JointlyError } from '../core/errors.js';
import { sql, type Warehouse } from '../warehouse/index.js';
import { srmTest, type SrmResult } from './srm-test.js';
import { twoProportionTest } from './two-proportion-test.js';
import { welchTTest } from './welch-t-test.js';

export const EXPERIMENT_METRICS = ['opportunity_rate', 'pipeline_per_account', 'won_rate', 'revenue_per_account'] as const;
export type ExperimentMetric = (typeof EXPERIMENT_METRICS)[number];

export interface ExperimentMetricReadout {
  experiment_id: string;
  metric: ExperimentMetric;
  /** Control rate, or control mean per account (base currency). */
  control: number;
  treatment: number;
  /** treatment - control. */
  lift_abs: number | null;
  /** lift_abs / control; null when control is 0. */
  lift_rel: number | null;
  /** 95 % interval of lift_abs. */
  ci_low: number | null;
  ci_high: number | null;
  p_value: number | null;
  /** lift_abs × treated accounts: extra accounts (rates) or extra base-currency amount (money). */
  incremental_total: number | null;
  n_control: number;
  n_treatment: number;
  method: string;
  /** Set when there is too little data for an estimate. */
  note: string | null;
}

export interface ExperimentReadout {
  experiment_id: string;
  partner_id: string | null;
  program: string | null;
  window_days: number;
  n_control: number;
  n_treatment: number;
  srm: SrmResult;
  metrics: ExperimentMetricReadout[];
}

const ARM_STATS = (experimentId: string | null, windowDays: number, types: readonly string[] | null) => sql`
with assigned as (
  select experiment_id, account_id, arm, assigned_at
  from core.experiments
  where ${experimentId}::varchar is null or experiment_id = ${experimentId}::varchar
),
opportunity_outcomes as (
  select a.experiment_id, a.account_id,
    count(o.opportunity_id) as opportunities,
    coalesce(sum(o.amount_base), 0) as pipeline,
    count(o.opportunity_id) filter (where o.is_won) as wins,
    coalesce(sum(o.amount_base) filter (where o.is_won), 0) as won_amount
  from assigned a
  left join core.opportunities o
    on o.account_id = a.account_id
    and o.created_at > a.assigned_at
    and o.created_at <= a.assigned_at + to_days(${windowDays}::integer)
    and (${types === null ? null : types.join(',')}::varchar is null
      or list_contains(string_split(${types === null ? null : types.join(',')}::varchar, ','), o.type))
  group by a.experiment_id, a.account_id
),
per_account as (
  select a.experiment_id, a.arm,
    (oo.opportunities > 0)::integer as has_opportunity,
    oo.pipeline::double as pipeline,
    (oo.wins > 0)::integer as has_win,
    oo.won_amount::double as revenue
  from assigned a
  join opportunity_outcomes oo using (experiment_id, account_id)
)
select experiment_id, arm,
  count(*)::integer as n,
  sum(has_opportunity)::integer as opportunities,
  avg(pipeline) as pipeline_mean,
  coalesce(var_samp(pipeline), 0) as pipeline_var,
  sum(has_win)::integer as wins,
  avg(revenue) as revenue_mean,
  coalesce(var_samp(revenue), 0) as revenue_var
from per_account
group by experiment_id, arm
order by experiment_id, arm`;

const EXPERIMENT_INFO = (experimentId: string | null) => sql`
select experiment_id,
  min(partner_id) as partner_id,
  min(program) as program
from core.experiments
where ${experimentId}::varchar is null or experiment_id = ${experimentId}::varchar
group by experiment_id
order by experiment_id`;

interface ArmRow {
  experiment_id: string;
  arm: 'treatment' | 'control';
  n: number;
  opportunities: number;
  pipeline_mean: number;
  pipeline_var: number;
  wins: number;
  revenue_mean: number;
  revenue_var: number;
}

/**
 * Reads out every experiment (or one).
 *
 * @example
 * const readouts = await readoutExperiments(wh, { windowDays: 180 });
 * readouts[0]?.metrics.find((m) => m.metric === 'won_rate')?.lift_abs
 */
export async function readoutExperiments(
  wh: Warehouse,
  opts: {
    experimentId?: string;
    windowDays?: number;
    expectedTreatmentShare?: number;
    /** Opportunity types counted (default: all). */
    opportunityTypes?: readonly ('new_business' | 'expansion' | 'renewal')[];
  } = {},
): Promise<ExperimentReadout[]> {
  const windowDays = opts.windowDays ?? 180;
  if (!Number.isInteger(windowDays) || windowDays < 1) {
    throw new JointlyError('BAD_ARGUMENT', `--window-days expects a positive whole number of days, got ${windowDays}.`);
  }
  const id = opts.experimentId ?? null;
  const infos = await wh.all<{ experiment_id: string; partner_id: string | null; program: string | null }>(EXPERIMENT_INFO(id));
  if (infos.length === 0) {
    throw id
      ? new JointlyError('NOT_FOUND', `No experiment "${id}" in core.experiments. List them with \`jointly experiment readout\`.`)
      : new JointlyError('NO_DATA', 'No experiments in the warehouse: load an experiments file with `jointly ingest`.');
  }
  const arms = await wh.allJS<ArmRow & Record<string, unknown>>(ARM_STATS(id, windowDays, opts.opportunityTypes ?? null));
  return infos.map((info) => {
    const empty: ArmRow = { experiment_id: info.experiment_id, arm: 'control', n: 0, opportunities: 0, pipeline_mean: 0, pipeline_var: 0, wins: 0, revenue_mean: 0, revenue_var: 0 };
    const c = arms.find((a) => a.experiment_id === info.experiment_id && a.arm === 'control') ?? empty;
    const t = arms.find((a) => a.experiment_id === info.experiment_id && a.arm === 'treatment') ?? { ...empty, arm: 'treatment' };
    const metrics: ExperimentMetricReadout[] = [
      rateMetric(info.experiment_id, 'opportunity_rate', c.n, c.opportunities, t.n, t.opportunities),
      moneyMetric(info.experiment_id, 'pipeline_per_account', c, t, 'pipeline'),
      rateMetric(info.experiment_id, 'won_rate', c.n, c.wins, t.n, t.wins),
      moneyMetric(info.experiment_id, 'revenue_per_account', c, t, 'revenue'),
    ];
    return {
      experiment_id: info.experiment_id,
      partner_id: info.partner_id,
      program: info.program,
      window_days: windowDays,
      n_control: c.n,
      n_treatment: t.n,
      srm: srmTest({ treatment: t.n, control: c.n, ...(opts.expectedTreatmentShare ? { expectedTreatmentShare: opts.expectedTreatmentShare } : {}) }),
      metrics,
    };
  });
}

const MIN_PER_ARM = 10;

function thin(experimentId: string, metric: ExperimentMetric, control: number, treatment: number, nc: number, nt: number, method: string): ExperimentMetricReadout {
  return {
    experiment_id: experimentId, metric, control, treatment, lift_abs: null, lift_rel: null, ci_low: null, ci_high: null,
    p_value: null, incremental_total: null, n_control: nc, n_treatment: nt, method,
    note: `insufficient data (n=${nc} control, ${nt} treatment; at least ${MIN_PER_ARM} per arm needed)`,
  };
}

function rateMetric(experimentId: string, metric: ExperimentMetric, nc: number, xc: number, nt: number, xt: number): ExperimentMetricReadout {
  const method = 'two-proportion z-test (pooled), Wald CI (unpooled)';
  const rc = nc ? xc / nc : 0;
  const rt = nt ? xt / nt : 0;
  if (nc < MIN_PER_ARM || nt < MIN_PER_ARM) return thin(experimentId, metric, rc, rt, nc, nt, method);
  const r = twoProportionTest({ successesTreatment: xt, totalTreatment: nt, successesControl: xc, totalControl: nc });
  return {
    experiment_id: experimentId, metric, control: rc, treatment: rt, lift_abs: r.diff, lift_rel: r.relative_lift,
    ci_low: r.ci_low, ci_high: r.ci_high, p_value: r.p_value, incremental_total: r.diff * nt,
    n_control: nc, n_treatment: nt, method, note: null,
  };
}

function moneyMetric(experimentId: string, metric: ExperimentMetric, c: ArmRow, t: ArmRow, field: 'pipeline' | 'revenue'): ExperimentMetricReadout {
  const method = "Welch's t-test on amount per account (base currency)";
  const mc = c[`${field}_mean`] ?? 0;
  const mt = t[`${field}_mean`] ?? 0;
  if (c.n < MIN_PER_ARM || t.n < MIN_PER_ARM) return thin(experimentId, metric, mc, mt, c.n, t.n, method);
  const r = welchTTest({ x: { n: t.n, mean: mt, variance: t[`${field}_var`] }, y: { n: c.n, mean: mc, variance: c[`${field}_var`] } });
  return {
    experiment_id: experimentId, metric, control: round2(mc), treatment: round2(mt), lift_abs: round2(r.diff),
    lift_rel: mc === 0 ? null : r.diff / mc, ci_low: round2(r.ci_low), ci_high: round2(r.ci_high), p_value: r.p_value,
    incremental_total: round2(r.diff * t.n), n_control: c.n, n_treatment: t.n, method, note: null,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
