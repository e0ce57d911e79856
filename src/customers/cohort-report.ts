/**
 * Cohorts of new customers by acquisition month or quarter and by segment (partner vs direct,
 * partner type, or acquisition source), and lifetime value per segment.
 *
 * Per cohort (set-wise in SQL): customers; 12-month logo retention and gross / net revenue
 * retention, expansion, contraction and churn, comparing each customer's net revenue billed in
 * its first quarter (Q0: period starting in [acquired, +3 months)) with the same quarter a year
 * later (Q4: [+12, +15 months)); only customers acquired at least 15 months before the data's
 * as-of date count for those (`observable_12m`). NRR = 1 + expansion − contraction − churn.
 * Time to first value: median days from acquisition to the first usage event (config event or
 * any). Referrals: opportunities whose extra column `referred_by_account_id` names the customer.
 *
 * Per segment: a shifted-beta-geometric fit on annual renewals (a customer is active in contract
 * year k when a positive revenue line starts in it; lost at the first year without one; censored
 * at the last year fully begun before as-of), its discounted expected lifetime DEL, and
 * LTV = annual recurring revenue (4 × mean Q0 revenue) × gross margin × DEL. Money is in the base
 * currency as decimal strings.
 */
import { JointlyError, messageOf } from '../core/errors.js';
import { raw, sql, type Warehouse } from '../warehouse/index.js';
import { findAttributionRun } from '../incrementality/index.js';
import { acquiredCustomersSql } from './acquired-customers-sql.js';
import { loadCustomersConfig, type CustomersConfig } from './config.js';
import { fitSbgCounts, sbgDerl, sbgSurvival } from './sbg.js';

export const COHORT_SEGMENTS = ['source_kind', 'partner_type', 'source'] as const;
export type CohortSegment = (typeof COHORT_SEGMENTS)[number];

export interface CohortRow {
  cohort: string;
  segment: string;
  customers: number;
  observable_12m: number;
  logo_retention_12m: number | null;
  nrr_12m: number | null;
  grr_12m: number | null;
  expansion_12m: number | null;
  contraction_12m: number | null;
  churn_12m: number | null;
  revenue_q0: string;
  with_usage: number;
  median_days_to_first_value: number | null;
  referrals: number;
}

export interface SegmentLtv {
  segment: string;
  customers: number;
  /** Customers lost at a renewal / still active when observation ended. */
  churned: number;
  censored: number;
  alpha: number | null;
  beta: number | null;
  log_likelihood: number | null;
  /** Projected share still active after 1, 2, … 5 years. */
  projected_survival: number[];
  /** Discounted expected lifetime in years, the first year counted as certain. */
  discounted_expected_lifetime: number | null;
  annual_recurring_revenue: string | null;
  ltv: string | null;
  method: string;
  note: string | null;
}

export interface CohortReport {
  grain: 'month' | 'quarter';
  by: CohortSegment;
  as_of: string | null;
  gross_margin: number;
  discount_rate: number;
  attribution_run_id: number | null;
  cohorts: CohortRow[];
  segments: SegmentLtv[];
}

const SEGMENT_EXPR: Record<CohortSegment, string> = {
  source_kind: 'source_kind',
  partner_type: 'partner_type',
  source: 'source',
};

/**
 * @example
 * const r = await cohortReport(wh, { by: 'source_kind' });
 * r.segments.map((s) => [s.segment, s.ltv]) // [['direct', '41250.00'], ['partner', '88210.50']]
 */
