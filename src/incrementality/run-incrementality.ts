/**
 * Counterfactual incrementality where there is no holdout, per partner and per program.
 *
 * Design (all bulk work in DuckDB; JS only fits the small propensity model and resamples pairs):
 * 1. Engaged accounts of a unit: accounts with a touch of that partner (or of an activity of that
 *    program); the engagement month `e` is the month of the first such touch. Only accounts with at
 *    least one month before and one after the engagement month are eligible.
 * 2. Comparison pool: accounts never touched, sourced or registered by any partner (a seeded
 *    sample of at most `controlPool`), so the counterfactual is "no partner at all".
 * 3. Propensity: logistic regression (IRLS) of engagement on firmographics (ln employees, ln annual
 *    revenue) and pre-period activity (non-partner touches, new-business opportunities and
 *    pipeline per month over the `preMonths` before `e`). Controls enter the fit at an engagement
 *    month drawn from the unit's treated accounts, and are scored at every treated month.
 * 4. Matching: each engaged account gets its `neighbours` nearest controls on the logit of the
 *    score within its engagement month (with replacement; an ASOF join finds its place in the sorted
 *    controls), within a caliper of `caliper` standard deviations of the logit (Austin 2011); the
 *    control side of a pair is the mean of its matches. Balance: standardised mean differences
 *    before/after (the after side uses the matched controls' mean features).
 * 5. Difference-in-differences per pair on new-business pipeline and won revenue by month of
 *    opportunity creation: (treated − control) after the engagement month, minus the months
 *    after × the pre-period monthly difference. The engagement month itself is left out.
 * 6. Incremental total = mean pair effect × eligible engaged accounts; 95 % percentile bootstrap
 *    over pairs (seeded). Fewer than `minMatched` pairs: "insufficient data (n=…)", no number.
 *
 * Not yet: covariates beyond the canonical columns (industry, region), matching without
 * replacement, a second dialect.
 */
import { JointlyError, configHash, messageOf, fromMinor } from '../core/index.js';
import { raw, sql, type Sql, type Warehouse } from '../warehouse/index.js';
import { bootstrapCi } from './bootstrap.js';
import { findAttributionRun, getAttributionRun } from './find-attribution-run.js';
import { fitLogistic } from './logistic-regression.js';

export const INCREMENTALITY_UNITS = ['partner', 'program'] as const;
export type IncrementalityUnit = (typeof INCREMENTALITY_UNITS)[number];
export const INCREMENTALITY_METRICS = ['revenue', 'pipeline'] as const;
export type IncrementalityMetric = (typeof INCREMENTALITY_METRICS)[number];

export interface IncrementalityOptions {
  /** Which units to estimate; both by default. */
  by?: IncrementalityUnit | 'both';
  /** Attribution model whose latest run gives the attributed amounts (latest of any by default). */
  model?: string;
  seed?: number;
  bootstrapIterations?: number;
  /** Caliper in standard deviations of the logit of the propensity score. */
  caliper?: number;
  /** Fewer matched pairs than this: no estimate. */
  minMatched?: number;
  /** Comparison accounts sampled from the never-partnered pool. */
  controlPool?: number;
  /** Months of pre-period activity used as covariates. */
  preMonths?: number;
  /** Comparison accounts matched to each engaged account (nearest on the logit, with replacement). */
  neighbours?: number;
}

export interface BalanceRow {
  feature: string;
  smd_before: number;
  smd_after: number;
}

export interface IncrementalityRow {
  unit_kind: IncrementalityUnit;
  unit_id: string;
  metric: IncrementalityMetric;
  engaged_accounts: number;
  eligible_accounts: number;
  matched_accounts: number;
  control_accounts: number;
  /** Attributed amount (base currency, decimal string) from the attribution run. */
  attributed: string | null;
  incremental: string | null;
  ci_low: string | null;
  ci_high: string | null;
  att_per_account: number | null;
  /** incremental ÷ attributed. */
  incrementality_factor: number | null;
  method: string;
  note: string | null;
  balance: BalanceRow[];
}

export interface IncrementalityRun {
  run_id: number;
  attribution_run_id: number | null;
  attribution_model: string | null;
  rows: IncrementalityRow[];
  seconds: number;
}

