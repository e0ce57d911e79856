/**
 * `model.credit_amounts`: the credits with their opportunity and partner but without the touch
 * columns, for readers that only sum money by opportunity and partner (deal lists, payouts,
 * forecasts, reconciliation). It skips the join to the touch versions that `model.credits` makes
 * for every row of a run (at 1M touches a deal page read 70 ms through it, 250-300 ms through the
 * full view).
 */
import type { Migration } from './types.js';
import { CREDIT_MONEY_COLUMNS, CREDIT_PURPOSE_COLUMN, OPPORTUNITY_VERSIONS_JOIN } from './011-credit-keys.js';

export const creditAmounts: Migration = {
  version: 12,
  name: 'attribution: model.credit_amounts (credits by opportunity and partner, no touch join)',
  async up(wh) {
    await wh.run(`create or replace view model.credit_amounts as
      select c.run_id, o.opportunity_id, ${CREDIT_PURPOSE_COLUMN}, p.partner_id, c.weight, ${CREDIT_MONEY_COLUMNS}
      from model.credit_rows c
      ${OPPORTUNITY_VERSIONS_JOIN}
      left join model.credit_partners p on p.partner_key = c.partner_key`);
  },
};
