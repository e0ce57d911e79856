/**
 * The panel every counterfactual estimate reads, built set-wise in DuckDB and moved to JS once as
 * typed columns: per (account, engagement month e) the propensity features and the new-business
 * outcomes before and after e, for every engaged account of every unit and for the comparison
 * pool at every month some unit engaged in. Per-unit work (propensity fit, matching, bootstrap)
 * then runs over these arrays in memory instead of issuing queries per unit or per resample.
 *
 * Outcome timing is the generator's truth definition, which is also what a user wants measured:
 * pipeline = amount of new-business opportunities by month of creation; revenue = the won amount
 * of those opportunities, counted in the month they were created, if they closed before the data
 * end. Recent months are therefore incomplete for revenue; `revenueWeight[m]` (share of month m's
 * pipeline already closed, observed from the data) lets the estimator scale a monthly baseline
 * difference to what is observable in each month instead of assuming every month is complete.
 */
import { JointlyError } from '../core/index.js';
import { sql, type Sql, type Warehouse } from '../warehouse/index.js';

export const FEATURES = ['ln_employees', 'ln_annual_revenue', 'pre_touches_per_month', 'pre_opportunities_per_month', 'pre_ln_pipeline_per_month'] as const;
export type Feature = (typeof FEATURES)[number];

/** Column-wise rows: features and outcome sums per (account, e). */
export interface PanelColumns {
  n: number;
  accountId: string[];
  e: Int32Array;
  /** One column per entry of FEATURES. */
  x: Float64Array[];
  prePipeline: Float64Array;
  postPipeline: Float64Array;
  preRevenue: Float64Array;
  postRevenue: Float64Array;
}

export interface IncrementalityPanel {
  /** Index of the last month with data (months count from the first month with data). */
  lastIdx: number;
  /** Share of a creation month's new-business pipeline closed by the data end (revenue observability). */
  revenueWeight: Float64Array;
  /** Engaged accounts with a month before and after their engagement month, per unit key `kind:id`. */
  treated: PanelColumns;
  treatedByUnit: Map<string, Int32Array>;
  /** Comparison pool: `pool.n = poolAccounts × months.length`, row = account × months.length + month position. */
  pool: PanelColumns;
  poolAccounts: number;
  /** Engagement months present among treated accounts (ascending) and their position. */
  months: Int32Array;
  monthPos: Map<number, number>;
}

async function readColumns(wh: Warehouse, query: Sql): Promise<Record<string, unknown[]>> {
  const { text, values } = query;
  const reader = await wh.connection.runAndReadAll(text, values.length ? values : undefined);
  return reader.getColumnsObjectJS() as Record<string, unknown[]>;
}

function toColumns(c: Record<string, unknown[]>): PanelColumns {
  const num = (name: string): Float64Array => Float64Array.from((c[name] ?? []).map((v) => Number(v ?? 0)));
  const ids = (c['account_id'] ?? []).map((v) => String(v));
  return {
    n: ids.length,
    accountId: ids,
    e: Int32Array.from((c['e'] ?? []).map((v) => Number(v))),
    x: FEATURES.map((f) => num(f)),
    prePipeline: num('pre_pipeline'),
    postPipeline: num('post_pipeline'),
    preRevenue: num('pre_revenue'),
    postRevenue: num('post_revenue'),
  };
}

/**
 * Builds the temp tables (`inc_*`) and loads the panel. Temp tables are left for the caller's
 * transaction and dropped by `dropIncrementalityTables`.
 *
 * @example
 * const panel = await loadIncrementalityPanel(wh, { seed: 1, controlPool: 20000, preMonths: 12 });
 * panel.treatedByUnit.get('partner:P0001')?.length // eligible engaged accounts of P0001
 */
