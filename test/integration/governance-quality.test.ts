import { describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../src/warehouse/index.js';
import {
  listDiscrepancies,
  listReportStatus,
  openDiscrepancy,
  parseQualityConfig,
  resolveDiscrepancy,
  runChecks,
  escalateOverdue,
  auditLoadsAndRuns,
  listAudit,
  type CheckRunSummary,
} from '../../src/governance/index.js';
import { writeCreditRows } from '../../src/attribution/index.js';

const cfg = parseQualityConfig({
  service_levels: {
    error: { owner: 'Data Eng', respond_hours: 24, escalate_to: 'Head of RevOps' },
    warning: { owner: 'Data Eng', respond_hours: 72 },
    dispute: { owner: 'Partner Ops', respond_hours: 120, escalate_to: 'Finance' },
  },
  freshness: [{ table: 'opportunities', max_age_hours: 48 }, { table: 'revenue', max_age_hours: 48 }],
  completeness: { rules: [{ table: 'touchpoints', any_of: ['account_id', 'contact_id'] }] },
  distribution: { severity: 'error', max_row_count_change_pct: 50, max_mean_change_pct: 30, max_median_change_pct: 30, columns: { opportunities: 'amount_base' } },
  reconciliation: { tables: ['opportunities', 'revenue'] },
  reports: { attribution: ['opportunities', 'touchpoints', 'partners', 'model.credits'], payouts: ['revenue', 'model.credits'], engagement: ['feedback'] },
});

const NOW = '2025-06-02T00:00:00';

/** A small clean warehouse: two loads, file totals recorded, one attribution run that reconciles. */
async function cleanWarehouse(): Promise<Warehouse> {
  const wh = await Warehouse.open(join(mkdtempSync(join(tmpdir(), 'jointly-q-')), 'q.duckdb'));
  await wh.run(`
    insert into meta.batches values
      (1, '2025-06-01 10:00', '2025-06-01 10:05', 'succeeded', 'test', null),
      (2, '2025-06-01 20:00', '2025-06-01 20:05', 'succeeded', 'test', null);
    insert into core.partners (partner_id, name, partner_type, batch_id, source_file) values
      ('P001', 'Acme', 'reseller', 1, 'partners.csv'), ('P002', 'Beta', 'referral', 1, 'partners.csv');
    insert into core.accounts (account_id, name, batch_id) values ('A1', 'One', 1), ('A2', 'Two', 1), ('A3', 'Three', 2);
    insert into core.contacts (contact_id, account_id, batch_id) values ('C1', 'A2', 1);
    insert into core.opportunities (opportunity_id, account_id, type, created_at, stage, is_closed, is_won, amount, amount_base, currency, batch_id, source_file) values
      ('O1', 'A1', 'new_business', '2025-01-01', 'won', true, true, 1000.00, 1000.00, 'USD', 1, 'opps1.csv'),
      ('O2', 'A2', 'new_business', '2025-01-02', 'open', false, false, 2000.00, 2000.00, 'USD', 1, 'opps1.csv'),
      ('O3', 'A3', 'expansion', '2025-02-01', 'won', true, true, 1100.00, 1100.00, 'USD', 2, 'opps2.csv'),
      ('O4', 'A1', 'new_business', '2025-02-02', 'open', false, false, 1900.00, 1900.00, 'USD', 2, 'opps2.csv');
    insert into core.revenue (revenue_id, account_id, opportunity_id, period_start, period_end, amount, amount_base, kind, batch_id, source_file) values
      ('R1', 'A1', 'O1', '2025-02-01', '2025-02-28', 83.33, 83.33, 'new', 2, 'revenue.csv');
    insert into core.touchpoints (touchpoint_id, occurred_at, account_id, contact_id, partner_id, channel, touch_type, batch_id) values
      ('T1', '2024-12-20', 'A1', null, 'P001', 'partner', 'referral', 1),
      ('T2', '2025-01-01', null, 'C1', null, 'paid', 'click', 1);
    insert into meta.batch_files values
      (1, 'partners.csv', 'partners', 'csv', null, 2, 2, 0, 0, 0, null),
      (1, 'opps1.csv', 'opportunities', 'csv', null, 2, 2, 0, 0, 0, 3000.00),
      (2, 'opps2.csv', 'opportunities', 'csv', null, 2, 2, 0, 0, 0, 3000.00),
      (2, 'revenue.csv', 'revenue', 'csv', null, 1, 1, 0, 0, 0, 83.33);
    insert into meta.runs (run_id, kind, model, started_at, status) values (1, 'attribution', 'linear', '2025-06-01 21:00', 'succeeded');
  `);
  await writeCreditRows(wh, `select * from (values
      (1, 'O1', 'pipeline', 'T1', 'P001', 1, 1000.00, 0, 'linear'),
      (1, 'O1', 'revenue', 'T1', 'P001', 1, 0, 1000.00, 'linear'),
      (1, 'O2', 'pipeline', 'T2', null, 1, 2000.00, 0, 'linear'),
      (1, 'O3', 'pipeline', null, null, 1, 1100.00, 0, 'unattributed'),
      (1, 'O3', 'revenue', null, null, 1, 0, 1100.00, 'unattributed'),
      (1, 'O4', 'pipeline', null, null, 0.5, 950.00, 0, 'unattributed'),
      (1, 'O4', 'pipeline', null, null, 0.5, 950.00, 0, 'unattributed')
    ) v(run_id, opportunity_id, purpose, touchpoint_id, partner_id, weight, pipeline_credit, revenue_credit, rule)`);
  return wh;
}

const failing = (run: CheckRunSummary) => run.results.filter((r) => r.status !== 'pass' && r.status !== 'skip').map((r) => r.checkId);

describe('data quality checks', () => {
  test('every check passes on clean data and every report is current', async () => {
    const wh = await cleanWarehouse();
    const run = await runChecks(wh, { actor: 'test', config: cfg, now: NOW });
    expect(failing(run)).toEqual([]);
    expect(run.status).toBe('pass');
    expect(run.results.filter((r) => r.status === 'skip').map((r) => r.checkId)).toEqual([]);
    expect(run.results.find((r) => r.checkId === 'reconciliation:attributed_vs_booked')?.message).toContain('credited pipeline 6000.00 vs booked 6000.00');
    expect((await listReportStatus(wh)).map((r) => [r.report, r.is_current])).toEqual([['attribution', true], ['engagement', true], ['payouts', true]]);
    expect(await listDiscrepancies(wh)).toEqual([]);
    await wh.close();
  });

  const breakages: [string, string, string[]][] = [
    ['freshness: no load for too long', '', ['freshness:opportunities', 'freshness:revenue']],
    ['completeness: a required field emptied', `update core.opportunities set stage = '' where opportunity_id = 'O2'`, ['completeness:opportunities.stage']],
    ['completeness: a touch with neither account nor contact', `update core.touchpoints set contact_id = null where touchpoint_id = 'T2'`, ['completeness:touchpoints.account_id|contact_id']],
    ['uniqueness: a key on two rows', `insert into core.partners (partner_id, name, partner_type, batch_id) values ('P001', 'Acme again', 'reseller', 1)`, ['uniqueness:partners']],
    ['referential integrity: a touch of an unknown partner', `update core.touchpoints set partner_id = 'P999' where touchpoint_id = 'T1'`, ['referential_integrity:touchpoints.partner_id']],
    ['distribution: the latest load is ten times the previous', `update core.opportunities set amount_base = amount_base * 10 where batch_id = 2; update meta.batch_files set amount_total_base = 30000 where file = 'opps2.csv'`, ['distribution:opportunities.amount_base.mean', 'distribution:opportunities.amount_base.median', 'reconciliation:attributed_vs_booked']],
    ['distribution: the latest load has far fewer rows', `update meta.batch_files set rows_in = 200, loaded = 200 where file = 'opps1.csv'`, ['distribution:opportunities.rows']],
    ['reconciliation: a row lost after the load', `delete from model.credit_rows where opp_key in (select row_key from core.opportunities where opportunity_id = 'O4'); delete from core.opportunities where opportunity_id = 'O4'`, ['reconciliation:opportunities.files']],
    ['reconciliation: an opportunity changed after the attribution run', `update core.opportunities set amount_base = 1200, amount = 1200 where opportunity_id = 'O1'`, ['reconciliation:attributed_vs_booked']],
  ];

  for (const [name, breakSql, expected] of breakages) {
    test(`fails on broken data: ${name}`, async () => {
      const wh = await cleanWarehouse();
      if (breakSql) await wh.run(breakSql);
      const run = await runChecks(wh, { actor: 'test', config: cfg, now: breakSql ? NOW : '2025-06-09T00:00:00' });
      expect(failing(run)).toEqual(expected);
      expect(run.status).toBe('fail');
      await wh.close();
    });
  }

  test('a failing check marks the reports reading its table as not current, opens a discrepancy, and both clear when fixed', async () => {
    const wh = await cleanWarehouse();
    await wh.run(`update core.touchpoints set partner_id = 'P999' where touchpoint_id = 'T1'`);
    const bad = await runChecks(wh, { actor: 'test', config: cfg, now: NOW });
    expect(bad.staleReports).toEqual([{ report: 'attribution', reason: 'failed checks: referential_integrity:touchpoints.partner_id' }]);
    expect((await listReportStatus(wh)).map((r) => [r.report, r.is_current])).toEqual([['attribution', false], ['engagement', true], ['payouts', true]]);
    const open = await listDiscrepancies(wh, { status: 'unresolved' });
    expect(open.map((d) => [d.check_id, d.owner, d.status, d.escalate_to])).toEqual([['referential_integrity:touchpoints.partner_id', 'Data Eng', 'open', 'Head of RevOps']]);
    // Running again does not open a second discrepancy for the same failure.
    const again = await runChecks(wh, { actor: 'test', config: cfg, now: NOW });
    expect(again.openedDiscrepancies).toEqual([]);
    await wh.run(`update core.touchpoints set partner_id = 'P001' where touchpoint_id = 'T1'`);
    const fixed = await runChecks(wh, { actor: 'test', config: cfg, now: NOW });
    expect(fixed.resolvedDiscrepancies).toEqual([open[0]?.discrepancy_id]);
    expect((await listReportStatus(wh)).every((r) => r.is_current)).toBe(true);
    const stored = await wh.all(`select check_run_id, count(*)::integer as n, count(*) filter (where status = 'fail')::integer as failed from meta.check_results group by 1 order by 1`);
    expect(stored.map((r) => r['failed'])).toEqual([1, 1, 0]);
    await wh.close();
  });
});

describe('audit of loads and runs', () => {
  test('every finished load and model run gets one audit entry, once', async () => {
    const wh = await cleanWarehouse();
    expect(await auditLoadsAndRuns(wh)).toEqual({ batches: 2, runs: 0 });
    await wh.run(`update meta.runs set finished_at = '2025-06-01 21:01' where run_id = 1`);
    expect(await auditLoadsAndRuns(wh)).toEqual({ batches: 0, runs: 1 });
    expect(await auditLoadsAndRuns(wh)).toEqual({ batches: 0, runs: 0 });
    const rows = await listAudit(wh, {});
    expect(rows.map((r) => [r.actor, r.action, r.target])).toEqual([['system', 'model.run', 'run:1'], ['test', 'ingest.load', 'batch:2'], ['test', 'ingest.load', 'batch:1']]);
    expect(rows[2]?.details).toEqual({ status: 'succeeded', files: 2, rows_in: 4, rows_written: 4, quarantined: 0 });
    await wh.close();
  });
});

describe('discrepancies', () => {
  test('a dispute gets the dispute service level, is escalated once overdue, and can be resolved', async () => {
    const wh = await cleanWarehouse();
    const { discrepancyId } = await openDiscrepancy(wh, { source: 'dispute', partnerId: 'P001', title: 'Q2 payout misses O1', actor: 'user:u_p1' }, cfg);
    const [d] = await listDiscrepancies(wh, { partnerId: 'P001' });
    expect([d?.owner, d?.escalate_to, d?.status]).toEqual(['Partner Ops', 'Finance', 'open']);
    const due = new Date(`${d?.due_at}`).getTime() - new Date(`${d?.opened_at}`).getTime();
    expect(due).toBe(120 * 3600 * 1000);
    expect(await escalateOverdue(wh, { actor: 'test', now: '2000-01-01T00:00:00' })).toEqual([]);
    const later = new Date(Date.now() + 121 * 3600 * 1000).toISOString().replace('Z', '');
    expect(await escalateOverdue(wh, { actor: 'test', now: later })).toEqual([discrepancyId]);
    expect(await escalateOverdue(wh, { actor: 'test', now: later })).toEqual([]);
    await resolveDiscrepancy(wh, { discrepancyId, resolution: 'O1 added to the Q2 statement', actor: 'user:u_fin' });
    expect((await listDiscrepancies(wh, { status: 'unresolved' })).length).toBe(0);
    await expect(resolveDiscrepancy(wh, { discrepancyId, resolution: 'again', actor: 'x' })).rejects.toThrow(/already resolved/);
    await wh.close();
  });

  describe('failures', () => {
    test('a quality config naming an unknown column is refused with its key', () => {
      expect(() => parseQualityConfig({ ...cfg, completeness: { rules: [{ table: 'touchpoints', any_of: ['acount_id'] }] } })).toThrow(
        /quality\.yaml: completeness\.rules\.0\.any_of\.0: expected a column of touchpoints/,
      );
    });
  });
});
