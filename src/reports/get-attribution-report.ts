/**
 * Partner metrics of one attribution run, by partner, partner type, program, activity, activity
 * type, channel, month or quarter: attributed, sourced and influenced pipeline and revenue,
 * win rate with and without partner touches (with counts), days to close, deal size, velocity,
 * time to revenue, activity cost per attributed dollar and return on activity cost.
 *
 * Definitions (pipeline figures filter on the opportunity's creation date, revenue figures on
 * its close date; month and quarter of involvement metrics are the creation month):
 * - win_rate_with_partner: won / closed among opportunities this row influenced;
 *   win_rate_without_partner: the same among opportunities with no partner involvement at all
 *   (per month/quarter for time rows, else over the whole range).
 * - pipeline_velocity = opportunities_influenced × win rate × average won deal size ÷ average
 *   days to close of won deals (money per day).
 * - median_days_to_revenue: first partner touch to close, won deals.
 * - cost_per_attributed_dollar = activity cost ÷ attributed pipeline; return_on_activity_cost =
 *   (attributed revenue − cost) ÷ cost. Activity cost counts activities started in the range,
 *   split equally between an activity's partners.
 */
import type { Warehouse } from '../warehouse/index.js';
import { sql, raw, type Sql } from '../warehouse/index.js';
import { getLatestRun } from './find-latest-run.js';
import { DIMENSION_SQL, type ReportDimension } from './dimensions.js';

export interface ReportFilter {
  model: string;
  runId?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Portal scope: only this partner's rows. */
  partnerId?: string | undefined;
}

export type AttributionReportRow = {
  key: string;
  name: string | null;
  sourced_pipeline: string;
  sourced_revenue: string;
  influenced_pipeline: string;
  influenced_revenue: string;
  attributed_pipeline: string;
  attributed_revenue: string;
  opportunities_influenced: number;
  closed_with_partner: number;
  won_with_partner: number;
  win_rate_with_partner: number | null;
  closed_without_partner: number;
  won_without_partner: number;
  win_rate_without_partner: number | null;
  median_days_to_close: number | null;
  median_days_to_close_without_partner: number | null;
  avg_deal_size: string | null;
  pipeline_velocity: string | null;
  median_days_to_revenue: number | null;
  activity_cost: string | null;
  cost_per_attributed_dollar: number | null;
  return_on_activity_cost: number | null;
}

/** Bound date range helpers: inclusive, open ends allowed. */
export function inRange(column: string, from?: string, to?: string): Sql {
  return sql`(${raw(column)} >= coalesce(${from ?? null}::DATE, DATE '0001-01-01') and ${raw(column)} <= coalesce(${to ?? null}::DATE, DATE '9999-12-31'))`;
}

/**
 * @example
 * await getAttributionReport(wh, { model: 'linear', by: 'partner', from: '2025-01-01' })
 * // [{ key: 'P1', name: 'Acme', attributed_pipeline: '250.00', win_rate_with_partner: 1, … }]
 */
