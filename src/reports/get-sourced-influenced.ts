/**
 * Sourced and influenced opportunities, pipeline and revenue per partner for one run.
 */
import type { Warehouse } from '../warehouse/index.js';
import { sql } from '../warehouse/index.js';
import { getLatestRun } from './find-latest-run.js';
import { inRange, type ReportFilter } from './get-attribution-report.js';

export type SourcedInfluencedRow = {
  partner_id: string; name: string | null; partner_type: string | null;
  sourced_opportunities: number; sourced_pipeline: string; sourced_revenue: string;
  influenced_opportunities: number; influenced_pipeline: string; influenced_revenue: string;
};

/**
 * @example
 * await getSourcedInfluenced(wh, { model: 'linear' }) // [{ partner_id: 'P1', sourced_pipeline: '1000.00', … }]
 */
export async function getSourcedInfluenced(wh: Warehouse, opts: ReportFilter): Promise<SourcedInfluencedRow[]> {
  const run = await getLatestRun(wh, { model: opts.model, runId: opts.runId });
  const pid = opts.partnerId ?? null;
  const created = inRange('o.created_date', opts.from, opts.to);
  const closed = inRange('o.close_date', opts.from, opts.to);
  const rows = await wh.all<SourcedInfluencedRow>(sql`
    with v as (
      select partner_id, opportunity_id, bool_or(is_sourced) as s, bool_or(is_influenced) as i
      from report.involvement
      where run_id = ${run.run_id} and (${pid}::VARCHAR is null or partner_id = ${pid})
      group by 1, 2
    )
    select v.partner_id, p.name, p.partner_type,
      count(*) filter (where v.s and ${created})::INTEGER as sourced_opportunities,
      coalesce(sum(o.amount) filter (where v.s and ${created}), 0)::DECIMAL(18,2)::VARCHAR as sourced_pipeline,
      coalesce(sum(o.amount) filter (where v.s and o.is_won and ${closed}), 0)::DECIMAL(18,2)::VARCHAR as sourced_revenue,
      count(*) filter (where v.i and ${created})::INTEGER as influenced_opportunities,
      coalesce(sum(o.amount) filter (where v.i and ${created}), 0)::DECIMAL(18,2)::VARCHAR as influenced_pipeline,
      coalesce(sum(o.amount) filter (where v.i and o.is_won and ${closed}), 0)::DECIMAL(18,2)::VARCHAR as influenced_revenue
    from v
    join report.opportunity_facts o on o.run_id = ${run.run_id} and o.opportunity_id = v.opportunity_id
    left join core.partners p on p.partner_id = v.partner_id
    group by v.partner_id, p.name, p.partner_type
    order by v.partner_id`);
  return rows.map((r) => ({ ...r, sourced_opportunities: Number(r.sourced_opportunities), influenced_opportunities: Number(r.influenced_opportunities) }));
}