const FEATURES = ['ln_employees', 'ln_annual_revenue', 'pre_touches_per_month', 'pre_opportunities_per_month', 'pre_ln_pipeline_per_month'] as const;
const FEATURE_COLS = raw(FEATURES.join(', '));

interface FeatureRow {
  account_id: string;
  e: number;
  ln_employees: number;
  ln_annual_revenue: number;
  pre_touches_per_month: number;
  pre_opportunities_per_month: number;
  pre_ln_pipeline_per_month: number;
}

const vec = (r: FeatureRow): number[] => FEATURES.map((f) => r[f]);

/** Builds the temp tables every unit reads: bounds, touches, outcomes, pool, features. */
async function prepare(wh: Warehouse, o: Required<Pick<IncrementalityOptions, 'seed' | 'controlPool' | 'preMonths'>>): Promise<{ lastIdx: number }> {
  await wh.run(`create or replace temp table inc_bounds as
    select date_trunc('month', least(
        (select min(created_at) from core.opportunities),
        (select min(occurred_at) from core.touchpoints)))::date as first_month,
      date_trunc('month', greatest(
        (select max(created_at) from core.opportunities),
        (select max(occurred_at) from core.touchpoints)))::date as last_month`);
  const b = await wh.all<{ last_idx: number | null }>(`select datediff('month', first_month, last_month)::integer as last_idx from inc_bounds`);
  const lastIdx = b[0]?.last_idx;
  if (lastIdx === null || lastIdx === undefined) {
    throw new JointlyError('NO_DATA', 'No opportunities or touchpoints in the warehouse: load data with `jointly ingest` first.');
  }
  await wh.run(`create or replace temp table inc_canon as
    select a.account_id from core.accounts a
    where not exists (select 1 from core.account_aliases al where al.alias_id = a.account_id)`);
  await wh.run(`create or replace temp table inc_touch as
    select coalesce(al.account_id, t.account_id, c.account_id) as account_id,
      datediff('month', b.first_month, date_trunc('month', t.occurred_at))::integer as m,
      t.partner_id, act.program
    from core.touchpoints t
    cross join inc_bounds b
    left join core.contacts c on t.account_id is null and c.contact_id = t.contact_id
    left join core.activities act on act.activity_id = t.activity_id
    left join core.account_aliases al on al.alias_id = coalesce(t.account_id, c.account_id)
    where coalesce(t.account_id, c.account_id) is not null`);
  await wh.run(`create or replace temp table inc_touch_month as
    select account_id, m, count(*)::integer as n from inc_touch where partner_id is null group by all`);
  await wh.run(`create or replace temp table inc_opp as
    select coalesce(al.account_id, o.account_id) as account_id,
      datediff('month', b.first_month, date_trunc('month', o.created_at))::integer as m,
      sum(o.amount_base)::double as pipeline,
      sum(case when o.is_won then o.amount_base else 0 end)::double as revenue,
      count(*)::integer as opps
    from core.opportunities o
    cross join inc_bounds b
    left join core.account_aliases al on al.alias_id = o.account_id
    where o.type = 'new_business' and o.amount_base is not null
    group by all`);
  await wh.run(sql`create or replace temp table inc_first as
    select unit_kind, unit_id, account_id, min(m)::integer as e
    from (
      select 'partner' as unit_kind, partner_id as unit_id, account_id, m from inc_touch where partner_id is not null
      union all
      select 'program', program, account_id, m from inc_touch where partner_id is not null and program is not null
    )
    group by all`);
  await wh.run(sql`create or replace temp table inc_pool as
    select account_id
    from inc_canon x
    where not exists (select 1 from inc_touch t where t.partner_id is not null and t.account_id = x.account_id)
      and not exists (
        select 1 from core.opportunities o
        where (o.sourced_partner_id is not null or o.registered_partner_id is not null) and o.account_id = x.account_id)
    order by hash(account_id || ${String(o.seed)}), account_id
    limit ${o.controlPool}::integer`);
  await wh.run(`create or replace temp table inc_firmo as
    with med as (select median(employees) as emp, median(annual_revenue_base)::double as rev from core.accounts)
    select a.account_id,
      ln(1 + coalesce(a.employees, med.emp, 0)) as ln_employees,
      ln(1 + coalesce(a.annual_revenue_base::double, med.rev, 0)) as ln_annual_revenue
    from core.accounts a cross join med`);
  await wh.run(sql`create or replace temp table inc_tfeat as
    ${featuresSql(sql`select unit_kind, unit_id, account_id, e from inc_first where e >= 1 and e <= ${lastIdx}::integer - 1`, o.preMonths, true)}`);
  await wh.run(sql`create or replace temp table inc_pfeat as
    ${featuresSql(sql`select null::varchar as unit_kind, null::varchar as unit_id, p.account_id, c.e
      from inc_pool p cross join (select distinct e from inc_tfeat) c`, o.preMonths, false)}`);
  return { lastIdx };
}

