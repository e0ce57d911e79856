/**
 * The deals (opportunities) behind the numbers of one attribution run: with a partner scope,
 * the deals that partner sourced or influenced, with that partner's pipeline credit; without
 * one, the deals with any partner involvement and the credit of all partners. Newest first,
 * filtered (creation date) and paged in SQL.
 */
import type { Warehouse } from '../warehouse/index.js';
import { sql } from '../warehouse/index.js';
import { getLatestRun } from './find-latest-run.js';
import { inRange, type ReportFilter } from './get-attribution-report.js';

export type DealRow = {
  opportunity_id: string;
  name: string | null;
  account_name: string | null;
  created_date: string;
  close_date: string | null;
  stage: string;
  is_won: boolean;
  amount: string;
  /** Pipeline credit of the partner (or of all partners) under the model. */
  partner_credit: string;
  is_sourced: boolean;
};

export interface DealPage {
  run_id: number;
  model: string;
  items: DealRow[];
  /** Deals matching, over all pages. */
  total: number;
  limit: number;
  offset: number;
}

/**
 * @example
 * const page = await listDeals(wh, { model: 'linear', partnerId: 'P1', limit: 50, offset: 0 });
 * page.items[0] // { opportunity_id: 'O9', partner_credit: '6000.00', is_sourced: true, … }
 */
export async function listDeals(wh: Warehouse, opts: ReportFilter & { limit: number; offset: number }): Promise<DealPage> {
  const run = await getLatestRun(wh, { model: opts.model, runId: opts.runId });
  const pid = opts.partnerId ?? null;
  const rows = await wh.all<DealRow & { opportunity_id: string | null; total: number }>(sql`
    with involved as (
      select opportunity_id, bool_or(is_sourced) as is_sourced
      from report.involvement
      where run_id = ${run.run_id}
        and (${pid}::varchar is null or partner_id = ${pid})
      group by opportunity_id
    ),
    matching as (
      select o.opportunity_id, o.created_date, o.close_date, o.is_won, o.amount, i.is_sourced
      from report.opportunity_facts o
      join involved i using (opportunity_id)
      where o.run_id = ${run.run_id}
        and ${inRange('o.created_date', opts.from, opts.to)}
    ),
    deals as (
      select *
      from matching
      order by created_date desc, opportunity_id
      limit ${opts.limit} offset ${opts.offset}
    ),
    credit as (
      select c.opportunity_id, sum(c.pipeline_credit) as partner_credit
      from model.credit_amounts c
      where c.run_id = ${run.run_id}
        and c.purpose = 'pipeline'
        and c.opportunity_id in (select opportunity_id from deals)
        and (case when ${pid}::varchar is null then c.partner_id is not null else c.partner_id = ${pid} end)
      group by c.opportunity_id
    ),
    counted as (
      select count(*)::integer as total from matching
    )
    select d.opportunity_id, co.name, ac.name as account_name,
           strftime(d.created_date, '%Y-%m-%d') as created_date,
           strftime(d.close_date, '%Y-%m-%d') as close_date,
           co.stage, d.is_won, d.amount::decimal(18,2)::varchar as amount,
           coalesce(cr.partner_credit, 0)::decimal(18,2)::varchar as partner_credit,
           d.is_sourced, n.total
    from counted n
    left join deals d on true
    left join core.opportunities co using (opportunity_id)
    left join core.accounts ac on ac.account_id = co.account_id
    left join credit cr using (opportunity_id)
    order by d.created_date desc, d.opportunity_id`);
  const items = rows.flatMap(({ total: _t, ...r }) => (r.opportunity_id === null ? [] : [{ ...r, opportunity_id: r.opportunity_id }]));
  return { run_id: run.run_id, model: run.model, items, total: rows[0]?.total ?? 0, limit: opts.limit, offset: opts.offset };
}
