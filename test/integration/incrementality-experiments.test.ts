import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../src/warehouse/index.js';
import { readoutExperiments, twoProportionTest, welchTTest, summarize } from '../../src/incrementality/index.js';

// 400 accounts, alternately assigned (even = treatment) on 2024-01-01. Inside the 90-day window
// treatment accounts with i % 4 == 0 open an opportunity, control accounts with i % 10 == 1 do.
// Amounts (USD = base): 1000 + (i % 7) * 100. Every account also has an opportunity before
// assignment and one after the window, which the readout must ignore.
const N = 400;
let wh: Warehouse;

beforeAll(async () => {
  wh = await Warehouse.open(join(mkdtempSync(join(tmpdir(), 'jointly-exp-')), 'w.duckdb'));
  await wh.run(`insert into core.accounts (account_id, name) select 'a' || i, 'Account ' || i from range(${N}) t(i)`);
  await wh.run(`insert into core.experiments (experiment_id, account_id, partner_id, program, arm, assigned_at)
    select 'exp1', 'a' || i, 'p1', 'co-sell', case when i % 2 = 0 then 'treatment' else 'control' end, timestamp '2024-01-01'
    from range(${N}) t(i)`);
  const opp = (where: string, created: string, suffix: string) => `
    insert into core.opportunities (opportunity_id, account_id, type, created_at, close_date, stage, is_closed, is_won, amount, amount_base, currency)
    select 'o' || i || '${suffix}', 'a' || i, 'new_business', timestamp '${created}', date '${created}' + 20, 'Closed Won', true, true,
      1000 + (i % 7) * 100, 1000 + (i % 7) * 100, 'USD'
    from range(${N}) t(i) where ${where}`;
  await wh.run(opp('(i % 2 = 0 and i % 4 = 0) or (i % 2 = 1 and i % 10 = 1)', '2024-02-01', 'in'));
  await wh.run(opp('true', '2023-06-01', 'before'));
  await wh.run(opp('true', '2024-06-01', 'after'));
  // An expansion deal for every account inside the window: excluded when only new business counts.
  await wh.run(`insert into core.opportunities (opportunity_id, account_id, type, created_at, stage, is_closed, is_won, amount, amount_base, currency)
    select 'x' || i, 'a' || i, 'expansion', timestamp '2024-02-10', 'Open', false, false, 99, 99, 'USD' from range(${N}) t(i)`);
});

afterAll(async () => {
  await wh.close();
});

describe('experiment readout', () => {
  test('rates and money per account match the tests applied to the planted outcomes', async () => {
    const [r] = await readoutExperiments(wh, { windowDays: 90, opportunityTypes: ['new_business'] });
    expect(r?.n_treatment).toBe(200);
    expect(r?.n_control).toBe(200);
    expect(r?.srm.mismatch).toBe(false);
    const ids = Array.from({ length: N }, (_, i) => i);
    const treated = ids.filter((i) => i % 2 === 0);
    const control = ids.filter((i) => i % 2 === 1);
    const opens = (i: number) => (i % 2 === 0 ? i % 4 === 0 : i % 10 === 1);
    const amount = (i: number) => (opens(i) ? 1000 + (i % 7) * 100 : 0);
    const rate = twoProportionTest({
      successesTreatment: treated.filter(opens).length,
      totalTreatment: treated.length,
      successesControl: control.filter(opens).length,
      totalControl: control.length,
    });
    const opp = r?.metrics.find((m) => m.metric === 'opportunity_rate');
    expect(opp?.treatment).toBe(treated.filter(opens).length / 200);
    expect(opp?.lift_abs).toBeCloseTo(rate.diff, 12);
    expect(opp?.p_value).toBeCloseTo(rate.p_value, 12);
    expect(opp?.incremental_total).toBeCloseTo(rate.diff * 200, 9);
    const won = r?.metrics.find((m) => m.metric === 'won_rate');
    expect(won?.lift_abs).toBeCloseTo(rate.diff, 12);
    const welch = welchTTest({ x: summarize(treated.map(amount)), y: summarize(control.map(amount)) });
    const pipe = r?.metrics.find((m) => m.metric === 'pipeline_per_account');
    expect(pipe?.lift_abs).toBeCloseTo(welch.diff, 2);
    expect(pipe?.ci_low).toBeCloseTo(welch.ci_low, 2);
    expect(pipe?.ci_high).toBeCloseTo(welch.ci_high, 2);
    expect(pipe?.p_value).toBeCloseTo(welch.p_value, 9);
    // Every deal in the window is won: won revenue per account equals pipeline per account (USD).
    const rev = r?.metrics.find((m) => m.metric === 'revenue_per_account');
    expect(rev?.lift_abs).toBeCloseTo(welch.diff, 2);
    expect(rev?.incremental_total).toBeCloseTo(welch.diff * 200, 0);
  });

  test('counting every opportunity type adds the expansion deals to both arms', async () => {
    const [r] = await readoutExperiments(wh, { windowDays: 90 });
    const opp = r?.metrics.find((m) => m.metric === 'opportunity_rate');
    expect(opp?.control).toBe(1);
    expect(opp?.treatment).toBe(1);
  });

  test('a window too short to see the outcomes finds no lift', async () => {
    const [r] = await readoutExperiments(wh, { windowDays: 10, opportunityTypes: ['new_business'] });
    const opp = r?.metrics.find((m) => m.metric === 'opportunity_rate');
    expect(opp?.control).toBe(0);
    expect(opp?.treatment).toBe(0);
    expect(opp?.lift_abs).toBe(0);
  });

  describe('failures', () => {
    test('an unknown experiment id is a NOT_FOUND error naming it', async () => {
      await expect(readoutExperiments(wh, { experimentId: 'nope' })).rejects.toThrow(/No experiment "nope"/);
    });
    test('a zero window is refused', async () => {
      await expect(readoutExperiments(wh, { windowDays: 0 })).rejects.toThrow(/--window-days/);
    });
  });
});
