/**
 * `jointly check`: runs every data quality check, stores the results, marks reports whose inputs
 * failed a check as not current (meta.report_status) and, once everything passes again, current;
 * opens a discrepancy per new failure or warning, closes those of checks that pass again, escalates
 * overdue ones, and writes one audit entry.
 */
import { configHash } from '../core/config.js';
import { sql, type Sql, type Warehouse } from '../warehouse/index.js';
import { recordAudit } from './audit.js';
import {
  checkCompleteness,
  checkDistribution,
  checkFreshness,
  checkReconciliation,
  checkReferentialIntegrity,
  checkUniqueness,
  type CheckKind,
  type CheckResult,
} from './checks.js';
import { escalateOverdue, openDiscrepancy } from './discrepancies.js';
import { loadQualityConfig, type QualityConfig } from './quality-config.js';

export interface CheckRunResult extends CheckResult {
  affectedReports: string[];
}

export interface CheckRunSummary {
  checkRunId: number;
  status: 'pass' | 'warn' | 'fail';
  counts: { pass: number; warn: number; fail: number; skip: number };
  staleReports: { report: string; reason: string }[];
  openedDiscrepancies: number[];
  resolvedDiscrepancies: number[];
  escalatedDiscrepancies: number[];
  results: CheckRunResult[];
}

export interface RunChecksOptions {
  actor: string;
  configDir?: string;
  /** Overrides the loaded quality.yaml (tests, API). */
  config?: QualityConfig;
  /** The time freshness and escalation are measured against (ISO); default now. */
  now?: string;
  kinds?: readonly CheckKind[];
}

function join(parts: Sql[], sep: string): Sql {
  return parts.reduce((acc, p, i) => (i === 0 ? p : sql`${acc}${{ text: sep, values: [] }}${p}`), sql``);
}

/**
 * Runs the checks and records everything; see the module header.
 *
 * @example
 * const run = await runChecks(wh, { actor: 'cli:ana' });
 * if (run.status === 'fail') console.log(run.staleReports);
 */
