/**
 * A small company for the finance tests, loaded through real ingest (so currency conversion with
 * fx_rates is part of the test) into a temp DuckDB file, then one real `linear` attribution run.
 *
 * Money in comments: base currency USD unless marked EUR/GBP. fx: EUR 1.10, GBP 1.25.
 *
 * Deals (linear attribution, every touch before creation):
 * - O1 (A1, EUR 4,000.00 = USD 4,400.00, won 2026-06-30): touches RS, TC, paid, email -> RS 25%, TC 25%.
 *   R1 new EUR 3,000.00 = 3,300.00 over 2026-07-01..2027-06-30 (365 days); R2 refund EUR -400.00 = -440.00 on 2026-08-15.
 * - O2 (A2, GBP 1,000.00 = 1,250.00, won 2026-07-20, sourced by RF): touch RS deal registration -> RS 100% credit,
 *   RF 100% sourced: shares add to 200%, so they share the deal 50/50. R3 new GBP 1,000.00 = 1,250.00 in August.
 * - O3 (A3, USD 600.00, won 2026-06-25): touches TC, organic -> TC 50%. R4 910.00 over 2026-06-01..2026-08-30 (91 days).
 * - O4 (A4, USD 800.00, won 2026-07-15): touch GD -> GD 100%. R5 770.00 over 2026-07-16..2026-09-30.
 * - R6: 100.00 on account A5 with no opportunity (unlinked).
 * - R7: churn credit on O2, GBP -100.00 = -125.00 in September: neither RS nor RF plans claw back churn.
 * - O5 (A3, USD 1,000.00, open in Proposal, closing 2026-11-15): TC 50% of the pipeline credit.
 * - O6 (A5, USD 500.00, lost after Discovery and Proposal). Closed deals reaching Discovery: O1, O2, O4, O6
 *   (3 of 4 won); Proposal: O1, O3, O6 (2 of 3 won).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAttribution } from '../../src/attribution/index.js';
import { ingestPaths } from '../../src/ingest/index.js';
import { Warehouse } from '../../src/warehouse/index.js';

export const FILES: Record<string, string> = {
  'fx_rates.csv': `currency,valid_from,rate_to_base
EUR,2026-01-01,1.10
GBP,2026-01-01,1.25
`,
  'partners.csv': `partner_id,name,partner_type,tier
RS,Resell Co,reseller,silver
RF,Refer Co,referral,registered
TC,Tech Co,technology,registered
GD,Gold Co,agency,gold
`,
  'accounts.csv': `account_id,name
A1,Alpha
A2,Bravo
A3,Charlie
A4,Delta
A5,Echo
`,
  'touchpoints.csv': `touchpoint_id,occurred_at,account_id,partner_id,channel,touch_type
T1,2026-05-01T10:00:00Z,A1,RS,partner,meeting
T2,2026-05-05T10:00:00Z,A1,TC,partner,form_fill
T3,2026-05-10T10:00:00Z,A1,,paid,click
T4,2026-05-20T10:00:00Z,A1,,email,click
T5,2026-06-20T10:00:00Z,A2,RS,partner,deal_registration
T6,2026-06-01T10:00:00Z,A3,TC,partner,meeting
T7,2026-06-05T10:00:00Z,A3,,organic,visit
T8,2026-06-20T10:00:00Z,A4,GD,partner,meeting
`,
  'opportunities.csv': `opportunity_id,account_id,type,created_at,close_date,stage,is_closed,is_won,amount,currency,sourced_partner_id
O1,A1,new_business,2026-06-01,2026-06-30,Closed Won,true,true,4000.00,EUR,
O2,A2,new_business,2026-07-01,2026-07-20,Closed Won,true,true,1000.00,GBP,RF
O3,A3,new_business,2026-06-10,2026-06-25,Closed Won,true,true,600.00,USD,
O4,A4,new_business,2026-07-01,2026-07-15,Closed Won,true,true,800.00,USD,
O5,A3,expansion,2026-07-01,2026-11-15,Proposal,false,false,1000.00,USD,
O6,A5,new_business,2026-05-01,2026-06-01,Closed Lost,true,false,500.00,USD,
`,
  'opportunity_stages.csv': `opportunity_id,stage,entered_at
O1,Discovery,2026-06-01
O1,Proposal,2026-06-10
O1,Closed Won,2026-06-30
O2,Discovery,2026-07-01
O2,Closed Won,2026-07-20
O3,Proposal,2026-06-10
O3,Closed Won,2026-06-25
O4,Discovery,2026-07-01
O4,Closed Won,2026-07-15
O5,Discovery,2026-07-01
O5,Proposal,2026-08-01
O6,Discovery,2026-05-01
O6,Proposal,2026-05-10
O6,Closed Lost,2026-06-01
`,
  'revenue.csv': `revenue_id,account_id,opportunity_id,period_start,period_end,amount,currency,kind
R1,A1,O1,2026-07-01,2027-06-30,3000.00,EUR,new
R2,A1,O1,2026-08-15,2026-08-15,-400.00,EUR,refund
R3,A2,O2,2026-08-01,2026-08-31,1000.00,GBP,new
R4,A3,O3,2026-06-01,2026-08-30,910.00,USD,new
R5,A4,O4,2026-07-16,2026-09-30,770.00,USD,new
R6,A5,,2026-07-01,2026-07-31,100.00,USD,new
R7,A2,O2,2026-09-01,2026-09-30,-100.00,GBP,churn
`,
};

export const ATTRIBUTION_YAML = `windows:
  default_days: 365
models:
  linear: { type: linear }
  first_touch: { type: first_touch }
  position_based: { type: position_based, first: 0.4, last: 0.4, middle: 0.2 }
  time_decay: { type: time_decay, half_life_days: 7 }
`;

export const PAYOUTS_YAML = `base_currency: USD
plans:
  default:
    basis: attributed
    model: linear
    accrue_on: recognition
    rate: 0.10
    min_credit_share: 0.3
  resellers:
    applies_to: { partner_type: reseller }
    basis: attributed
    model: linear
    accrue_on: invoice
    tiers:
      mode: marginal
      bands:
        - { from: 0, rate: 0.10 }
        - { from: 1000, rate: 0.20 }
    min_credit_share: 0.25
    caps: { per_deal: 100 }
    max_deal_payout_rate: 0.08
    clawback: { kinds: [refund], within_days: 90 }
  referral:
    applies_to: { partner_type: referral }
    basis: sourced
    accrue_on: booking
    rate: 0.05
    bounty: { new_customer: 100 }
  gold:
    applies_to: { tier: gold }
    basis: attributed
    model: linear
    accrue_on: recognition
    tiers:
      mode: whole
      bands:
        - { from: 0, rate: 0.10 }
        - { from: 500, rate: 0.20 }
    caps: { per_period: 90 }
mdf:
  budgets:
    - { partner_id: GD, period: 2026-Q3, amount: 500 }
  claims:
    - { claim_id: C1, partner_id: GD, activity_id: ACT1, amount: 300, submitted_at: 2026-07-10, status: approved }
    - { claim_id: C2, partner_id: GD, activity_id: ACT1, amount: 400, submitted_at: 2026-08-10, status: approved }
    - { claim_id: C3, partner_id: GD, activity_id: ACT1, amount: 50, submitted_at: 2026-08-11, status: submitted }
    - { claim_id: C4, partner_id: RS, activity_id: ACT1, amount: 50, submitted_at: 2026-08-12, status: approved }
`;

export const ACTIVITIES_CSV = `activity_id,partner_ids,activity_type,name,start_at,cost,currency
ACT1,GD,mdf_campaign,Gold roadshow,2026-07-01,700.00,USD
`;

export interface FinanceFixture {
  wh: Warehouse;
  dir: string;
  configDir: string;
  runId: number;
}

/** Writes the files and configs, ingests them and runs linear attribution. */
export async function openFinanceFixture(extra: Record<string, string> = {}): Promise<FinanceFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'jointly-fin-'));
  const data = join(dir, 'data');
  const configDir = join(dir, 'config');
  mkdirSync(data);
  mkdirSync(configDir);
  for (const [name, text] of Object.entries({ ...FILES, 'activities.csv': ACTIVITIES_CSV, ...extra })) writeFileSync(join(data, name), text);
  writeFileSync(join(configDir, 'attribution.yaml'), ATTRIBUTION_YAML);
  writeFileSync(join(configDir, 'payouts.yaml'), PAYOUTS_YAML);
  const wh = await Warehouse.open(join(dir, 'jointly.duckdb'));
  const result = await ingestPaths(wh, [data], { now: new Date('2027-01-01T00:00:00Z') });
  const bad = result.files.filter((f) => f.quarantined > 0);
  if (bad.length > 0) throw new Error(`fixture rows quarantined: ${JSON.stringify(bad)}`);
  const run = await runAttribution(wh, { model: 'linear', configDir });
  return { wh, dir, configDir, runId: run.run_id };
}
