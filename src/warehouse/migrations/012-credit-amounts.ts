/**
 * `model.credit_amounts`: the credits with their opportunity and partner but without the touch
 * columns, for readers that only sum money by opportunity and partner (deal lists, payouts,
 * forecasts, reconciliation). It skips the join to the touch versions that `model.credits` makes
 * for every row of a run (at 1M touches a deal page read 70 ms through it, 250-300 ms through the
 * full view).
 */
import type { Migration } from './types.js';

export const creditAmounts: Migration = {
  version: 12,
  name: 'attribution: model.credit_amounts (credits by opportunity and partner, no touch join)',
  async up(wh) {
    await wh.run(`create or replace view model.credit_amounts as
      select c.run_id, o.opportunity_id,
        case c.purpose when 0 then 'pipeline' else 'revenue' end as purpose,
        p.partner_id, c.weight,
        case when c.purpose = 0 then (c.cents::DECIMAL(18,0) * 0.01)::DECIMAL(18,2) else 0::DECIMAL(18,2) end as pipeline_credit,
        case when c.purpose = 1 then (c.cents::DECIMAL(18,0) * 0.01)::DECIMAL(18,2) else 0::DECIMAL(18,2) end as revenue_credit
      from model.credit_rows c
      left join (
        select row_key, opportunity_id from core.opportunities
        union all
        select row_key, opportunity_id from core.opportunities_history where row_key is not null
      ) o on o.row_key = c.opp_key
      left join model.credit_partners p on p.partner_key = c.partner_key`);
  },
};
