/**
 * Finance outputs: payout statement lines keyed by the payouts run that made them (meta.runs kind
 * 'payouts'), and forecast rows keyed by a 'forecast' run. Money is DECIMAL(18,2) in the base
 * currency; `original_currency` names the currency of the deal or revenue line it came from.
 */
import type { Migration } from './types.js';

export const financeTables: Migration = {
  version: 40,
  name: 'finance: model.payout_lines and model.forecast keyed by run_id',
  async up(wh) {
    await wh.run(`create table if not exists model.payout_lines (
      run_id INTEGER not null,
      period VARCHAR not null,
      line_no INTEGER not null,
      partner_id VARCHAR not null,
      plan VARCHAR not null,
      line_kind VARCHAR not null,
      opportunity_id VARCHAR,
      revenue_id VARCHAR,
      revenue_kind VARCHAR,
      accrue_on VARCHAR,
      basis VARCHAR,
      revenue DECIMAL(18,2) not null,
      credit_share DECIMAL(9,6),
      credited_revenue DECIMAL(18,2) not null,
      amount DECIMAL(18,2) not null,
      original_currency VARCHAR,
      rule VARCHAR not null
    )`);
    await wh.run(`create table if not exists model.forecast (
      run_id INTEGER not null,
      quarter VARCHAR not null,
      partner_id VARCHAR not null,
      opportunities INTEGER not null,
      pipeline DECIMAL(18,2) not null,
      expected_revenue DECIMAL(18,2) not null,
      expected_revenue_low DECIMAL(18,2) not null,
      expected_revenue_high DECIMAL(18,2) not null,
      incremental_revenue DECIMAL(18,2),
      expected_payout DECIMAL(18,2) not null,
      expected_payout_low DECIMAL(18,2) not null,
      expected_payout_high DECIMAL(18,2) not null
    )`);
  },
};
