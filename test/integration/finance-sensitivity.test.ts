/**
 * Sensitivity on the finance fixture (finance-fixture.ts). Amounts are USD decimal strings.
 * O1 (4,400.00, closed 2026-06-30) has the path RS (first), TC, paid, email (last).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseVary, runSensitivity, type SensitivityResult } from '../../src/finance/index.js';
import { sql } from '../../src/warehouse/index.js';
import { openFinanceFixture, type FinanceFixture } from './finance-fixture.js';

let fx: FinanceFixture;
let s: SensitivityResult;
beforeAll(async () => {
  fx = await openFinanceFixture();
  s = await runSensitivity(fx.wh, {
    model: 'position_based',
    vary: ['first=0.2..0.6', 'window_days=1,365'],
    period: '2026-Q2',
    configDir: fx.configDir,
  });
}, 60_000);
afterAll(async () => {
  await fx.wh.close();
});

const row = (param: string, partner: string) => s.tornado.find((r) => r.param === param && r.partner_id === partner);

describe('sensitivity', () => {
  test('varying the first-touch share moves the first partner exactly (others rescaled)', () => {
    // RS holds O1's first touch: 4,400.00 x 0.4 = 1,760.00; x 0.2 = 880.00; x 0.6 = 2,640.00.
    expect(row('first', 'RS')).toMatchObject({
      revenue_base: '1760.00', revenue_low: '880.00', revenue_high: '2640.00', revenue_swing: '1760.00', value_at_low: 0.2, value_at_high: 0.6,
    });
    // TC is a middle touch: its share falls as `first` rises: (1 - first) x 0.2/0.6 / 2.
    const tc = row('first', 'TC');
    expect(tc?.value_at_low).toBe(0.6);
    expect(tc?.value_at_high).toBe(0.2);
  });

  test('a one-day window leaves O1 unattributed', () => {
    expect(row('window_days', 'RS')).toMatchObject({ revenue_low: '0.00', revenue_high: '1760.00', value_at_low: 1, value_at_high: 365 });
  });

  test('variant runs are real attribution runs kept out of "latest run" reports', async () => {
    expect(s.params.map((p) => [p.param, p.base, p.values, p.run_ids.length])).toEqual([
      ['first', 0.4, [0.2, 0.6], 2],
      ['window_days', 365, [1, 365], 2],
    ]);
    const kinds = await fx.wh.all<{ kind: string; n: number }>(sql`
      select kind, count(*)::INTEGER as n from meta.runs where model = 'position_based' group by 1 order by 1`);
    expect(kinds).toEqual([{ kind: 'attribution_sensitivity', n: 5 }]); // base + 2 + 2
    const params = await fx.wh.get<{ p: string }>(sql`select params::VARCHAR as p from meta.runs where run_id = ${s.params[0]?.run_ids[0] ?? -1}`, 'no run');
    expect(JSON.parse(params.p)).toMatchObject({ spec: { first: 0.2, last: 0.533333, middle: 0.266667 } });
  });

  test('the spread compares every model that has a run', () => {
    // Only linear ran in the fixture: RS gets 1/4 of O1 = 1,100.00.
    expect(s.models_without_run).toEqual(['first_touch', 'position_based', 'time_decay']);
    expect(s.spread.find((r) => r.partner_id === 'RS')).toMatchObject({ revenue: { linear: '1100.00' }, revenue_min: '1100.00', revenue_max: '1100.00' });
  });

  describe('failures', () => {
    test('bad --vary text and unknown parameters name what is accepted', async () => {
      expect(() => parseVary('first=0.2..')).toThrow(/PARAM=LOW..HIGH/);
      expect(parseVary('window_days=90,180,365')).toEqual({ param: 'window_days', values: [90, 180, 365] });
      await expect(runSensitivity(fx.wh, { model: 'linear', vary: ['half_life_days=3..30'], configDir: fx.configDir })).rejects.toThrow(
        /model "linear" \(linear\) has no numeric parameter half_life_days. It has: window_days/,
      );
      await expect(runSensitivity(fx.wh, { model: 'nope', configDir: fx.configDir })).rejects.toThrow(/Unknown attribution model "nope"/);
    });
  });
});