function featuresSql(keys: Sql, preMonths: number, withUnit: boolean): Sql {
  const unitCols = raw(withUnit ? 'k.unit_kind, k.unit_id, ' : '');
  return sql`
with keys as (${keys}),
touch_pre as (
  select k.unit_kind, k.unit_id, k.account_id, k.e, coalesce(sum(t.n), 0)::double as n
  from keys k
  left join inc_touch_month t
    on t.account_id = k.account_id and t.m < k.e and t.m >= k.e - least(${preMonths}::integer, k.e)
  group by all
),
opp_pre as (
  select k.unit_kind, k.unit_id, k.account_id, k.e, coalesce(sum(o.opps), 0)::double as opps, coalesce(sum(o.pipeline), 0)::double as pipeline
  from keys k
  left join inc_opp o
    on o.account_id = k.account_id and o.m < k.e and o.m >= k.e - least(${preMonths}::integer, k.e)
  group by all
)
select ${unitCols}k.account_id, k.e,
  coalesce(f.ln_employees, 0) as ln_employees,
  coalesce(f.ln_annual_revenue, 0) as ln_annual_revenue,
  tp.n / least(${preMonths}::integer, k.e) as pre_touches_per_month,
  op.opps / least(${preMonths}::integer, k.e) as pre_opportunities_per_month,
  ln(1 + op.pipeline / least(${preMonths}::integer, k.e)) as pre_ln_pipeline_per_month
from keys k
left join inc_firmo f on f.account_id = k.account_id
join touch_pre tp on tp.account_id = k.account_id and tp.e = k.e and tp.unit_kind is not distinct from k.unit_kind and tp.unit_id is not distinct from k.unit_id
join opp_pre op on op.account_id = k.account_id and op.e = k.e and op.unit_kind is not distinct from k.unit_kind and op.unit_id is not distinct from k.unit_id`;
}

function mean(a: readonly number[]): number {
  return a.length ? a.reduce((s, v) => s + v, 0) / a.length : 0;
}
function variance(a: readonly number[]): number {
  const m = mean(a);
  return a.length > 1 ? a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1) : 0;
}
function smd(t: readonly number[], c: readonly number[]): number {
  const pooled = Math.sqrt((variance(t) + variance(c)) / 2);
  return pooled === 0 ? 0 : (mean(t) - mean(c)) / pooled;
}
const cents = (x: number): string => fromMinor(BigInt(Math.round(x * 100)));

interface PairRow {
  e: number;
  t_pre_pipeline: number;
  t_post_pipeline: number;
  c_pre_pipeline: number;
  c_post_pipeline: number;
  t_pre_revenue: number;
  t_post_revenue: number;
  c_pre_revenue: number;
  c_post_revenue: number;
  c_id: string;
  ln_employees: number;
  ln_annual_revenue: number;
  pre_touches_per_month: number;
  pre_opportunities_per_month: number;
  pre_ln_pipeline_per_month: number;
}

interface UnitEstimate {
  engaged: number;
  eligible: number;
  matched: number;
  controls: number;
  perMetric: Record<IncrementalityMetric, { att: number; total: number; low: number; high: number } | null>;
  balance: BalanceRow[];
  note: string | null;
}