export async function cohortReport(
  wh: Warehouse,
  opts: { grain?: 'month' | 'quarter'; by?: CohortSegment; config?: CustomersConfig; configDir?: string } = {},
): Promise<CohortReport> {
  const config = opts.config ?? loadCustomersConfig(opts.configDir);
  const grain = opts.grain ?? config.cohorts.grain;
  const by = opts.by ?? 'source_kind';
  if (!COHORT_SEGMENTS.includes(by)) {
    throw new JointlyError('BAD_ARGUMENT', `--by expects one of ${COHORT_SEGMENTS.join(', ')}, got "${String(by)}".`);
  }
  const run = await findAttributionRun(wh, { model: config.acquisition.attribution_model });
  const acquired = acquiredCustomersSql({ from: null, to: null, runId: run?.run_id ?? null, config: config.acquisition });
  const base = sql`${acquired},
as_of as (
  select greatest(
    (select max(created_at) from core.opportunities),
    (select max(occurred_at) from core.usage),
    (select max(occurred_at) from core.touchpoints))::date as as_of
),
revenue_lines as (
  select coalesce(al.account_id, r.account_id) as account_id, r.period_start,
    case when r.kind in ('contraction', 'churn', 'refund') then -abs(r.amount_base) else r.amount_base end as amount
  from core.revenue r
  left join core.account_aliases al on al.alias_id = r.account_id
),
customers as (
  select a.*, ${raw(SEGMENT_EXPR[by])} as segment,
    strftime(date_trunc(${grain}, a.acquired_date), ${grain === 'month' ? '%Y-%m' : '%Y-Q'}) ||
      ${grain === 'month' ? '' : sql`quarter(a.acquired_date)::varchar`} as cohort,
    (a.acquired_date + interval 15 month)::date <= (select as_of from as_of) as observable_12m,
    (datediff('month', a.acquired_date, (select as_of from as_of)) // 12)::integer as years_observed
  from acquired_typed a
)`;
  const cohorts = await wh.allJS<CohortRow & Record<string, unknown>>(sql`${base},
quarters as (
  select c.account_id,
    coalesce(sum(r.amount) filter (where r.period_start >= c.acquired_date and r.period_start < c.acquired_date + interval 3 month), 0)::double as q0,
    greatest(coalesce(sum(r.amount) filter (where r.period_start >= c.acquired_date + interval 12 month and r.period_start < c.acquired_date + interval 15 month), 0), 0)::double as q4
  from customers c left join revenue_lines r on r.account_id = c.account_id
  group by c.account_id
),
first_value as (
  select c.account_id, datediff('day', c.acquired_date, min(u.occurred_at)::date) as days
  from customers c
  join core.usage u on u.account_id = c.account_id and u.occurred_at >= c.acquired_date
    and (${config.cohorts.first_value_event}::varchar is null or u.event = ${config.cohorts.first_value_event}::varchar)
  group by c.account_id, c.acquired_date
),
referrals as (
  select o.attributes->>'referred_by_account_id' as account_id, count(*)::integer as n
  from core.opportunities o
  where o.attributes->>'referred_by_account_id' is not null
  group by 1
)
select c.cohort, c.segment,
  count(*)::integer as customers,
  count(*) filter (where c.observable_12m)::integer as observable_12m,
  (count(*) filter (where c.observable_12m and q.q4 > 0))::double / nullif(count(*) filter (where c.observable_12m), 0) as logo_retention_12m,
  sum(q.q4) filter (where c.observable_12m and q.q0 > 0) / nullif(sum(q.q0) filter (where c.observable_12m and q.q0 > 0), 0) as nrr_12m,
  sum(least(q.q4, q.q0)) filter (where c.observable_12m and q.q0 > 0) / nullif(sum(q.q0) filter (where c.observable_12m and q.q0 > 0), 0) as grr_12m,
  sum(greatest(q.q4 - q.q0, 0)) filter (where c.observable_12m and q.q0 > 0) / nullif(sum(q.q0) filter (where c.observable_12m and q.q0 > 0), 0) as expansion_12m,
  sum(q.q0 - q.q4) filter (where c.observable_12m and q.q0 > 0 and q.q4 > 0 and q.q4 < q.q0) / nullif(sum(q.q0) filter (where c.observable_12m and q.q0 > 0), 0) as contraction_12m,
  sum(q.q0) filter (where c.observable_12m and q.q0 > 0 and q.q4 <= 0) / nullif(sum(q.q0) filter (where c.observable_12m and q.q0 > 0), 0) as churn_12m,
  sum(q.q0)::decimal(18,2)::varchar as revenue_q0,
  count(f.account_id)::integer as with_usage,
  median(f.days)::double as median_days_to_first_value,
  coalesce(sum(rf.n), 0)::integer as referrals
from customers c
join quarters q on q.account_id = c.account_id
left join first_value f on f.account_id = c.account_id
left join referrals rf on rf.account_id = c.account_id
group by c.cohort, c.segment
order by c.cohort, c.segment`);
  // Renewal survival per segment: lost at the first contract year without a positive line.
  const survival = await wh.allJS<{ segment: string; t: number; lost: boolean; customers: number } & Record<string, unknown>>(sql`${base},
years as (
  select c.account_id, c.segment, c.years_observed, y.k,
    exists (
      select 1 from revenue_lines r
      where r.account_id = c.account_id and r.amount > 0
        and r.period_start >= c.acquired_date + to_months((12 * y.k)::integer)
        and r.period_start < c.acquired_date + to_months((12 * (y.k + 1))::integer)
    ) as active
  from customers c
  cross join range(1, 50) y(k)
  where y.k <= c.years_observed
),
lifetimes as (
  select c.account_id, c.segment, c.years_observed, min(y.k) filter (where not y.active) as lost_at
  from customers c left join years y on y.account_id = c.account_id
  group by c.account_id, c.segment, c.years_observed
)
select segment, coalesce(lost_at, years_observed)::integer as t, lost_at is not null as lost, count(*)::integer as customers
from lifetimes
group by all
order by segment, t`);
  const arr = await wh.all<{ segment: string; customers: number; arr: string | null }>(sql`${base},
q0 as (
  select c.account_id, c.segment, sum(r.amount) as q0
  from customers c join revenue_lines r on r.account_id = c.account_id
    and r.period_start >= c.acquired_date and r.period_start < c.acquired_date + interval 3 month
  group by c.account_id, c.segment
)
select c.segment, count(*)::integer as customers,
  (4 * avg(q.q0) filter (where q.q0 > 0))::decimal(18,2)::varchar as arr
from customers c left join q0 q on q.account_id = c.account_id
group by c.segment
order by c.segment`);
  const asOfRow = await wh.all<{ as_of: string | null }>(sql`${base} select as_of::varchar as as_of from as_of`);
  const segments: SegmentLtv[] = arr.map((s) => ltvForSegment(s, survival.filter((x) => x.segment === s.segment), config));
  return {
    grain,
    by,
    as_of: asOfRow[0]?.as_of ?? null,
    gross_margin: config.cohorts.gross_margin,
    discount_rate: config.cohorts.discount_rate,
    attribution_run_id: run?.run_id ?? null,
    cohorts,
    segments,
  };
}

