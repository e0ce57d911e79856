/**
 * Precomputed report tables for one run (the API and dashboard read these, never recompute):
 * `report.credit_facts` (credits by day, partner, activity, channel, touch type; the day is the
 * creation date for pipeline and the close date for revenue) and `report.opportunity_facts`.
 */
import type { Warehouse } from '../warehouse/index.js';
import { sql, raw } from '../warehouse/index.js';
import { SPLIT_CENTS_SQL } from './credits.js';

/** @example await writeReportFacts(wh, 7) */
export async function writeReportFacts(wh: Warehouse, runId: number): Promise<void> {
  await wh.run(sql`insert into report.credit_facts
      (run_id, purpose, day, partner_id, activity_id, channel, touch_type, credit, weight)
    with credited as (
      -- The run's credited touches from att_split (with the spare cents of att_extra, exactly as
      -- writeCredits stored them), plus its unattributed rows.
      select s.purpose, s.opp_key, s.partner_id, s.activity_id, s.channel, s.touch_type,
        ${raw(SPLIT_CENTS_SQL)} as cents, s.weight
      from att_split s
      left join att_extra x on x.r = s.rowid
      union all
      select c.purpose, c.opp_key, null, null, null, null, c.cents, c.weight
      from model.credit_rows c
      where c.run_id = ${runId} and c.touch_key is null
    )
    select ${runId}, case c.purpose when 0 then 'pipeline' else 'revenue' end,
      case when c.purpose = 0 then o.created_at::DATE else o.close_date end as day,
      c.partner_id, c.activity_id, c.channel, c.touch_type,
      (sum(c.cents)::DECIMAL(38,0) * 0.01)::DECIMAL(18,2), sum(c.weight)
    from credited c
    join att_opp o on o.opp_key = c.opp_key
    group by all`);
  await wh.run(sql`insert into report.opportunity_facts
      (run_id, opportunity_id, created_date, close_date, is_closed, is_won, amount, days_to_close, has_partner)
    select ${runId}, o.opportunity_id, o.created_at::DATE, o.close_date, o.is_closed, o.is_won,
      o.cents::DECIMAL(18,2) / 100,
      case when o.is_closed and o.close_date is not null then date_diff('day', o.created_at::DATE, o.close_date) end,
      exists (select 1 from report.involvement i where i.run_id = ${runId} and i.opportunity_id = o.opportunity_id)
    from att_opp o`);
}
