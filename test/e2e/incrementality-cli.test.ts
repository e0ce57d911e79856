import { describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { captureOutput } from './capture-output.js';
import { Warehouse } from '../../src/warehouse/index.js';

const io = captureOutput();

describe('jointly experiment / retention', () => {
  test('experiment plan --json prints the R power.prop.test size', async () => {
    expect(await runCli(['experiment', 'plan', '--baseline-rate', '0.5', '--mde', '0.25', '--power', '0.9', '--json'])).toBe(0);
    const plan = JSON.parse(io.out) as { proportion: { n_per_arm: number } };
    expect(plan.proportion.n_per_arm).toBe(77);
  });

  test('retention --json prints exactly alpha, beta, log_likelihood and the projection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jointly-ret-'));
    const file = join(dir, 'cohort.csv');
    writeFileSync(file, 'period,customers\n0,1000\n1,631\n2,468\n3,382\n4,326\n5,289\n6,262\n7,241\n');
    expect(await runCli(['retention', '--input', file, '--periods', '12', '--json'])).toBe(0);
    const r = JSON.parse(io.out) as { alpha: number; beta: number; log_likelihood: number; projected: number[] };
    expect(Object.keys(r)).toEqual(['alpha', 'beta', 'log_likelihood', 'projected']);
    expect(r.alpha).toBeCloseTo(0.704, 3);
    expect(r.projected).toHaveLength(13);
    expect(r.projected[0]).toBe(1000);
  });

  test('experiment readout --json prints one row per metric with the contract keys', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'jointly-ro-')), 'w.duckdb');
    const wh = await Warehouse.open(db);
    await wh.run(`insert into core.experiments (experiment_id, account_id, arm, assigned_at)
      select 'e', 'a' || i, case when i % 2 = 0 then 'treatment' else 'control' end, timestamp '2024-01-01' from range(40) t(i)`);
    await wh.run(`insert into core.opportunities (opportunity_id, account_id, type, created_at, stage, is_closed, is_won, amount, amount_base)
      select 'o' || i, 'a' || i, 'new_business', timestamp '2024-01-10', 'Open', false, false, 100, 100 from range(40) t(i) where i % 3 = 0`);
    await wh.close();
    expect(await runCli(['experiment', 'readout', 'e', '--window-days', '30', '--json', '--db', db])).toBe(0);
    const rows = JSON.parse(io.out) as Record<string, unknown>[];
    expect(rows.map((r) => r['metric'])).toEqual(['opportunity_rate', 'pipeline_per_account', 'won_rate', 'revenue_per_account']);
    for (const key of ['experiment_id', 'metric', 'control', 'treatment', 'lift_abs', 'lift_rel', 'ci_low', 'ci_high', 'p_value', 'incremental_total']) {
      expect(rows[0]).toHaveProperty(key);
    }
  });

  describe('failures', () => {
    test('a bad survival file ends with one line naming the line and field', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'jointly-ret-')), 'bad.csv');
      writeFileSync(file, 'period,customers\n0,100\n1,-3\n');
      expect(await runCli(['retention', '--input', file])).not.toBe(0);
      expect(io.err).toMatch(/line 3: field customers/);
      expect(io.err.trim().split('\n')).toHaveLength(1);
    });
  });
});
