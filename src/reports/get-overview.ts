/**
 * Headline numbers of one run and a monthly trend, for the dashboard's first page.
 */
import { fromMinor, toMinor } from '../core/index.js';
import type { Warehouse } from '../warehouse/index.js';
import { sql } from '../warehouse/index.js';
import { getLatestRun } from './find-latest-run.js';
import { inRange, type ReportFilter } from './get-attribution-report.js';

export type Overview = {
  run_id: number;
  model: string;
  totals: {
    opportunities: number; pipeline: string; revenue: string; attributed_pipeline_partner: string;
    attributed_revenue_partner: string; sourced_pipeline: string; influenced_pipeline: string;
    sourced_revenue: string; influenced_revenue: string;
    unattributed_pipeline: string; win_rate_with_partner: number | null; win_rate_without_partner: number | null;
  };
  trend: {
    month: string; pipeline: string; revenue: string; attributed_pipeline_partner: string; attributed_revenue_partner: string;
    sourced_pipeline: string; influenced_pipeline: string; sourced_revenue: string; influenced_revenue: string;
  }[];
};

/**
 * Sourced and influenced figures count each opportunity once, however many partners sourced or
 * influenced it (a deal shared by two partners is not counted twice); revenue is won amount by
 * close month, pipeline amount by creation month.
 *
 * With `partnerId`, pipeline and revenue are those of the opportunities the partner sourced or
 * influenced, and attributed figures are the partner's own.
 *
 * @example
 * const o = await getOverview(wh, { model: 'linear' }); o.totals.pipeline // '1000.00'
 */