export async function loadIncrementalityPanel(wh: Warehouse, o: { seed: number; controlPool: number; preMonths: number }): Promise<IncrementalityPanel> {
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
    left join core.contacts c on c.contact_id = t.contact_id
    left join core.activities act on act.activity_id = t.activity_id
    left join core.account_aliases al on al.alias_id = coalesce(t.account_id, c.account_id)
    where coalesce(t.account_id, c.account_id) is not null`);
  await wh.run(`create or replace temp table inc_touch_month as
    select account_id, m, count(*)::integer as n from inc_touch where partner_id is null group by all`);
  await wh.run(`create or replace temp table inc_opp_all as
    select coalesce(al.account_id, o.account_id) as account_id,
      datediff('month', b.first_month, date_trunc('month', o.created_at))::integer as m,
      o.amount_base::double as amount, o.is_closed, o.is_won
    from core.opportunities o
    cross join inc_bounds b
    left join core.account_aliases al on al.alias_id = o.account_id
    where o.type = 'new_business' and o.amount_base is not null`);
  await wh.run(`create or replace temp table inc_opp as
    select account_id, m, sum(amount) as pipeline,
      sum(case when is_won and is_closed then amount else 0 end) as revenue, count(*)::integer as opps
    from inc_opp_all
    group by all`);
  const weights = await wh.all<{ m: number; w: number }>(sql`
    with months as (select unnest(range(0, ${lastIdx + 1}::integer))::integer as m),
    closed as (select m, sum(case when is_closed then amount else 0 end) / nullif(sum(amount), 0) as w from inc_opp_all group by m)
    select months.m, coalesce(closed.w, 1)::double as w from months left join closed using (m) order by months.m`);
  const revenueWeight = new Float64Array(lastIdx + 1);
  for (const r of weights) revenueWeight[r.m] = r.w;
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
  await wh.run(sql`create or replace temp table inc_months as
    select distinct e from inc_first where e >= 1 and e <= ${lastIdx}::integer - 1`);
  // One feature/outcome row per distinct (account, e): treated keys and the pool at every month.
  await wh.run(sql`create or replace temp table inc_keys as
    select distinct account_id, e from inc_first where e in (select e from inc_months)
    union
    select p.account_id, m.e from inc_pool p cross join inc_months m`);
  await wh.run(sql`create or replace temp table inc_feat as ${featuresSql(o.preMonths, lastIdx)}`);
  const treatedCols = await readColumns(wh, sql`
    select f.unit_kind || ':' || f.unit_id as unit_key, x.*
    from inc_first f join inc_feat x on x.account_id = f.account_id and x.e = f.e
    order by unit_key, x.account_id`);
  const treated = toColumns(treatedCols);
  const treatedByUnit = new Map<string, Int32Array>();
  const keys = (treatedCols['unit_key'] ?? []).map((v) => String(v));
  for (let i = 0; i < keys.length; ) {
    let j = i;
    while (j < keys.length && keys[j] === keys[i]) j++;
    treatedByUnit.set(keys[i] ?? '', Int32Array.from({ length: j - i }, (_, k) => i + k));
    i = j;
  }
  const pool = toColumns(await readColumns(wh, sql`
    select x.* from inc_pool p join inc_feat x using (account_id) order by x.account_id, x.e`));
  const monthRows = await wh.all<{ e: number }>(`select e from inc_months order by e`);
  const months = Int32Array.from(monthRows.map((r) => r.e));
  const monthPos = new Map<number, number>();
  months.forEach((m, k) => monthPos.set(m, k));
  const poolAccounts = months.length ? pool.n / months.length : 0;
  if (!Number.isInteger(poolAccounts)) {
    throw new JointlyError('INTERNAL', `Comparison panel is not complete: ${pool.n} rows for ${months.length} months.`);
  }
  return { lastIdx, revenueWeight, treated, treatedByUnit, pool, poolAccounts, months, monthPos };
}

function featuresSql(preMonths: number, lastIdx: number): Sql {
  return sql`
with touch_pre as (
  select k.account_id, k.e, sum(t.n)::double as n
  from inc_keys k
  join inc_touch_month t on t.account_id = k.account_id and t.m < k.e and t.m >= k.e - ${preMonths}::integer
  group by all
),
opp as (
  select k.account_id, k.e,
    sum(o.opps) filter (where o.m < k.e and o.m >= k.e - ${preMonths}::integer)::double as pre_window_opps,
    sum(o.pipeline) filter (where o.m < k.e and o.m >= k.e - ${preMonths}::integer) as pre_window_pipeline,
    sum(o.pipeline) filter (where o.m < k.e) as pre_pipeline,
    sum(o.pipeline) filter (where o.m > k.e and o.m <= ${lastIdx}::integer) as post_pipeline,
    sum(o.revenue) filter (where o.m < k.e) as pre_revenue,
    sum(o.revenue) filter (where o.m > k.e and o.m <= ${lastIdx}::integer) as post_revenue
  from inc_keys k
  join inc_opp o on o.account_id = k.account_id
  group by all
)
select k.account_id, k.e,
  coalesce(f.ln_employees, 0) as ln_employees,
  coalesce(f.ln_annual_revenue, 0) as ln_annual_revenue,
  coalesce(tp.n, 0) / least(${preMonths}::integer, k.e) as pre_touches_per_month,
  coalesce(op.pre_window_opps, 0) / least(${preMonths}::integer, k.e) as pre_opportunities_per_month,
  ln(1 + coalesce(op.pre_window_pipeline, 0) / least(${preMonths}::integer, k.e)) as pre_ln_pipeline_per_month,
  coalesce(op.pre_pipeline, 0) as pre_pipeline, coalesce(op.post_pipeline, 0) as post_pipeline,
  coalesce(op.pre_revenue, 0) as pre_revenue, coalesce(op.post_revenue, 0) as post_revenue
from inc_keys k
left join inc_firmo f on f.account_id = k.account_id
left join touch_pre tp on tp.account_id = k.account_id and tp.e = k.e
left join opp op on op.account_id = k.account_id and op.e = k.e`;
}

/** Drops the temp tables `loadIncrementalityPanel` created. */
export async function dropIncrementalityTables(wh: Warehouse): Promise<void> {
  for (const t of ['inc_bounds', 'inc_canon', 'inc_touch', 'inc_touch_month', 'inc_opp_all', 'inc_opp', 'inc_first', 'inc_pool', 'inc_firmo', 'inc_months', 'inc_keys', 'inc_feat']) {
    await wh.run(`drop table if exists ${t}`);
  }
}
