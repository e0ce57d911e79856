/**
 * The finance commands end to end on the finance fixture (test/integration/finance-fixture.ts).
 * Amounts are USD decimal strings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { openFinanceFixture } from '../integration/finance-fixture.js';
import { captureOutput } from './capture-output.js';

const io = captureOutput();

let db = '';
let config = '';
let dir = '';
beforeAll(async () => {
  const fx = await openFinanceFixture();
  db = fx.wh.path;
  config = fx.configDir;
  dir = fx.dir;
  await fx.wh.close();
}, 60_000);

describe('jointly payouts / mdf / forecast / sensitivity', () => {
  test('payouts --json for one partner and --csv for the payments system', async () => {
    const csv = join(dir, 'rf.csv');
    expect(await runCli(['payouts', '--period', '2026-Q3', '--partner', 'RF', '--json', '--csv', csv, '--config', config, '--db', db])).toBe(0);
    const st = JSON.parse(io.out) as { total: string; partners: { partner_id: string; total: string; lines: unknown[] }[] };
    expect(st.total).toBe('124.49'); // 27.62 accrual - 3.13 churn clawback + 100.00 bounty
    expect(st.partners.map((p) => [p.partner_id, p.total, p.lines.length])).toEqual([['RF', '124.49', 3]]);
    expect(readFileSync(csv, 'utf8').split('\r\n')).toHaveLength(5); // header, 3 lines, final newline
  });

  test('payouts prints the reconciliation and a table per partner', async () => {
    expect(await runCli(['payouts', '--period', '2026-Q3', '--config', config, '--db', db])).toBe(0);
    expect(io.out).toMatch(/revenue recognised 2,996.78 = partners 2,297.95 \+ below threshold 97.94 \+ internal 500.89 \+ unlinked 100.00/);
    expect(io.out).toMatch(/RS Resell Co — plan resellers: accruals 172.38, reversals -14.41, bounties 0.00, MDF 0.00, total 157.97/);
    expect(io.out).toMatch(/total 902.96 USD/);
  });

  test('mdf --json shows the budget drawn down', async () => {
    expect(await runCli(['mdf', '--period', '2026-Q3', '--partner', 'GD', '--json', '--config', config, '--db', db])).toBe(0);
    const m = JSON.parse(io.out) as { budgets: unknown[] };
    expect(m.budgets).toEqual([{ partner_id: 'GD', period: '2026-Q3', budget: '500.00', claimed: '750.00', payable: '500.00', remaining: '0.00' }]);
  });

  test('forecast --json', async () => {
    expect(await runCli(['forecast', '--as-of', '2026-10-01', '--quarters', '2', '--json', '--config', config, '--db', db])).toBe(0);
    const f = JSON.parse(io.out) as { rows: { partner_id: string; expected_revenue: string }[] };
    expect(f.rows.map((r) => [r.partner_id, r.expected_revenue])).toEqual([['TC', '333.33']]);
  });

  test('sensitivity --json', async () => {
    expect(await runCli(['sensitivity', '--model', 'position_based', '--vary', 'first=0.2..0.6', '--period', '2026-Q2', '--no-spread', '--json', '--config', config, '--db', db])).toBe(0);
    const s = JSON.parse(io.out) as { tornado: { partner_id: string; revenue_low: string; revenue_high: string }[] };
    expect(s.tornado.find((r) => r.partner_id === 'RS')).toMatchObject({ revenue_low: '880.00', revenue_high: '2640.00' });
  });

  describe('failures', () => {
    test('a bad period and a missing --period end with one line and a non-zero code', async () => {
      expect(await runCli(['payouts', '--period', 'Q3', '--config', config, '--db', db])).toBe(2);
      expect(io.err).toBe('jointly: Expected a period like 2026-Q3, 2026-07, 2026 or 2026-07-01..2026-09-30, got "Q3".\n');
    });
  });
});
