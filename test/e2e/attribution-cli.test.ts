import { beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { Warehouse } from '../../src/warehouse/index.js';
import { FOUR_TOUCH, load, tempDb } from '../integration/attribution-fixture.js';
import { captureOutput } from './capture-output.js';

const io = captureOutput();

let db = '';

beforeAll(async () => {
  db = tempDb();
  const wh = await Warehouse.open(db);
  await load(wh, FOUR_TOUCH);
  await wh.close();
});

describe('jointly attribute / report / explain / compare', () => {
  test('attribute --json prints exactly the run summary keys, money as decimal strings', async () => {
    expect(await runCli(['attribute', '--model', 'position_based', '--json', '--db', db])).toBe(0);
    const r = JSON.parse(io.out) as Record<string, unknown>;
    expect(Object.keys(r)).toEqual(['run_id', 'model', 'opportunities', 'pipeline_total', 'revenue_total', 'credited_pipeline_total', 'credited_revenue_total']);
    expect({ ...r, run_id: 0 }).toEqual({
      run_id: 0, model: 'position_based', opportunities: 1, pipeline_total: '1000.00', revenue_total: '1000.00',
      credited_pipeline_total: '1000.00', credited_revenue_total: '1000.00',
    });
  });

  test('report partners --json gives the issue keys per partner', async () => {
    expect(await runCli(['report', 'partners', '--model', 'position_based', '--json', '--db', db])).toBe(0);
    const rows = JSON.parse(io.out) as Record<string, unknown>[];
    expect(rows).toEqual([
      { partner_id: 'P1', name: 'Acme', sourced_pipeline: '0.00', influenced_pipeline: '1000.00', attributed_pipeline: '400.00', attributed_revenue: '66.66', win_rate_with_partner: 1, win_rate_without_partner: null, median_days_to_close: 31 },
      { partner_id: 'P2', name: 'Beta', sourced_pipeline: '0.00', influenced_pipeline: '1000.00', attributed_pipeline: '100.00', attributed_revenue: '66.67', win_rate_with_partner: 1, win_rate_without_partner: null, median_days_to_close: 31 },
    ]);
  });

  test('explain prints the path and a narrative; compare puts models side by side', async () => {
    expect(await runCli(['explain', 'O1', '--model', 'position_based', '--db', db])).toBe(0);
    expect(io.out).toContain("Beta's webinar 'Scaling X' on 3 Mar 2025 got 10% of the pipeline credit (100.00) as a middle touch sharing the spread (U-shaped).");
    io.out = '';
    expect(await runCli(['attribute', '--model', 'first_touch', '--db', db])).toBe(0);
    io.out = '';
    expect(await runCli(['compare', '--models', 'first_touch,position_based', '--json', '--db', db])).toBe(0);
    const c = JSON.parse(io.out) as { rows: { key: string; values: Record<string, { attributed_pipeline: string }> }[] };
    expect(c.rows.map((r) => [r.key, r.values['first_touch']?.attributed_pipeline, r.values['position_based']?.attributed_pipeline])).toEqual([
      ['P1', '0.00', '400.00'],
      ['P2', '0.00', '100.00'],
    ]);
  });

  describe('failures', () => {
    test('an unknown model, a bad --by and an unknown opportunity end with one line and a non-zero exit', async () => {
      expect(await runCli(['attribute', '--model', 'nope', '--db', db])).toBe(2);
      expect(io.err).toMatch(/^jointly: Unknown attribution model "nope"/);
      io.err = '';
      expect(await runCli(['report', 'partners', '--model', 'linear', '--by', 'planet', '--db', db])).toBe(2);
      expect(io.err).toMatch(/--by expects one of partner/);
      io.err = '';
      expect(await runCli(['explain', 'NOPE', '--model', 'position_based', '--db', db])).toBe(66);
      expect(io.err.trim().split('\n')).toHaveLength(1);
    });
  });
});