export async function getOverview(wh: Warehouse, opts: ReportFilter): Promise<Overview> {
  const run = await getLatestRun(wh, { model: opts.model, runId: opts.runId });
  const pid = opts.partnerId ?? null;
  const created = inRange('o.created_date', opts.from, opts.to);
  const closed = inRange('o.close_date', opts.from, opts.to);
  const rows = await wh.all<Overview['trend'][number] & { opportunities: number; unattributed_pipeline: string; closed_with: number; won_with: number; closed_without: number; won_without: number }>(sql`
    with inv as (
      select opportunity_id, bool_or(is_sourced) as is_sourced, bool_or(is_influenced) as is_influenced
      from report.involvement
      where run_id = ${run.run_id} and (${pid}::VARCHAR is null or partner_id = ${pid})
      group by 1
    ),
    opps as (
      select o.*, coalesce(v.is_sourced, false) as is_sourced, coalesce(v.is_influenced, false) as is_influenced
      from report.opportunity_facts o
      left join inv v using (opportunity_id)
      where o.run_id = ${run.run_id} and (${pid}::VARCHAR is null or v.opportunity_id is not null)
    ),
    opp_month as (
      select strftime(o.created_date, '%Y-%m') as month,
        count(*) filter (where ${created})::INTEGER as opportunities,
        coalesce(sum(o.amount) filter (where ${created}), 0) as pipeline,
        coalesce(sum(o.amount) filter (where o.is_sourced and ${created}), 0) as sourced_pipeline,
        coalesce(sum(o.amount) filter (where o.is_influenced and ${created}), 0) as influenced_pipeline,
        count(*) filter (where o.is_influenced and o.is_closed and ${created})::INTEGER as closed_with,
        count(*) filter (where o.is_influenced and o.is_won and ${created})::INTEGER as won_with,
        count(*) filter (where not o.has_partner and o.is_closed and ${created})::INTEGER as closed_without,
        count(*) filter (where not o.has_partner and o.is_won and ${created})::INTEGER as won_without
      from opps o
      group by 1
    ),
    rev_month as (
      select strftime(o.close_date, '%Y-%m') as month, coalesce(sum(o.amount), 0) as revenue,
        coalesce(sum(o.amount) filter (where o.is_sourced), 0) as sourced_revenue,
        coalesce(sum(o.amount) filter (where o.is_influenced), 0) as influenced_revenue
      from opps o where o.is_won and ${closed}
      group by 1
    ),
    credit_month as (
      select strftime(cf.day, '%Y-%m') as month,
        coalesce(sum(cf.credit) filter (where cf.purpose = 'pipeline' and cf.partner_id is not null), 0) as attributed_pipeline_partner,
        coalesce(sum(cf.credit) filter (where cf.purpose = 'revenue' and cf.partner_id is not null), 0) as attributed_revenue_partner,
        coalesce(sum(cf.credit) filter (where cf.purpose = 'pipeline' and cf.channel is null), 0) as unattributed_pipeline
      from report.credit_facts cf
      where cf.run_id = ${run.run_id} and ${inRange('cf.day', opts.from, opts.to)}
        and (${pid}::VARCHAR is null or cf.partner_id = ${pid})
      group by 1
    ),
    months as (select month from opp_month union select month from rev_month union select month from credit_month)
    select m.month,
      coalesce(o.opportunities, 0) as opportunities,
      coalesce(o.pipeline, 0)::DECIMAL(18,2)::VARCHAR as pipeline,
      coalesce(r.revenue, 0)::DECIMAL(18,2)::VARCHAR as revenue,
      coalesce(c.attributed_pipeline_partner, 0)::DECIMAL(18,2)::VARCHAR as attributed_pipeline_partner,
      coalesce(c.attributed_revenue_partner, 0)::DECIMAL(18,2)::VARCHAR as attributed_revenue_partner,
      coalesce(c.unattributed_pipeline, 0)::DECIMAL(18,2)::VARCHAR as unattributed_pipeline,
      coalesce(o.sourced_pipeline, 0)::DECIMAL(18,2)::VARCHAR as sourced_pipeline,
      coalesce(o.influenced_pipeline, 0)::DECIMAL(18,2)::VARCHAR as influenced_pipeline,
      coalesce(r.sourced_revenue, 0)::DECIMAL(18,2)::VARCHAR as sourced_revenue,
      coalesce(r.influenced_revenue, 0)::DECIMAL(18,2)::VARCHAR as influenced_revenue,
      coalesce(o.closed_with, 0) as closed_with, coalesce(o.won_with, 0) as won_with,
      coalesce(o.closed_without, 0) as closed_without, coalesce(o.won_without, 0) as won_without
    from months m
    left join opp_month o using (month)
    left join rev_month r using (month)
    left join credit_month c using (month)
    where m.month is not null
    order by m.month`);
  const sum = (k: 'pipeline' | 'revenue' | 'attributed_pipeline_partner' | 'attributed_revenue_partner' | 'sourced_pipeline' | 'influenced_pipeline' | 'sourced_revenue' | 'influenced_revenue' | 'unattributed_pipeline') => {
    // Exact: decimal strings to cents and back.
    return fromMinor(rows.reduce((a, r) => a + toMinor(r[k]), 0n));
  };
  const n = (k: 'opportunities' | 'closed_with' | 'won_with' | 'closed_without' | 'won_without') => rows.reduce((a, r) => a + Number(r[k]), 0);
  return {
    run_id: run.run_id,
    model: run.model,
    totals: {
      opportunities: n('opportunities'),
      pipeline: sum('pipeline'),
      revenue: sum('revenue'),
      attributed_pipeline_partner: sum('attributed_pipeline_partner'),
      attributed_revenue_partner: sum('attributed_revenue_partner'),
      sourced_pipeline: sum('sourced_pipeline'),
      influenced_pipeline: sum('influenced_pipeline'),
      sourced_revenue: sum('sourced_revenue'),
      influenced_revenue: sum('influenced_revenue'),
      unattributed_pipeline: sum('unattributed_pipeline'),
      win_rate_with_partner: n('closed_with') ? n('won_with') / n('closed_with') : null,
      win_rate_without_partner: n('closed_without') ? n('won_without') / n('closed_without') : null,
    },
    trend: rows.map((r) => ({
      month: r.month, pipeline: r.pipeline, revenue: r.revenue, attributed_pipeline_partner: r.attributed_pipeline_partner,
      attributed_revenue_partner: r.attributed_revenue_partner, sourced_pipeline: r.sourced_pipeline, influenced_pipeline: r.influenced_pipeline,
      sourced_revenue: r.sourced_revenue, influenced_revenue: r.influenced_revenue,
    })),
  };
}
