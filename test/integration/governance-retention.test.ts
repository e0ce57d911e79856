import { describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../src/warehouse/index.js';
import { assertMetricsDefined, getMetric, listAudit, listMetrics, purgeRetention, rebuildRun } from '../../src/governance/index.js';
import { runAttribution } from '../../src/attribution/index.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'jointly-ret-'));
}

const SHARING = `
defaults:
  fields: [partner_id]
  metrics: [attributed_revenue]
  purposes: [partner_reporting]
  retention_days: { touchpoints: 365, feedback: 30 }
partners:
  P1:
    retention_days: { touchpoints: 30 }
  P3:
    retention_days: { feedback: 1000 }
`;

describe('retention purge', () => {
  test('removes exactly the rows past each partner agreement, in core and history, and audits counts only', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'sharing.yaml'), SHARING);
    const wh = await Warehouse.open(join(dir, 'r.duckdb'));
    // as of 2025-06-01: P1 keeps touches 30 days (cutoff 2025-05-02), P2 and P3 365 days (cutoff 2024-06-01).
    await wh.run(`
      insert into core.touchpoints (touchpoint_id, occurred_at, account_id, partner_id, channel, touch_type) values
        ('t1', '2025-05-20', 'A', 'P1', 'partner', 'click'),   -- P1, 12 days: kept
        ('t2', '2025-04-01', 'A', 'P1', 'partner', 'click'),   -- P1, 61 days: purged
        ('t3', '2024-07-01', 'A', 'P2', 'partner', 'click'),   -- P2, 335 days: kept
        ('t4', '2024-05-01', 'A', 'P2', 'partner', 'click'),   -- P2, 396 days: purged
        ('t5', '2020-01-01', 'A', null, 'paid', 'click');      -- no partner: never purged
      insert into core.touchpoints_history (touchpoint_id, occurred_at, account_id, partner_id, channel, touch_type) values
        ('t2', '2025-03-31', 'A', 'P1', 'partner', 'click'),   -- an older version of t2: purged
        ('t1', '2025-05-19', 'A', 'P1', 'partner', 'click');   -- kept
      insert into core.feedback (feedback_id, partner_id, submitted_at, note) values
        ('f1', 'P1', '2025-05-15', 'secret words'),            -- 17 days, default 30: kept
        ('f2', 'P1', '2025-04-15', 'secret words'),            -- 47 days: purged
        ('f3', 'P3', '2023-01-01', 'secret words');            -- P3 keeps feedback 1000 days: kept (882 days)
    `);
    const dry = await purgeRetention(wh, { actor: 'test', dryRun: true, configDir: dir, now: '2025-06-01T00:00:00' });
    const expected = [
      { table: 'touchpoints', partner_id: 'P1', retention_days: 30, rows: 1, history_rows: 1 },
      { table: 'touchpoints', partner_id: 'P2', retention_days: 365, rows: 1, history_rows: 0 },
      { table: 'feedback', partner_id: 'P1', retention_days: 30, rows: 1, history_rows: 0 },
    ];
    expect(dry.removed).toEqual(expected);
    expect(dry.totalRows).toBe(4);
    const left = async () => (await wh.all<{ id: string }>(`select touchpoint_id as id from core.touchpoints union all select 'h:' || touchpoint_id from core.touchpoints_history union all select feedback_id from core.feedback order by 1`)).map((r) => r.id);
    expect(await left()).toEqual(['f1', 'f2', 'f3', 'h:t1', 'h:t2', 't1', 't2', 't3', 't4', 't5']);
    const real = await purgeRetention(wh, { actor: 'test', configDir: dir, now: '2025-06-01T00:00:00' });
    expect(real.removed).toEqual(expected);
    expect(await left()).toEqual(['f1', 'f3', 'h:t1', 't1', 't3', 't5']);
    // Purging again finds nothing.
    expect((await purgeRetention(wh, { actor: 'test', configDir: dir, now: '2025-06-01T00:00:00' })).totalRows).toBe(0);
    const audit = await listAudit(wh, { action: 'retention.purge' });
    expect(audit.map((a) => a.action)).toEqual(['retention.purge', 'retention.purge', 'retention.purge.dry_run']);
    expect(JSON.stringify(audit)).not.toContain('secret words');
    expect(audit[1]?.details?.['total_rows']).toBe(4);
    await wh.close();
  });
});