function ltvForSegment(
  s: { segment: string; customers: number; arr: string | null },
  rows: { t: number; lost: boolean; customers: number }[],
  config: CustomersConfig,
): SegmentLtv {
  const periods = Math.max(1, ...rows.map((r) => r.t)) + 1;
  const churned = Array.from({ length: periods }, () => 0);
  const alive = Array.from({ length: periods }, () => 0);
  for (const r of rows) {
    const target = r.lost ? churned : alive;
    target[r.t] = (target[r.t] ?? 0) + r.customers;
  }
  const nChurned = churned.reduce((a, b) => a + b, 0);
  const nCensored = alive.reduce((a, b) => a + b, 0);
  const method = `sBG on annual renewals (maximum likelihood, right-censored), DEL at ${config.cohorts.discount_rate} per year; LTV = 4 × mean first-quarter revenue × gross margin ${config.cohorts.gross_margin} × DEL`;
  const empty = (note: string): SegmentLtv => ({
    segment: s.segment, customers: s.customers, churned: nChurned, censored: nCensored, alpha: null, beta: null, log_likelihood: null,
    projected_survival: [], discounted_expected_lifetime: null, annual_recurring_revenue: s.arr, ltv: null, method, note,
  });
  const observedRenewals = nChurned + alive.slice(1).reduce((a, b) => a + b, 0);
  if (observedRenewals < 20) {
    return empty(`insufficient data (n=${observedRenewals} customers with a renewal decision observed; at least 20 needed)`);
  }
  try {
    const fit = fitSbgCounts({ churned, alive });
    const del = sbgDerl({ alpha: fit.alpha, beta: fit.beta, discount: config.cohorts.discount_rate });
    const ltv = s.arr === null ? null : (Number(s.arr) * config.cohorts.gross_margin * del).toFixed(2);
    return {
      segment: s.segment, customers: s.customers, churned: nChurned, censored: nCensored,
      alpha: fit.alpha, beta: fit.beta, log_likelihood: fit.log_likelihood,
      projected_survival: sbgSurvival(fit, 5).slice(1),
      discounted_expected_lifetime: del, annual_recurring_revenue: s.arr, ltv, method,
      note:
        fit.alpha + fit.beta > 1e4
          ? `no heterogeneity identifiable from ${periods - 1} renewal period(s): the fit is a plain geometric model with annual churn ${(fit.alpha / (fit.alpha + fit.beta)).toFixed(3)}`
          : null,
    };
  } catch (error) {
    return empty(messageOf(error));
  }
}
