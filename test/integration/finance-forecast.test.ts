/**
 * Forecast from stage history (finance-fixture.ts). Amounts are USD decimal strings.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createForecast, getForecast, wilson } from '../../src/finance/index.js';
import { openFinanceFixture, type FinanceFixture } from './finance-fixture.js';

let fx: FinanceFixture;
beforeAll(async () => {
  fx = await openFinanceFixture();
}, 60_000);
afterAll(async () => {
  await fx.wh.close();
});

describe('forecast', () => {
  test('stage win rates come from closed deals that reached the stage', async () => {
    const f = await createForecast(fx.wh, { configDir: fx.configDir, asOf: '2026-10-01', quarters: 2 });
    const byStage = Object.fromEntries(f.stages.map((s) => [s.stage, [s.closed, s.won]]));
    expect(byStage['Discovery']).toEqual([4, 3]);
    expect(byStage['Proposal']).toEqual([3, 2]);
    expect(f.quarters).toEqual(['2026-Q4', '2027-Q1']);
  });

  test('open pipeline x partner credit x stage probability, payout by the plan, Wilson interval as the range', async () => {
    const f = await createForecast(fx.wh, { configDir: fx.configDir, asOf: '2026-10-01', quarters: 2 });
    // O5: 1,000.00, TC's linear pipeline credit 50% = 500.00; Proposal won 2 of 3:
    // 500.00 x 2/3 = 333.33; payout 10% = 33.33. Wilson 95% for 2/3: [0.207660, 0.938508] -> 103.83 .. 469.25 (payout 4,692.5 cents rounds half up to 46.93).
    expect(f.rows).toEqual([
      {
        quarter: '2026-Q4', partner_id: 'TC', opportunities: 1, pipeline: '500.00',
        expected_revenue: '333.33', expected_revenue_low: '103.83', expected_revenue_high: '469.25',
        incremental_revenue: null, expected_payout: '33.33', expected_payout_low: '10.38', expected_payout_high: '46.93',
      },
    ]);
    const w = wilson(2, 3);
    expect(w.low).toBeCloseTo(0.2077, 4);
    expect(w.high).toBeCloseTo(0.9385, 4);
  });

  test('the stored forecast is read back by run, optionally for one partner', async () => {
    const f = await createForecast(fx.wh, { configDir: fx.configDir, asOf: '2026-10-01', quarters: 2 });
    expect(await getForecast(fx.wh, { partnerId: 'TC' })).toEqual(f);
    expect((await getForecast(fx.wh, { runId: f.run_id, partnerId: 'RS' })).rows).toEqual([]);
  });

  test('deals closing after the horizon are left out', async () => {
    const f = await createForecast(fx.wh, { configDir: fx.configDir, asOf: '2026-01-15', quarters: 2 });
    expect(f.rows).toEqual([]);
  });

  describe('failures', () => {
    test('a bad horizon or date is refused', async () => {
      await expect(createForecast(fx.wh, { configDir: fx.configDir, quarters: 0 })).rejects.toThrow(/--quarters expects/);
      await expect(createForecast(fx.wh, { configDir: fx.configDir, asOf: 'soon' })).rejects.toThrow(/--as-of expects/);
    });
  });
});