export async function getAttributionReport(
  wh: Warehouse,
  opts: ReportFilter & { by: ReportDimension },
): Promise<AttributionReportRow[]> {
  const run = await getLatestRun(wh, { model: opts.model, runId: opts.runId });
  const d = DIMENSION_SQL[opts.by];
  const pid = opts.partnerId ?? null;
  const created = inRange('o.created_date', opts.from, opts.to);
  const closed = inRange('o.close_date', opts.from, opts.to);
  const baselineKey = raw(d.baseline ?? `'*'`);
  const costSql = d.cost
    ? sql`select ${raw(d.cost)} as key, sum(c.share_cost) as cost
        from (
          select a.activity_id, a.program, a.activity_type, unnest(a.partner_ids) as partner_id,
            a.cost_base / len(a.partner_ids) as share_cost
          from core.activities a
          where a.cost_base is not null and len(a.partner_ids) > 0 and ${inRange('a.start_at::DATE', opts.from, opts.to)}
        ) c
        left join core.partners p on p.partner_id = c.partner_id
        where (${pid}::VARCHAR is null or c.partner_id = ${pid})
        group by 1`
    : sql`select null::VARCHAR as key, null::DECIMAL(18,2) as cost where false`;
  const rows = await wh.all<AttributionReportRow>(sql`
    with credits as (
      select ${raw(d.credit)} as key, any_value(${raw(d.name)}) as name,
        coalesce(sum(cf.credit) filter (where cf.purpose = 'pipeline'), 0) as attributed_pipeline,
        coalesce(sum(cf.credit) filter (where cf.purpose = 'revenue'), 0) as attributed_revenue
      from report.credit_facts cf
      left join core.partners p on p.partner_id = cf.partner_id
      left join core.activities a on a.activity_id = cf.activity_id
      where cf.run_id = ${run.run_id} and ${inRange('cf.day', opts.from, opts.to)}
        and (${pid}::VARCHAR is null or cf.partner_id = ${pid})
        and (${raw(d.partnerOnly ? 'cf.partner_id is not null' : 'true')})
      group by 1
    ),
    involved as (
      select ${raw(d.involvement)} as key, i.opportunity_id,
        bool_or(i.is_sourced) as is_sourced, bool_or(i.is_influenced) as is_influenced,
        min(i.first_touch_at) filter (where i.is_influenced) as first_at
      from report.involvement i
      join report.opportunity_facts o on o.run_id = i.run_id and o.opportunity_id = i.opportunity_id
      left join core.partners p on p.partner_id = i.partner_id
      left join core.activities a on a.activity_id = i.activity_id
      where i.run_id = ${run.run_id} and (${pid}::VARCHAR is null or i.partner_id = ${pid})
      group by 1, 2
    ),
    involvement as (
      select v.key,
        coalesce(sum(o.amount) filter (where v.is_sourced and ${created}), 0) as sourced_pipeline,
        coalesce(sum(o.amount) filter (where v.is_sourced and o.is_won and ${closed}), 0) as sourced_revenue,
        coalesce(sum(o.amount) filter (where v.is_influenced and ${created}), 0) as influenced_pipeline,
        coalesce(sum(o.amount) filter (where v.is_influenced and o.is_won and ${closed}), 0) as influenced_revenue,
        count(*) filter (where v.is_influenced and ${created})::INTEGER as opportunities_influenced,
        count(*) filter (where v.is_influenced and o.is_closed and ${created})::INTEGER as closed_with_partner,
        count(*) filter (where v.is_influenced and o.is_won and ${created})::INTEGER as won_with_partner,
        median(o.days_to_close) filter (where v.is_influenced and o.is_won and ${created}) as median_days_to_close,
        avg(o.amount) filter (where v.is_influenced and o.is_won and ${created}) as avg_deal_size,
        avg(o.days_to_close) filter (where v.is_influenced and o.is_won and ${created}) as avg_cycle_days,
        median(date_diff('day', v.first_at::DATE, o.close_date)) filter (where v.is_influenced and o.is_won and ${closed}) as median_days_to_revenue
      from involved v
      join report.opportunity_facts o on o.run_id = ${run.run_id} and o.opportunity_id = v.opportunity_id
      group by 1
    ),
    baseline as (
      select ${baselineKey} as key,
        count(*) filter (where o.is_closed)::INTEGER as closed_without_partner,
        count(*) filter (where o.is_won)::INTEGER as won_without_partner,
        median(o.days_to_close) filter (where o.is_won) as median_days_to_close_without_partner
      from report.opportunity_facts o
      where o.run_id = ${run.run_id} and not o.has_partner and ${created}
      group by 1
    ),
    costs as (${costSql}),
    keys as (
      select key from credits union select key from involvement
    )
    select k.key,
      coalesce(c.name, ${raw(opts.by === 'partner' ? '(select name from core.partners where partner_id = k.key)' : opts.by === 'activity' ? '(select name from core.activities where activity_id = k.key)' : 'k.key')}) as name,
      coalesce(v.sourced_pipeline, 0)::DECIMAL(18,2)::VARCHAR as sourced_pipeline,
      coalesce(v.sourced_revenue, 0)::DECIMAL(18,2)::VARCHAR as sourced_revenue,
      coalesce(v.influenced_pipeline, 0)::DECIMAL(18,2)::VARCHAR as influenced_pipeline,
      coalesce(v.influenced_revenue, 0)::DECIMAL(18,2)::VARCHAR as influenced_revenue,
      coalesce(c.attributed_pipeline, 0)::DECIMAL(18,2)::VARCHAR as attributed_pipeline,
      coalesce(c.attributed_revenue, 0)::DECIMAL(18,2)::VARCHAR as attributed_revenue,
      coalesce(v.opportunities_influenced, 0) as opportunities_influenced,
      coalesce(v.closed_with_partner, 0) as closed_with_partner,
      coalesce(v.won_with_partner, 0) as won_with_partner,
      v.won_with_partner::DOUBLE / nullif(v.closed_with_partner, 0) as win_rate_with_partner,
      coalesce(b.closed_without_partner, 0) as closed_without_partner,
      coalesce(b.won_without_partner, 0) as won_without_partner,
      b.won_without_partner::DOUBLE / nullif(b.closed_without_partner, 0) as win_rate_without_partner,
      v.median_days_to_close::DOUBLE as median_days_to_close,
      b.median_days_to_close_without_partner::DOUBLE as median_days_to_close_without_partner,
      v.avg_deal_size::DECIMAL(18,2)::VARCHAR as avg_deal_size,
      (v.opportunities_influenced * (v.won_with_partner::DOUBLE / nullif(v.closed_with_partner, 0))
        * v.avg_deal_size::DOUBLE / nullif(v.avg_cycle_days, 0))::DECIMAL(18,2)::VARCHAR as pipeline_velocity,
      v.median_days_to_revenue::DOUBLE as median_days_to_revenue,
      co.cost::DECIMAL(18,2)::VARCHAR as activity_cost,
      co.cost::DOUBLE / nullif(c.attributed_pipeline::DOUBLE, 0) as cost_per_attributed_dollar,
      (coalesce(c.attributed_revenue, 0) - co.cost)::DOUBLE / nullif(co.cost::DOUBLE, 0) as return_on_activity_cost
    from keys k
    left join credits c on c.key is not distinct from k.key
    left join involvement v on v.key is not distinct from k.key
    left join baseline b on b.key = ${raw(d.baseline ? 'k.key' : `'*'`)}
    left join costs co on co.key is not distinct from k.key
    where k.key is not null
    order by coalesce(c.attributed_pipeline, 0) desc, k.key`);
  return rows.map((r) => ({
    ...r,
    opportunities_influenced: Number(r.opportunities_influenced),
    closed_with_partner: Number(r.closed_with_partner),
    won_with_partner: Number(r.won_with_partner),
    closed_without_partner: Number(r.closed_without_partner),
    won_without_partner: Number(r.won_without_partner),
  }));
}