describe('metric dictionary', () => {
  test('defines every metric the reports use, with owner and approval date', () => {
    const names = listMetrics().map((m) => m.name);
    for (const n of ['sourced_pipeline', 'influenced_pipeline', 'attributed_pipeline', 'attributed_revenue', 'win_rate_with_partner', 'win_rate_without_partner', 'median_days_to_close', 'average_deal_size', 'pipeline_velocity', 'time_to_revenue', 'cost_per_attributed_dollar', 'return_on_activity_cost', 'incremental_revenue', 'new_customers', 'engagement_score', 'payout_amount']) {
      expect(names).toContain(n);
    }
    expect(getMetric('attributed_revenue')).toMatchObject({ unit: 'currency', owner: 'Marketing Analytics' });
    expect(() => assertMetricsDefined(['attributed_revenue', 'vanity_clicks', 'mood'], { report: 'partners' })).toThrow(/Report partners shows metrics not defined in metrics\.yaml: vanity_clicks, mood/);
  });

  describe('failures', () => {
    test('a definition missing its owner or with a bad unit is refused naming file and key', () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'metrics.yaml'), 'metrics:\n  foo:\n    description: a long enough description\n    formula: sum(x)\n    unit: furlongs\n    grain: partner\n    approved_at: 2025-01-01\n');
      expect(() => listMetrics(dir)).toThrow(/metrics\.yaml: metrics\.foo\.unit: .*metrics\.foo\.owner/);
    });
  });
});

describe('reproducibility', () => {
  test('rebuilding a run with unchanged config and data gives identical credits; changed data is reported', async () => {
    const wh = await Warehouse.open(join(tempDir(), 'rb.duckdb'));
    await wh.run(`
      insert into core.partners (partner_id, name, partner_type, batch_id) values ('P1', 'Acme', 'reseller', 1);
      insert into core.accounts (account_id, name, batch_id) values ('A1', 'One', 1);
      insert into core.opportunities (opportunity_id, account_id, type, created_at, close_date, stage, is_closed, is_won, amount, amount_base, batch_id) values
        ('O1', 'A1', 'new_business', '2025-03-01', '2025-04-01', 'won', true, true, 1000.00, 1000.00, 1);
      insert into core.touchpoints (touchpoint_id, occurred_at, account_id, partner_id, channel, touch_type, batch_id) values
        ('T1', '2025-02-01', 'A1', 'P1', 'partner', 'referral', 1),
        ('T2', '2025-02-10', 'A1', null, 'paid', 'click', 1);
    `);
    const run = await runAttribution(wh, { model: 'linear' });
    const same = await rebuildRun(wh, { runId: run.run_id, actor: 'test' });
    expect([same.isIdentical, same.rows.differing, same.batches.matches, same.pipelineTotal]).toEqual([true, 0, true, { original: '1000.00', rebuilt: '1000.00' }]);
    await wh.run(`insert into core.touchpoints (touchpoint_id, occurred_at, account_id, channel, touch_type, batch_id) values ('T3', '2025-02-20', 'A1', 'organic', 'visit', 2)`);
    const changed = await rebuildRun(wh, { runId: run.run_id, actor: 'test' });
    expect([changed.isIdentical, changed.batches]).toEqual([false, { recorded: [1], current: [1, 2], matches: false }]);
    // 2 touches x 2 purposes before, 3 x 2 after: every credit moved (500.00 -> 333.34/333.33/333.33).
    expect(changed.rows).toEqual({ original: 4, rebuilt: 6, differing: 6 });
    await expect(rebuildRun(wh, { runId: 999, actor: 'test' })).rejects.toThrow(/No run 999/);
    await wh.close();
  });
});
