import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../src/warehouse/index.js';
import { CustomersConfigSchema, cohortReport, fitSbgCounts, sbgDerl } from '../../src/customers/index.js';

const config = CustomersConfigSchema.parse({ cohorts: { grain: 'quarter', gross_margin: 0.8, discount_rate: 0.1 } });

describe('cohorts: retention arithmetic', () => {
  let wh: Warehouse;
  beforeAll(async () => {
    wh = await Warehouse.open(join(mkdtempSync(join(tmpdir(), 'jointly-coh-')), 'w.duckdb'));
    await wh.run(`insert into core.partners (partner_id, name, partner_type) values ('p1', 'P1', 'reseller')`);
    // c1 partner-sourced, expands; c2 direct, churns; c3 direct, contracts; c4 direct, flat. USD = base.
    await wh.run(`insert into core.opportunities (opportunity_id, account_id, type, created_at, close_date, stage, is_closed, is_won, amount, amount_base, sourced_partner_id, attributes) values
      ('o1', 'c1', 'new_business', '2023-11-01', '2024-01-15', 'won', true, true, 4000, 4000, 'p1', null),
      ('o2', 'c2', 'new_business', '2023-11-01', '2024-01-10', 'won', true, true, 8000, 8000, null, null),
      ('o3', 'c3', 'new_business', '2023-11-01', '2024-02-01', 'won', true, true, 4000, 4000, null, null),
      ('o4', 'c4', 'new_business', '2023-11-01', '2024-02-05', 'won', true, true, 2000, 2000, null, null),
      ('o5', 'x9', 'new_business', '2026-06-01', null, 'open', false, false, 100, 100, null, '{"referred_by_account_id": "c1"}')`);
    await wh.run(`insert into core.revenue (revenue_id, account_id, period_start, period_end, amount, amount_base, kind) values
      ('r1', 'c1', '2024-01-20', '2024-04-19', 1000, 1000, 'new'),
      ('r1b', 'c1', '2025-01-20', '2025-04-19', 1000, 1000, 'renewal'),
      ('r1c', 'c1', '2025-01-20', '2025-04-19', 200, 200, 'expansion'),
      ('r2', 'c2', '2024-01-12', '2024-04-11', 2000, 2000, 'new'),
      ('r3', 'c3', '2024-02-03', '2024-05-02', 1000, 1000, 'new'),
      ('r3b', 'c3', '2025-02-03', '2025-05-02', 1000, 1000, 'renewal'),
      ('r3c', 'c3', '2025-02-03', '2025-05-02', -200, -200, 'contraction'),
      ('r4', 'c4', '2024-02-06', '2024-05-05', 500, 500, 'new'),
      ('r4b', 'c4', '2025-02-06', '2025-05-05', 500, 500, 'renewal')`);
    await wh.run(`insert into core.usage (account_id, occurred_at, event) values ('c1', '2024-01-25 10:00', 'login'), ('c1', '2024-03-01', 'login'), ('c3', '2024-02-04', 'export')`);
  });
  afterAll(async () => {
    await wh.close();
  });

  test('12-month logo and revenue retention add up: NRR = 1 + expansion - contraction - churn', async () => {
    const r = await cohortReport(wh, { config, by: 'source_kind' });
    const direct = r.cohorts.find((c) => c.cohort === '2024-Q1' && c.segment === 'direct');
    const partner = r.cohorts.find((c) => c.cohort === '2024-Q1' && c.segment === 'partner');
    // Direct Q0 = 2000 + 1000 + 500 USD; Q4 = 0 + 800 + 500.
    expect(direct?.customers).toBe(3);
    expect(direct?.logo_retention_12m).toBeCloseTo(2 / 3, 12);
    expect(direct?.nrr_12m).toBeCloseTo(1300 / 3500, 12);
    expect(direct?.grr_12m).toBeCloseTo(1300 / 3500, 12);
    expect(direct?.expansion_12m).toBeCloseTo(0, 12);
    expect(direct?.contraction_12m).toBeCloseTo(200 / 3500, 12);
    expect(direct?.churn_12m).toBeCloseTo(2000 / 3500, 12);
    expect(direct?.revenue_q0).toBe('3500.00');
    expect(1 + direct!.expansion_12m! - direct!.contraction_12m! - direct!.churn_12m!).toBeCloseTo(direct!.nrr_12m!, 12);
    expect(partner?.nrr_12m).toBeCloseTo(1.2, 12);
    expect(partner?.grr_12m).toBeCloseTo(1, 12);
    expect(partner?.median_days_to_first_value).toBe(10);
    expect(partner?.referrals).toBe(1);
    expect(direct?.with_usage).toBe(1);
  });
});

describe('cohorts: lifetime value', () => {
  let wh: Warehouse;
  // 100 direct customers acquired 2022-01-10 surviving like the first 4 years of Fader & Hardie's
  // "regular" cohort scaled to 100 (100, 63, 47, 38, 33), billed 250 USD per quarter, data to 2026-02.
  const alive = [100, 63, 47, 38, 33];
  beforeAll(async () => {
    wh = await Warehouse.open(join(mkdtempSync(join(tmpdir(), 'jointly-ltv-')), 'w.duckdb'));
    await wh.run(`insert into core.opportunities (opportunity_id, account_id, type, created_at, close_date, stage, is_closed, is_won, amount, amount_base)
      select 'o' || i, 'c' || i, 'new_business', '2021-12-01', '2022-01-10', 'won', true, true, 1000, 1000 from range(100) t(i)
      union all select 'late', 'x', 'new_business', '2026-02-01', null, 'open', false, false, 1, 1`);
    // Customer i stays through contract year y while i < alive[y].
    await wh.run(`insert into core.revenue (revenue_id, account_id, period_start, period_end, amount, amount_base, kind)
      select 'r' || i || '-' || y, 'c' || i, date '2022-01-12' + to_months((12 * y)::integer), date '2022-04-11' + to_months((12 * y)::integer), 250, 250,
        case when y = 0 then 'new' else 'renewal' end
      from range(100) t(i) cross join range(5) s(y)
      where i < [${alive.join(', ')}][y + 1]`);
  });
  afterAll(async () => {
    await wh.close();
  });

  test('the segment fit equals the sBG fitted to the renewal counts, and LTV = ARR x margin x DEL', async () => {
    const r = await cohortReport(wh, { config, by: 'source_kind' });
    const seg = r.segments.find((s) => s.segment === 'direct');
    // Observed 4 renewal decisions (2022-01-10 to 2026-02-01): lost at t = 1..4, 33 still active.
    const expected = fitSbgCounts({ churned: [0, 37, 16, 9, 5], alive: [0, 0, 0, 0, 33] });
    expect(seg?.churned).toBe(67);
    expect(seg?.censored).toBe(33);
    expect(seg?.alpha).toBeCloseTo(expected.alpha, 6);
    expect(seg?.beta).toBeCloseTo(expected.beta, 6);
    const del = sbgDerl({ alpha: expected.alpha, beta: expected.beta, discount: 0.1 });
    // ARR = 4 x 250 USD.
    expect(seg?.annual_recurring_revenue).toBe('1000.00');
    expect(seg?.ltv).toBe((1000 * 0.8 * del).toFixed(2));
  });
});