async function estimateUnit(
  wh: Warehouse,
  u: { kind: IncrementalityUnit; id: string; engaged: number },
  o: Required<Omit<IncrementalityOptions, 'by' | 'model'>> & { lastIdx: number; unitSeed: number },
): Promise<UnitEstimate> {
  const treated = await wh.allJS<FeatureRow & Record<string, unknown>>(sql`
    select account_id, e, ${FEATURE_COLS} from inc_tfeat
    where unit_kind = ${u.kind} and unit_id = ${u.id}
    order by account_id`);
  const eligible = treated.length;
  const thin = (n: number, why: string, matched = 0): UnitEstimate => ({
    engaged: u.engaged, eligible, matched, controls: 0, perMetric: { revenue: null, pipeline: null }, balance: [],
    note: `insufficient data (n=${n} ${why}; at least ${o.minMatched} needed)`,
  });
  if (eligible < o.minMatched) {
    return thin(eligible, eligible === u.engaged ? 'engaged accounts' : `engaged accounts with a month before and after engagement, of ${u.engaged}`);
  }
  const key = `${u.kind}:${u.id}`;
  const nFit = Math.max(2000, 10 * eligible);
  const controls = await wh.allJS<FeatureRow & Record<string, unknown>>(sql`
    with t as (select e, (row_number() over (order by account_id) - 1)::bigint as k from inc_tfeat where unit_kind = ${u.kind} and unit_id = ${u.id}),
    p as (
      select account_id, (hash(account_id || ${key}) % ${eligible}::bigint)::bigint as k
      from inc_pool
      order by hash(account_id || ${key} || 'fit'), account_id
      limit ${nFit}::integer
    )
    select f.account_id, f.e, ${raw(FEATURES.map((c) => `f.${c}`).join(', '))}
    from p join t using (k) join inc_pfeat f on f.account_id = p.account_id and f.e = t.e
    order by f.account_id`);
  if (controls.length < o.minMatched) return thin(controls.length, 'comparison accounts');
  // Standardise on the fitting sample so IRLS is well conditioned.
  const all = [...treated, ...controls].map(vec);
  const mu = FEATURES.map((_, j) => mean(all.map((r) => r[j] ?? 0)));
  const sd = FEATURES.map((_, j) => Math.sqrt(variance(all.map((r) => r[j] ?? 0))) || 1);
  const z = (r: number[]) => r.map((v, j) => (v - (mu[j] ?? 0)) / (sd[j] ?? 1));
  const fit = fitLogistic({
    x: [...treated.map((r) => z(vec(r))), ...controls.map((r) => z(vec(r)))],
    y: [...treated.map(() => 1), ...controls.map(() => 0)],
    ridge: 1e-3,
  });
  const coef = fit.coefficients;
  const slopes = FEATURES.map((_, j) => (coef[j + 1] ?? 0) / (sd[j] ?? 1));
  const intercept = (coef[0] ?? 0) - FEATURES.reduce((s, _, j) => s + (slopes[j] ?? 0) * (mu[j] ?? 0), 0);
  const logit = (r: FeatureRow) => intercept + FEATURES.reduce((s, f, j) => s + (slopes[j] ?? 0) * r[f], 0);
  const caliper = o.caliper * Math.sqrt(variance([...treated, ...controls].map(logit)));
  const score = raw(`(${intercept.toPrecision(17)} + ${FEATURES.map((f, j) => `${(slopes[j] ?? 0).toPrecision(17)} * ${f}`).join(' + ')})`);
  // k nearest controls within the engagement month: locate each treated account's place in the
  // controls sorted by score (ASOF), then rank the k on either side by distance.
  await wh.run(sql`create or replace temp table inc_pairs as
    with tr as (select account_id, e, ${score} as s from inc_tfeat where unit_kind = ${u.kind} and unit_id = ${u.id}),
    pc as (
      select account_id, e, s, row_number() over (partition by e order by s, account_id) as rn
      from (select account_id, e, ${score} as s from inc_pfeat where e in (select e from tr))
    ),
    pos as (
      select tr.account_id, tr.e, tr.s, coalesce(pc.rn, 0) as rn
      from tr asof left join pc on tr.e = pc.e and tr.s >= pc.s
    ),
    candidates as (
      select pos.account_id as t_id, pos.e, pc.account_id as c_id, abs(pc.s - pos.s) as distance,
        row_number() over (partition by pos.account_id order by abs(pc.s - pos.s), pc.account_id) as k
      from pos join pc on pc.e = pos.e and pc.rn between pos.rn - ${o.neighbours}::integer + 1 and pos.rn + ${o.neighbours}::integer
    )
    select t_id, e, c_id, count(*) over (partition by t_id)::integer as k_matched
    from candidates
    where k <= ${o.neighbours}::integer and distance <= ${caliper}::double`);
  // One row per matched treated account; control sums and features are the means over its k matches.
  const pairs = await wh.allJS<PairRow & Record<string, unknown>>(sql`
    with treated as (select distinct t_id, e from inc_pairs),
    long as (
      select t_id, e, 't' as role, t_id as account_id, 1.0 as w from treated
      union all
      select t_id, e, 'c', c_id, 1.0 / k_matched from inc_pairs
    ),
    sums as (
      select l.t_id, l.role,
        sum(l.w * coalesce(o.pre_pipeline, 0)) as pre_pipeline, sum(l.w * coalesce(o.post_pipeline, 0)) as post_pipeline,
        sum(l.w * coalesce(o.pre_revenue, 0)) as pre_revenue, sum(l.w * coalesce(o.post_revenue, 0)) as post_revenue
      from long l
      left join lateral (
        select
          coalesce(sum(x.pipeline) filter (where x.m < l.e), 0) as pre_pipeline,
          coalesce(sum(x.pipeline) filter (where x.m > l.e and x.m <= ${o.lastIdx}::integer), 0) as post_pipeline,
          coalesce(sum(x.revenue) filter (where x.m < l.e), 0) as pre_revenue,
          coalesce(sum(x.revenue) filter (where x.m > l.e and x.m <= ${o.lastIdx}::integer), 0) as post_revenue
        from inc_opp x where x.account_id = l.account_id
      ) o on true
      group by l.t_id, l.role
    ),
    control_features as (
      select p.t_id, ${raw(FEATURES.map((c) => `avg(f.${c}) as ${c}`).join(', '))}, min(p.c_id) as c_id
      from inc_pairs p join inc_pfeat f on f.account_id = p.c_id and f.e = p.e
      group by p.t_id
    )
    select tr.e, cf.c_id,
      t.pre_pipeline as t_pre_pipeline, t.post_pipeline as t_post_pipeline, c.pre_pipeline as c_pre_pipeline, c.post_pipeline as c_post_pipeline,
      t.pre_revenue as t_pre_revenue, t.post_revenue as t_post_revenue, c.pre_revenue as c_pre_revenue, c.post_revenue as c_post_revenue,
      ${raw(FEATURES.map((c) => `cf.${c}`).join(', '))}
    from treated tr
    join sums t on t.t_id = tr.t_id and t.role = 't'
    join sums c on c.t_id = tr.t_id and c.role = 'c'
    join control_features cf on cf.t_id = tr.t_id
    order by tr.t_id`);
  const matchedTreated = await wh.allJS<FeatureRow & Record<string, unknown>>(sql`
    select f.account_id, f.e, ${raw(FEATURES.map((c) => `f.${c}`).join(', '))}
    from (select distinct t_id from inc_pairs) p join inc_tfeat f on f.account_id = p.t_id and f.unit_kind = ${u.kind} and f.unit_id = ${u.id}
    order by f.account_id`);
  const balance: BalanceRow[] = FEATURES.map((f) => ({
    feature: f,
    smd_before: smd(treated.map((r) => r[f]), controls.map((r) => r[f])),
    smd_after: smd(matchedTreated.map((r) => r[f]), pairs.map((r) => r[f])),
  }));
  const matched = pairs.length;
  const distinctRow = await wh.all<{ n: number }>(`select count(distinct c_id)::integer as n from inc_pairs`);
  const distinctControls = distinctRow[0]?.n ?? 0;
  if (matched < o.minMatched) {
    return { ...thin(matched, `matched accounts of ${eligible} engaged`, matched), balance, controls: distinctControls };
  }
  const perMetric: UnitEstimate['perMetric'] = { revenue: null, pipeline: null };
  for (const metric of INCREMENTALITY_METRICS) {
    const effects = pairs.map((p) => {
      const post = o.lastIdx - p.e;
      const tPre = metric === 'revenue' ? p.t_pre_revenue : p.t_pre_pipeline;
      const cPre = metric === 'revenue' ? p.c_pre_revenue : p.c_pre_pipeline;
      const tPost = metric === 'revenue' ? p.t_post_revenue : p.t_post_pipeline;
      const cPost = metric === 'revenue' ? p.c_post_revenue : p.c_post_pipeline;
      return tPost - cPost - (post * (tPre - cPre)) / p.e;
    });
    const boot = bootstrapCi({
      n: effects.length,
      seed: o.unitSeed,
      iterations: o.bootstrapIterations,
      statistic: (idx) => {
        let s = 0;
        for (const i of idx) s += effects[i] ?? 0;
        return s / idx.length;
      },
    });
    perMetric[metric] = { att: boot.estimate, total: boot.estimate * eligible, low: boot.ci_low * eligible, high: boot.ci_high * eligible };
  }
  return { engaged: u.engaged, eligible, matched, controls: distinctControls, perMetric, balance, note: null };
}