export async function runChecks(wh: Warehouse, opts: RunChecksOptions): Promise<CheckRunSummary> {
  const cfg = opts.config ?? loadQualityConfig(opts.configDir);
  // The warehouse's clock, in the same time zone as the timestamps ingest and runs write with now().
  const now = opts.now ?? (await wh.get<{ t: string }>(`select strftime(now()::timestamp, '%Y-%m-%dT%H:%M:%S.%f') as t`, 'clock')).t;
  const want = (k: CheckKind) => !opts.kinds || opts.kinds.includes(k);
  const results: CheckResult[] = [];
  if (want('freshness')) results.push(...(await checkFreshness(wh, cfg, now)));
  if (want('completeness')) results.push(...(await checkCompleteness(wh, cfg)));
  if (want('uniqueness')) results.push(...(await checkUniqueness(wh, cfg)));
  if (want('referential_integrity')) results.push(...(await checkReferentialIntegrity(wh, cfg)));
  if (want('distribution')) results.push(...(await checkDistribution(wh, cfg)));
  if (want('reconciliation')) results.push(...(await checkReconciliation(wh, cfg)));

  const withReports: CheckRunResult[] = results.map((r) => ({
    ...r,
    affectedReports: Object.entries(cfg.reports)
      .filter(([, inputs]) => r.table !== null && inputs.includes(r.table))
      .map(([name]) => name)
      .sort(),
  }));
  const counts = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of withReports) counts[r.status] += 1;
  const status = counts.fail ? 'fail' : counts.warn ? 'warn' : 'pass';
  const stale = new Map<string, string[]>();
  for (const r of withReports.filter((x) => x.status === 'fail')) {
    for (const rep of r.affectedReports) stale.set(rep, [...(stale.get(rep) ?? []), r.checkId]);
  }
  const staleReports = [...stale.entries()]
    .map(([report, ids]) => ({ report, reason: `failed checks: ${ids.join(', ')}` }))
    .sort((a, b) => a.report.localeCompare(b.report));

  const checkRunId = (await wh.get<{ id: number }>(`select nextval('meta.check_run_seq')::integer as id`, 'sequence')).id;
  await wh.transaction(async (tx) => {
    await tx.run(sql`insert into meta.check_runs (check_run_id, started_at, finished_at, status, n_pass, n_warn, n_fail, n_skip, config_hash, actor)
      values (${checkRunId}, ${now}::timestamp, now(), ${status}, ${counts.pass}, ${counts.warn}, ${counts.fail}, ${counts.skip}, ${configHash(cfg)}, ${opts.actor})`);
    if (withReports.length) {
      const rows = withReports.map(
        (r) => sql`(${checkRunId}, ${r.checkId}, ${r.kind}, ${r.table}, ${r.column}, ${r.status}, ${r.severity}, ${r.observed}, ${r.threshold}, ${r.message},
          case when ${r.affectedReports.join(',')} = '' then []::varchar[] else string_split(${r.affectedReports.join(',')}, ',') end)`,
      );
      await tx.run(sql`insert into meta.check_results values ${join(rows, ', ')}`);
    }
    const reports = Object.keys(cfg.reports).sort();
    if (reports.length) {
      const rows = reports.map((rep) => {
        const reason = stale.get(rep);
        return sql`(${rep}, ${reason === undefined}, ${reason ? `failed checks: ${reason.join(', ')}` : null}, ${checkRunId}, now())`;
      });
      await tx.run(sql`insert or replace into meta.report_status (report, is_current, reason, check_run_id, updated_at) values ${join(rows, ', ')}`);
    }
  });

  // Discrepancies: one unresolved per failing check; checks that pass again close theirs.
  const unresolved = await wh.all<{ discrepancy_id: number; check_id: string }>(
    `select discrepancy_id, check_id from meta.discrepancies where source = 'check' and status in ('open', 'investigating')`,
  );
  const openFor = new Map(unresolved.map((u) => [u.check_id, u.discrepancy_id]));
  const openedDiscrepancies: number[] = [];
  for (const r of withReports.filter((x) => (x.status === 'fail' || x.status === 'warn') && !openFor.has(x.checkId))) {
    const { discrepancyId } = await openDiscrepancy(
      wh,
      { source: 'check', checkId: r.checkId, severity: r.severity, title: r.message, actor: opts.actor, details: { check_run_id: checkRunId, observed: r.observed, threshold: r.threshold } },
      cfg,
    );
    openedDiscrepancies.push(discrepancyId);
  }
  const passing = new Set(withReports.filter((x) => x.status === 'pass').map((x) => x.checkId));
  const resolvedDiscrepancies = unresolved.filter((u) => passing.has(u.check_id)).map((u) => u.discrepancy_id).sort((a, b) => a - b);
  if (resolvedDiscrepancies.length) {
    await wh.run(sql`update meta.discrepancies
      set status = 'resolved', resolved_at = now(), resolution = ${`check passed again in check run ${checkRunId}`}
      where discrepancy_id in (select unnest(string_split(${resolvedDiscrepancies.join(',')}, ','))::integer)`);
  }
  const escalatedDiscrepancies = await escalateOverdue(wh, { actor: opts.actor, now });
  await recordAudit(wh, {
    actor: opts.actor,
    action: 'quality.check',
    target: `check_run:${checkRunId}`,
    details: { status, counts, stale_reports: staleReports.map((s) => s.report), opened: openedDiscrepancies, resolved: resolvedDiscrepancies },
  });
  return { checkRunId, status, counts, staleReports, openedDiscrepancies, resolvedDiscrepancies, escalatedDiscrepancies, results: withReports };
}

export type ReportStatusRow = { report: string; is_current: boolean; reason: string | null; check_run_id: number | null; updated_at: string };

/**
 * Whether each report is current (the API and dashboard show a "not current" banner otherwise).
 *
 * @example
 * const status = await listReportStatus(wh); // [{ report: 'attribution', is_current: false, reason: 'failed checks: ...' }]
 */
export async function listReportStatus(wh: Warehouse): Promise<ReportStatusRow[]> {
  return wh.all<ReportStatusRow>(`select report, is_current, reason, check_run_id,
      strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') as updated_at
    from meta.report_status order by report`);
}

/** One report's status, or undefined when no check run has covered it yet. */
export async function findReportStatus(wh: Warehouse, report: string): Promise<ReportStatusRow | undefined> {
  return (await listReportStatus(wh)).find((r) => r.report === report);
}
