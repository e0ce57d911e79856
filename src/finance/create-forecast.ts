/**
 * Forecast: open pipeline -> expected revenue and payout per partner for the next quarters.
 *
 * - Win probability by stage from history: of the closed opportunities whose stage history
 *   (core.opportunity_stages, plus their current stage) reached stage S, the share that were won.
 *   Low/high use the Wilson 95% interval of that share: the forecast's sensitivity to the stage
 *   probabilities. A stage never seen on a closed deal uses the overall win rate.
 * - The partner's share of an open deal: its pipeline credit in the run of the partner's plan
 *   model (basis attributed), or the whole deal when it sourced/registered it; a share below the
 *   plan's minimum credit share counts as internal, as in statements.
 * - Quarter: the quarter of the close date; a close date before `asOf` (overdue) or missing
 *   lands in the first quarter. Deals closing after the horizon are left out.
 * - Incremental: expected revenue x the partner's incrementality factor from the latest
 *   incrementality run (null where there is no estimate).
 * - Expected payout: the partner's plan bands on the quarter's expected volume (commissionFor).
 *
 * Money: pipeline credit in cents x probability is rounded to cents per deal in SQL (DECIMAL);
 * the probabilities themselves are estimates, so expected amounts are not ledger figures.
 */
import { JointlyError, configHash, messageOf } from '../core/index.js';
import { raw, sql, type Warehouse } from '../warehouse/index.js';
import { commissionFor } from './commission.js';
import { preparePlanTables, resolveRuns } from './compute-payouts.js';
import { loadPayoutConfig, type PayoutConfig } from './payout-config.js';
import { getForecast } from './get-forecast.js';
import { quartersFrom } from './period.js';
import { centsToDecimal, decimalToCents, insertRows } from './sql-money.js';

export interface ForecastOptions {
  /** Number of quarters from the one containing `asOf` (default 4). */
  quarters?: number | undefined;
  /** The day the forecast is made (YYYY-MM-DD; default: today, UTC). */
  asOf?: string | undefined;
  configDir?: string | undefined;
  config?: PayoutConfig | undefined;
  runOverrides?: Readonly<Record<string, number>> | undefined;
}

export interface StageProbability {
  stage: string;
  closed: number;
  won: number;
  probability: number;
  low: number;
  high: number;
}

export interface ForecastRow {
  quarter: string;
  partner_id: string;
  opportunities: number;
  pipeline: string;
  expected_revenue: string;
  expected_revenue_low: string;
  expected_revenue_high: string;
  incremental_revenue: string | null;
  expected_payout: string;
  expected_payout_low: string;
  expected_payout_high: string;
}

export interface Forecast {
  run_id: number;
  as_of: string;
  quarters: string[];
  stages: StageProbability[];
  overall_win_rate: number;
  rows: ForecastRow[];
}

const STAGES = sql`
with reached as (
  select distinct s.opportunity_id, s.stage from core.opportunity_stages s
  union
  select opportunity_id, stage from core.opportunities
), closed as (
  select r.stage, o.is_won from reached r join core.opportunities o using (opportunity_id) where o.is_closed
)
select stage, count(*)::INTEGER as closed, count(*) filter (where is_won)::INTEGER as won
from closed
group by stage
order by closed desc, stage`;

/** Wilson score interval for k successes in n (95%). */
export function wilson(k: number, n: number): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const z = 1.959963984540054;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = p + (z * z) / (2 * n);
  const h = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { low: Math.max(0, (c - h) / d), high: Math.min(1, (c + h) / d) };
}

/**
 * Computes and stores a forecast run (meta.runs kind 'forecast', model.forecast).
 *
 * @example
 * const f = await createForecast(wh, { quarters: 4, asOf: '2026-10-01' });
 * f.rows[0] // { quarter: '2026-Q4', partner_id: 'P1', expected_revenue: '1234.50', ... }
 */
