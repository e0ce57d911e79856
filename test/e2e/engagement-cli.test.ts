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
  db = join(mkdtempSync(join(tmpdir(), 'jointly-engcli-')), 'w.duckdb');
  const wh = await Warehouse.open(db);
  await wh.run(`insert into core.partners (partner_id, name, partner_type) values ('P1', 'Acme', 'referral'), ('P2', 'Beta', 'reseller')`);
  await wh.run(`insert into core.activities (activity_id, partner_ids, activity_type, name, start_at) values
    ('ACT1', ['P1'], 'co_branded_content', 'Guide', TIMESTAMP '2025-01-10')`);
  await wh.run(`insert into core.touchpoints (touchpoint_id, occurred_at, account_id, partner_id, activity_id, channel, touch_type, engaged_seconds, content_pct) values
    ('T1', TIMESTAMP '2025-01-15', 'A1', 'P1', 'ACT1', 'partner', 'content_view', 600, 100),
    ('T2', TIMESTAMP '2025-01-20', 'A2', 'P2', null, 'partner', 'meeting', 1800, null)`);
  await wh.close();
});

describe('jointly engagement / alerts / predict', () => {
  test('engagement --json gives the run and one row per partner, best first', async () => {
    expect(await runCli(['engagement', '--by', 'partner', '--json', '--db', db])).toBe(0);
    const r = JSON.parse(io.out) as { run_id: number; model: string; by: string; rows: { key: string; score: number | null; content_depth: number | null }[] };
    expect(r.by).toBe('partner');
    expect(r.model).toBe('position_based');
    // P1: content depth (600/600 + 100%)/2 = 1; co-created 1 activity in 1 quarter / 2 = 0.5 -> 100 * (0.2 + 0.05) / 0.3 = 83.3.
    // P2: a meeting only, no activities, no customers: no component applies, so no score.
    expect(r.rows.map((x) => [x.key, x.score, x.content_depth])).toEqual([['P1', 83.3, 1], ['P2', null, null]]);
  });

  test('engagement --partner shows only that partner', async () => {
    expect(await runCli(['engagement', '--by', 'account', '--partner', 'P2', '--stored', '--json', '--db', db])).toBe(0);
    const r = JSON.parse(io.out) as { rows: { key: string }[] };
    expect(r.rows.map((x) => x.key)).toEqual(['A2']);
  });

  test('alerts --json lists none when there is too little history', async () => {
    expect(await runCli(['alerts', '--json', '--db', db])).toBe(0);
    expect((JSON.parse(io.out) as { alerts: unknown[] }).alerts).toEqual([]);
  });

  describe('failures', () => {
    test('predict engagement on two touches refuses in one line with the counts', async () => {
      expect(await runCli(['predict', 'engagement', '--db', db])).toBe(66);
      expect(io.err).toMatch(/^jointly: Too little data to predict engagement in the next 30 days: training has \d+ account-months/);
      expect(io.err.trim().split('\n')).toHaveLength(1);
    });

    test('an unknown --by is a usage error', async () => {
      expect(await runCli(['engagement', '--by', 'region', '--db', db])).toBe(2);
      expect(io.err).toMatch(/--by expects partner, activity, activity_type, account, got "region"/);
    });
  });
});
