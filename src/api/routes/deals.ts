/**
 * Deals (opportunities) behind the numbers, from the precomputed report tables of the latest
 * run of a model: with a partner scope, only deals that partner sourced or influenced, with
 * that partner's credit; without one, deals with any partner involvement.
 */
import { z } from 'zod';
import { sql, type Warehouse } from '../../warehouse/index.js';
import { defineRoute, money, page, pageParams } from '../route.js';
import { checkPeriod, reportParams, resolveModelName } from './common.js';
import { rowsToPage } from './partners.js';

export const dealSchema = z.object({
  opportunity_id: z.string(),
  name: z.string().nullable(),
  account_name: z.string().nullable(),
  created_date: z.string(),
  close_date: z.string().nullable(),
  stage: z.string(),
  is_won: z.boolean(),
  amount: money,
  partner_credit: money.describe('Pipeline credit of the partner (or of all partners) under the model.'),
  is_sourced: z.boolean(),
});
type DealRow = z.infer<typeof dealSchema>;

export interface DealFilter {
  runId: number;
  partnerId: string | undefined;
  from: string | undefined;
  to: string | undefined;
  limit: number;
  offset: number;
}

/** One page of deals with their partner credit; filters and paging in SQL. */
export async function listDeals(wh: Warehouse, f: DealFilter) {
  const pid = f.partnerId ?? null;
  const rows = await wh.all<DealRow & { total: number }>(sql`
    with involved as (
      select opportunity_id, bool_or(is_sourced) as is_sourced
      from report.involvement
      where run_id = ${f.runId}
        and (${pid}::varchar is null or partner_id = ${pid})
      group by opportunity_id
    ),
    deals as (
      select o.opportunity_id, o.created_date, o.close_date, o.is_won, o.amount, i.is_sourced,
             (count(*) over ())::integer as total
      from report.opportunity_facts o
      join involved i using (opportunity_id)
      where o.run_id = ${f.runId}
        and o.created_date >= coalesce(${f.from ?? null}::date, date '0001-01-01')
        and o.created_date <= coalesce(${f.to ?? null}::date, date '9999-12-31')
      order by o.created_date desc, o.opportunity_id
      limit ${f.limit} offset ${f.offset}
    ),
    credit as (
      select c.opportunity_id, sum(c.pipeline_credit) as partner_credit
      from model.credits c
      where c.run_id = ${f.runId}
        and c.purpose = 'pipeline'
        and c.opportunity_id in (select opportunity_id from deals)
        and (case when ${pid}::varchar is null then c.partner_id is not null else c.partner_id = ${pid} end)
      group by c.opportunity_id
    )
    select d.opportunity_id, co.name, ac.name as account_name,
           strftime(d.created_date, '%Y-%m-%d') as created_date,
           strftime(d.close_date, '%Y-%m-%d') as close_date,
           co.stage, d.is_won, d.amount::varchar as amount,
           coalesce(cr.partner_credit, 0)::decimal(18,2)::varchar as partner_credit,
           d.is_sourced, d.total
    from deals d
    join core.opportunities co using (opportunity_id)
    left join core.accounts ac on ac.account_id = co.account_id
    left join credit cr using (opportunity_id)
    order by d.created_date desc, d.opportunity_id`);
  return rowsToPage(rows, f);
}

// GET /api/v1/deals: the deals behind a partner's (or all partners') numbers, paginated.
export const deals = defineRoute({
  method: 'GET',
  path: '/api/v1/deals',
  summary: 'Deals a partner sourced or influenced, with its credit under a model',
  tags: ['attribution'],
  action: 'read:credits',
  params: z.object({}),
  query: z.object({ ...reportParams, ...pageParams }),
  response: page(dealSchema),
  handler: async ({ wh, query, scope }) => {
    checkPeriod(query);
    const partnerId = scope(query.partnerId);
    const { runId } = await resolveModelName(wh, query.model);
    return listDeals(wh, { runId, partnerId, from: query.from, to: query.to, limit: query.limit, offset: query.offset });
  },
});

export const routes = [deals];