export async function createForecast(wh: Warehouse, opts: ForecastOptions = {}): Promise<Forecast> {
  const config = opts.config ?? loadPayoutConfig(opts.configDir);
  const n = opts.quarters ?? 4;
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new JointlyError('BAD_ARGUMENT', `--quarters expects a whole number from 1 to 20, got ${n}.`);
  const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new JointlyError('BAD_ARGUMENT', `--as-of expects a date like 2026-10-01, got "${asOf}".`);
  const quarters = quartersFrom(asOf, n);
  const first = quarters[0];
  const last = quarters[quarters.length - 1];
  if (!first || !last) throw new JointlyError('INTERNAL', 'No quarters.');

  const stageRows = await wh.all<{ stage: string; closed: number; won: number }>(STAGES);
  const totals = await wh.get<{ closed: number; won: number }>(
    `select count(*)::INTEGER as closed, count(*) filter (where is_won)::INTEGER as won from core.opportunities where is_closed`,
    'No opportunities.',
  );
  if (totals.closed === 0) throw new JointlyError('NO_DATA', 'No closed opportunities to learn stage win rates from. Load opportunity history first.');
  const overall = totals.won / totals.closed;
  const overallCi = wilson(totals.won, totals.closed);
  const stages: StageProbability[] = stageRows.map((s) => ({ ...s, probability: s.won / s.closed, ...wilson(s.won, s.closed) }));

  const runs = await resolveRuns(wh, config, opts.runOverrides ?? {});
  const idRow = await wh.get<{ id: number }>(`select nextval('meta.run_seq')::INTEGER as id`, 'No run id.');
  const runId = Number(idRow.id);
  const started = Date.now();
  await wh.run(sql`insert into meta.runs (run_id, kind, model, params, config_hash, started_at, status)
    values (${runId}, 'forecast', 'stage_probability', ${JSON.stringify({ as_of: asOf, quarters: quarters.map((q) => q.label), attribution_runs: runs })}::JSON,
      ${configHash(config.raw)}, now(), 'running')`);
  try {
    await wh.transaction(async (tx) => {
      await preparePlanTables(tx, config, runs);
      await tx.run(`create or replace temp table fc_stage (stage VARCHAR, p DOUBLE, p_low DOUBLE, p_high DOUBLE)`);
      await insertRows(tx, 'fc_stage', stages.map((s) => [s.stage, s.probability, s.low, s.high]));
      await tx.run(`create or replace temp table fc_quarter (quarter VARCHAR, q_start DATE, q_end DATE)`);
      await insertRows(tx, 'fc_quarter', quarters.map((q) => [q.label, q.start, q.end]));
      const factors = await tx.all<{ partner_id: string; factor: number }>(`
        select unit_id as partner_id, incrementality_factor as factor from model.incrementality
        where run_id = (select max(run_id) from meta.runs where kind = 'incrementality' and status = 'succeeded')
          and unit_kind = 'partner' and metric = 'revenue' and incrementality_factor is not null`);
      await tx.run(`create or replace temp table fc_factor (partner_id VARCHAR, factor DOUBLE)`);
      await insertRows(tx, 'fc_factor', factors.map((f) => [f.partner_id, Number(f.factor)]));
      // Partner cents of each open deal, then x probability, rounded to cents per deal.
      await tx.run(`create or replace temp table fc_deal as
        with open_opps as (
          select o.opportunity_id, o.stage, ${decimalToCents('o.amount_base')} as amt, o.sourced_partner_id, o.registered_partner_id,
            (select quarter from fc_quarter where greatest(coalesce(o.close_date, DATE '${first.start}'), DATE '${asOf}') between q_start and q_end) as quarter
          from core.opportunities o
          where not o.is_closed and o.amount_base > 0
        ), shares as (
          select c.opportunity_id, c.partner_id, sum(${decimalToCents('c.pipeline_credit')}) as cents
          from model.credit_amounts c join fin_pp pp on pp.partner_id = c.partner_id and pp.basis = 'attributed' and pp.run_id = c.run_id
          where c.purpose = 'pipeline'
          group by all
          union all
          select o.opportunity_id, pp.partner_id, o.amt from open_opps o join fin_pp pp
            on (pp.basis = 'sourced' and o.sourced_partner_id = pp.partner_id) or (pp.basis = 'registered' and o.registered_partner_id = pp.partner_id)
        )
        select o.quarter, s.partner_id, o.opportunity_id, s.cents,
          coalesce(st.p, ${overall}) as p, coalesce(st.p_low, ${overallCi.low}) as p_low, coalesce(st.p_high, ${overallCi.high}) as p_high
        from shares s
        join open_opps o using (opportunity_id)
        join fin_pp pp on pp.partner_id = s.partner_id
        left join fc_stage st on st.stage = o.stage
        where o.quarter is not null and s.cents > 0 and s.cents * 1000000 >= pp.min_share_ppm * o.amt`);
      const agg = await tx.all<{ quarter: string; partner_id: string; plan: string; opportunities: number; pipeline: string; expected: string; low: string; high: string; factor: number | null }>(`
        select d.quarter, d.partner_id, any_value(pp.plan) as plan, count(distinct d.opportunity_id)::INTEGER as opportunities,
          sum(d.cents)::VARCHAR as pipeline,
          sum(round(d.cents * d.p))::HUGEINT::VARCHAR as expected,
          sum(round(d.cents * d.p_low))::HUGEINT::VARCHAR as low,
          sum(round(d.cents * d.p_high))::HUGEINT::VARCHAR as high,
          any_value(f.factor) as factor
        from fc_deal d join fin_pp pp using (partner_id) left join fc_factor f using (partner_id)
        group by d.quarter, d.partner_id
        order by d.quarter, d.partner_id`);
      const plans = new Map(config.plans.map((p) => [p.name, p]));
      await tx.run(`create or replace temp table fc_out (quarter VARCHAR, partner_id VARCHAR, opportunities INTEGER, pipeline HUGEINT, expected HUGEINT,
        low HUGEINT, high HUGEINT, incremental HUGEINT, payout HUGEINT, payout_low HUGEINT, payout_high HUGEINT)`);
      await insertRows(tx, 'fc_out', agg.map((a) => {
        const plan = plans.get(a.plan);
        if (!plan) throw new JointlyError('INTERNAL', `Plan ${a.plan} vanished.`);
        const [e, lo, hi] = [BigInt(a.expected), BigInt(a.low), BigInt(a.high)];
        const inc = a.factor === null ? null : BigInt(Math.round(Number(e) * a.factor));
        return [a.quarter, a.partner_id, a.opportunities, BigInt(a.pipeline), e, lo, hi, inc,
          commissionFor(e, plan.tiers), commissionFor(lo, plan.tiers), commissionFor(hi, plan.tiers)];
      }));
      await tx.run(sql`insert into model.forecast
        select ${runId}, quarter, partner_id, opportunities, ${raw(centsToDecimal('pipeline'))}, ${raw(centsToDecimal('expected'))},
          ${raw(centsToDecimal('low'))}, ${raw(centsToDecimal('high'))}, ${raw(centsToDecimal('incremental'))},
          ${raw(centsToDecimal('payout'))}, ${raw(centsToDecimal('payout_low'))}, ${raw(centsToDecimal('payout_high'))}
        from fc_out`);
      await tx.run(sql`update meta.runs set status = 'succeeded', finished_at = now(), duration_ms = ${Date.now() - started}::INTEGER,
        summary = ${JSON.stringify({ stages, overall_win_rate: overall, partners: agg.length })}::JSON where run_id = ${runId}`);
    });
  } catch (error) {
    await wh.run(sql`update meta.runs set status = 'failed', finished_at = now(), duration_ms = ${Date.now() - started}::INTEGER,
        summary = ${JSON.stringify({ error: messageOf(error) })}::JSON where run_id = ${runId}`);
    throw error;
  }
  return getForecast(wh, { runId });
}