/**
 * Estimates incremental revenue and pipeline per partner and per program and stores them as a
 * run (meta.runs kind 'incrementality', rows in model.incrementality).
 *
 * @example
 * const run = await runIncrementality(wh, { by: 'partner', model: 'linear', seed: 1 });
 * run.rows.filter((r) => r.metric === 'revenue').map((r) => [r.unit_id, r.incremental, r.ci_low, r.ci_high])
 */
export async function runIncrementality(wh: Warehouse, opts: IncrementalityOptions = {}): Promise<IncrementalityRun> {
  const started = Date.now();
  const o = {
    seed: opts.seed ?? 1,
    bootstrapIterations: opts.bootstrapIterations ?? 1000,
    caliper: opts.caliper ?? 0.2,
    minMatched: opts.minMatched ?? 30,
    controlPool: opts.controlPool ?? 20000,
    preMonths: opts.preMonths ?? 12,
    neighbours: opts.neighbours ?? 5,
  };
  const by = opts.by ?? 'both';
  const kinds = by === 'both' ? INCREMENTALITY_UNITS : [by];
  const attribution = opts.model ? await getAttributionRun(wh, { model: opts.model }) : await findAttributionRun(wh);
  const params = { ...o, by, attribution_run_id: attribution?.run_id ?? null, attribution_model: attribution?.model ?? null };
  const idRow = await wh.all<{ id: number }>(`select nextval('meta.run_seq')::integer as id`);
  const runId = Number(idRow[0]?.id);
  await wh.run(sql`insert into meta.runs (run_id, kind, model, params, config_hash, batch_ids, started_at, status)
    select ${runId}, 'incrementality', 'psm_did', ${JSON.stringify(params)}::json, ${configHash(params)},
      (select coalesce(list(distinct batch_id order by batch_id), []) from (
        select batch_id from core.touchpoints union all select batch_id from core.opportunities union all select batch_id from core.accounts
      ) where batch_id is not null),
      now(), 'running'`);
  try {
    const rows = await wh.transaction(async (tx) => {
      const { lastIdx } = await prepare(tx, o);
      const units = await tx.all<{ unit_kind: IncrementalityUnit; unit_id: string; engaged: number }>(sql`
        with units as (
          select 'partner' as unit_kind, partner_id as unit_id from core.partners
          union select 'program', program from core.activities where program is not null
          union select unit_kind, unit_id from inc_first
        )
        select u.unit_kind, u.unit_id, count(f.account_id)::integer as engaged
        from units u left join inc_first f using (unit_kind, unit_id)
        group by all
        order by u.unit_kind, u.unit_id`);
      const attributed = await tx.all<{ unit_kind: string; unit_id: string; revenue: string; pipeline: string }>(sql`
        select 'partner' as unit_kind, c.partner_id as unit_id, sum(c.revenue_credit)::decimal(18,2)::varchar as revenue, sum(c.pipeline_credit)::decimal(18,2)::varchar as pipeline
        from model.credits c where c.run_id = ${attribution?.run_id ?? null}::integer and c.partner_id is not null
        group by all
        union all
        select 'program', a.program, sum(c.revenue_credit)::decimal(18,2)::varchar, sum(c.pipeline_credit)::decimal(18,2)::varchar
        from model.credits c join core.activities a on a.activity_id = c.activity_id
        where c.run_id = ${attribution?.run_id ?? null}::integer and c.partner_id is not null and a.program is not null
        group by all`);
      const out: IncrementalityRow[] = [];
      let index = 0;
      for (const u of units) {
        index++;
        if (!(kinds as readonly string[]).includes(u.unit_kind)) continue;
        const est = await estimateUnit(tx, { kind: u.unit_kind, id: u.unit_id, engaged: u.engaged }, { ...o, lastIdx, unitSeed: o.seed * 7919 + index });
        const att = attributed.find((a) => a.unit_kind === u.unit_kind && a.unit_id === u.unit_id);
        for (const metric of INCREMENTALITY_METRICS) {
          const m = est.perMetric[metric];
          const attributedAmount = attribution ? (att ? (metric === 'revenue' ? att.revenue : att.pipeline) : '0.00') : null;
          const attributedNumber = attributedAmount === null ? 0 : Number(attributedAmount);
          out.push({
            unit_kind: u.unit_kind,
            unit_id: u.unit_id,
            metric,
            engaged_accounts: est.engaged,
            eligible_accounts: est.eligible,
            matched_accounts: est.matched,
            control_accounts: est.controls,
            attributed: attributedAmount,
            incremental: m ? cents(m.total) : null,
            ci_low: m ? cents(m.low) : null,
            ci_high: m ? cents(m.high) : null,
            att_per_account: m ? Math.round(m.att * 100) / 100 : null,
            incrementality_factor: m && attributedNumber > 0 ? m.total / attributedNumber : null,
            method: `propensity-matched difference-in-differences (IRLS logit, ${o.neighbours} nearest neighbours with replacement, caliper ${o.caliper} sd of logit); 95% percentile bootstrap over ${o.bootstrapIterations} resamples of matched accounts, seed ${o.seed}`,
            note: est.note ?? (attribution ? null : 'no attribution run: attributed amount unknown'),
            balance: est.balance,
          });
        }
      }
      for (const r of out) {
        await tx.run(sql`insert into model.incrementality values (
          ${runId}, ${r.unit_kind}, ${r.unit_id}, ${r.metric}, ${r.engaged_accounts}, ${r.eligible_accounts}, ${r.matched_accounts},
          ${r.control_accounts}, ${r.attributed}::decimal(18,2), ${r.incremental}::decimal(18,2), ${r.ci_low}::decimal(18,2),
          ${r.ci_high}::decimal(18,2), ${r.att_per_account}::double, ${r.incrementality_factor}::double, ${r.method}, ${r.note},
          ${JSON.stringify(r.balance)}::json)`);
      }
      for (const t of ['inc_bounds', 'inc_canon', 'inc_touch', 'inc_touch_month', 'inc_opp', 'inc_first', 'inc_pool', 'inc_firmo', 'inc_tfeat', 'inc_pfeat', 'inc_pairs']) {
        await tx.run(`drop table if exists ${t}`);
      }
      await tx.run(sql`update meta.runs set status = 'succeeded', finished_at = now(), duration_ms = ${Date.now() - started}::integer,
        summary = ${JSON.stringify({ units: out.length / 2, estimated: out.filter((r) => r.incremental !== null).length / 2 })}::json
        where run_id = ${runId}`);
      return out;
    });
    return { run_id: runId, attribution_run_id: attribution?.run_id ?? null, attribution_model: attribution?.model ?? null, rows, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    await wh.run(sql`update meta.runs set status = 'failed', finished_at = now(), duration_ms = ${Date.now() - started}::integer,
      summary = ${JSON.stringify({ error: messageOf(error) })}::json where run_id = ${runId}`);
    throw error;
  }
}
