import { beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { Warehouse } from '../../src/warehouse/index.js';
import { captureOutput } from './capture-output.js';

const io = captureOutput();

let db = '';

beforeAll(async () => {
  db = join(mkdtempSync(join(tmpdir(), 'jointly-cust-')), 'w.duckdb');
  const wh = await Warehouse.open(db);
  await wh.run(`insert into core.partners (partner_id, name, partner_type) values ('p1', 'P1', 'reseller')`);
  await wh.run(`insert into core.opportunities (opportunity_id, account_id, type, created_at, close_date, stage, is_closed, is_won, amount, amount_base, sourced_partner_id) values
    ('o1', 'a1', 'new_business', '2024-01-01', '2024-02-01', 'won', true, true, 100, 100, 'p1'),
    ('o2', 'a2', 'new_business', '2024-01-01', '2024-02-02', 'won', true, true, 200, 200, null)`);
  await wh.close();
});

describe('jointly customers / cohorts', () => {
  test('customers --json gives one source per customer and totals that add up', async () => {
    expect(await runCli(['customers', '--by', 'partner', '--from', '2024-01-01', '--to', '2024-12-31', '--json', '--db', db])).toBe(0);
    const r = JSON.parse(io.out) as { total: number; partner_total: number; direct_total: number; groups: { key: string; customers: number }[] };
    expect({ total: r.total, partner: r.partner_total, direct: r.direct_total }).toEqual({ total: 2, partner: 1, direct: 1 });
    expect(r.groups.map((g) => [g.key, g.customers])).toEqual([['direct', 1], ['p1', 1]]);
  });

  test('cohorts prints the table and says when LTV has too little data', async () => {
    expect(await runCli(['cohorts', '--db', db])).toBe(0);
    expect(io.out).toMatch(/2024-Q1/);
    expect(io.out).toMatch(/insufficient data \(n=0/);
  });

  describe('failures', () => {
    test('an unknown grouping is one line naming the flag', async () => {
      expect(await runCli(['customers', '--by', 'colour', '--db', db])).toBe(2);
      expect(io.err.trim()).toBe('jointly: --by expects one of source, partner, partner_type, got "colour".');
    });
  });
});
