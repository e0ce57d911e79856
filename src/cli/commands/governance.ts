/**
 * Governance commands: `jointly metrics`, `check`, `discrepancies`, `audit`, `retention-purge`,
 * `user`, `token` and `rebuild`. Thin: parse flags, call src/governance, print a table or JSON.
 * Every command that changes something is audited (by the governance functions or here), with the
 * actor `cli:<os user>` (or $JOINTLY_ACTOR).
 */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { JointlyError } from '../../core/errors.js';
import {
  CHECK_KINDS,
  DISCREPANCY_STATUSES,
  ROLES,
  SEVERITIES,
  auditConfigChanges,
  auditLoadsAndRuns,
  createToken,
  createUser,
  escalateOverdue,
  getUser,
  isRole,
  listAudit,
  listDiscrepancies,
  listMetrics,
  listReportStatus,
  listTokens,
  listUsers,
  loadQualityConfig,
  openDiscrepancy,
  purgeRetention,
  rebuildRun,
  recordAudit,
  resolveDiscrepancy,
  revokeToken,
  revokeUser,
  runChecks,
  verifyAuditChain,
  type CheckKind,
  type DiscrepancyStatus,
  type Severity,
} from '../../governance/index.js';
import { Warehouse } from '../../warehouse/index.js';
import { parseNumberOption, printJson, printTable, withDb } from '../output.js';

export const order = 80;

function actor(): string {
  const fromEnv = process.env['JOINTLY_ACTOR'];
  if (fromEnv) return fromEnv;
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}

async function withWarehouse<T>(db: string, fn: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await Warehouse.open(db);
  try {
    return await fn(wh);
  } finally {
    await wh.close();
  }
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new JointlyError('BAD_ARGUMENT', `--${name} expects one of ${allowed.join(', ')}, got "${value}".`);
  }
  return value as T;
}

function positiveInt(name: string, value: string): number {
  const n = parseNumberOption(name, value);
  if (n === undefined || !Number.isInteger(n) || n <= 0) throw new JointlyError('BAD_ARGUMENT', `${name} expects a positive whole number, got "${value}".`);
  return n;
}

export function register(program: Command): void {
  // jointly metrics
  program
    .command('metrics')
    .description('List the metric dictionary (config/metrics.yaml).')
    .option('--config <dir>', 'folder holding metrics.yaml')
    .option('--json', 'machine-readable output')
    .action((f: { config?: string; json?: boolean }) => {
      const metrics = listMetrics(f.config);
      if (f.json) printJson(metrics);
      else
        printTable(metrics, [
          { header: 'metric', value: (m) => m.name },
          { header: 'unit', value: (m) => m.unit },
          { header: 'grain', value: (m) => m.grain },
          { header: 'owner', value: (m) => m.owner },
          { header: 'approved', value: (m) => m.approved_at },
          { header: 'description', value: (m) => (m.description.length > 70 ? `${m.description.slice(0, 67)}...` : m.description) },
        ]);
    });

  // jointly check
  withDb(
    program
      .command('check')
      .description('Run the data quality checks; failing checks mark affected reports not current and open discrepancies.')
      .option('--config <dir>', 'folder holding quality.yaml')
      .option('--kind <kinds>', `only these kinds, comma-separated (${CHECK_KINDS.join(', ')})`)
      .option('--all', 'list passing checks too')
      .option('--fail-on-error', 'exit non-zero when a check fails')
      .option('--json', 'machine-readable output'),
  ).action(async (f: { db: string; config?: string; kind?: string; all?: boolean; failOnError?: boolean; json?: boolean }) => {
    const kinds = f.kind?.split(',').map((k) => oneOf<CheckKind>('kind', k.trim(), CHECK_KINDS) as CheckKind);
    await withWarehouse(f.db, async (wh) => {
      await auditConfigChanges(wh, { actor: actor(), ...(f.config ? { configDir: f.config } : {}) });
      await auditLoadsAndRuns(wh);
      const run = await runChecks(wh, { actor: actor(), ...(f.config ? { configDir: f.config } : {}), ...(kinds ? { kinds } : {}) });
      const reports = await listReportStatus(wh);
      if (f.json) {
        printJson({
          check_run_id: run.checkRunId,
          status: run.status,
          counts: run.counts,
          results: run.results.map((r) => ({
            check_id: r.checkId, kind: r.kind, table: r.table, column: r.column, status: r.status, severity: r.severity,
            observed: r.observed, threshold: r.threshold, message: r.message, affected_reports: r.affectedReports,
          })),
          reports: reports.map((r) => ({ report: r.report, is_current: r.is_current, reason: r.reason })),
          discrepancies: { opened: run.openedDiscrepancies, resolved: run.resolvedDiscrepancies, escalated: run.escalatedDiscrepancies },
        });
      } else {
        const shown = f.all ? run.results : run.results.filter((r) => r.status !== 'pass');
        if (shown.length) {
          printTable(shown, [
            { header: 'status', value: (r) => r.status.toUpperCase() },
            { header: 'check', value: (r) => r.checkId },
            { header: 'observed', value: (r) => r.observed },
            { header: 'threshold', value: (r) => r.threshold },
            { header: 'message', value: (r) => r.message },
          ]);
        }
        const c = run.counts;
        process.stdout.write(`check run ${run.checkRunId}: ${run.status.toUpperCase()} — ${c.pass} passed, ${c.warn} warnings, ${c.fail} failed, ${c.skip} skipped\n`);
        for (const r of reports.filter((x) => !x.is_current)) process.stdout.write(`report ${r.report} is NOT current: ${r.reason ?? ''}\n`);
        if (run.openedDiscrepancies.length) process.stdout.write(`opened discrepancies: ${run.openedDiscrepancies.join(', ')}\n`);
      }
      if (f.failOnError && run.status === 'fail') {
        throw new JointlyError('CONFLICT', `${run.counts.fail} data quality checks failed (check run ${run.checkRunId}).`);
      }
    });
  });

  // jointly report-status
  withDb(
    program
      .command('report-status')
      .description('Whether each report is current, as the last `jointly check` left it.')
      .option('--json', 'machine-readable output'),
  ).action(async (f: { db: string; json?: boolean }) => {
    await withWarehouse(f.db, async (wh) => {
      const rows = await listReportStatus(wh);
      if (f.json) printJson(rows);
      else
        printTable(rows, [
          { header: 'report', value: (r) => r.report },
          { header: 'current', value: (r) => (r.is_current ? 'yes' : 'NO') },
          { header: 'check run', value: (r) => r.check_run_id, align: 'right' },
          { header: 'reason', value: (r) => r.reason },
        ]);
    });
  });

  // jointly discrepancies [list|open|resolve]
  const disc = program.command('discrepancies').description('Discrepancies opened by failed checks or partner disputes.');
  withDb(
    disc
      .command('list', { isDefault: true })
      .description('List discrepancies (unresolved by default).')
      .option('--status <status>', `${DISCREPANCY_STATUSES.join(', ')} or all`)
      .option('--partner <id>', 'only one partner')
      .option('--json', 'machine-readable output'),
  ).action(async (f: { db: string; status?: string; partner?: string; json?: boolean }) => {
    const status = f.status === 'all' ? undefined : (oneOf<DiscrepancyStatus>('status', f.status, DISCREPANCY_STATUSES) ?? 'unresolved');
    await withWarehouse(f.db, async (wh) => {
      await escalateOverdue(wh, { actor: actor() });
      const rows = await listDiscrepancies(wh, { ...(status ? { status } : {}), ...(f.partner ? { partnerId: f.partner } : {}) });
      if (f.json) printJson(rows);
      else
        printTable(rows, [
          { header: 'id', value: (r) => r.discrepancy_id, align: 'right' },
          { header: 'status', value: (r) => (r.escalated_at && (r.status === 'open' || r.status === 'investigating') ? `${r.status} (escalated)` : r.status) },
          { header: 'source', value: (r) => r.source },
          { header: 'partner', value: (r) => r.partner_id },
          { header: 'owner', value: (r) => r.owner },
          { header: 'due', value: (r) => r.due_at },
          { header: 'title', value: (r) => (r.title.length > 80 ? `${r.title.slice(0, 77)}...` : r.title) },
        ]);
    });
  });
  withDb(
    disc
      .command('open')
      .description('Open a discrepancy by hand or for a partner dispute.')
      .requiredOption('--title <text>', 'what is wrong')
      .option('--partner <id>', 'the disputing partner (makes it a dispute)')
      .option('--owner <name>', 'owner (default: from the service level)')
      .option('--severity <s>', SEVERITIES.join(' or '))
      .option('--config <dir>', 'folder holding quality.yaml')
      .option('--json', 'machine-readable output'),
  ).action(async (f: { db: string; title: string; partner?: string; owner?: string; severity?: string; config?: string; json?: boolean }) => {
    const severity = oneOf<Severity>('severity', f.severity, SEVERITIES);
    await withWarehouse(f.db, async (wh) => {
      const { discrepancyId } = await openDiscrepancy(
        wh,
        {
          source: f.partner ? 'dispute' : 'manual',
          title: f.title,
          actor: actor(),
          ...(f.partner ? { partnerId: f.partner } : {}),
          ...(f.owner ? { owner: f.owner } : {}),
          ...(severity ? { severity } : {}),
        },
        loadQualityConfig(f.config),
      );
      if (f.json) printJson({ discrepancy_id: discrepancyId });
      else process.stdout.write(`opened discrepancy ${discrepancyId}\n`);
    });
  });
  withDb(
    disc
      .command('resolve <id>')
      .description('Resolve (or with --reject, reject) a discrepancy.')
      .requiredOption('--note <text>', 'how it was resolved')
      .option('--reject', 'the discrepancy was not a real problem')
      .option('--json', 'machine-readable output'),
  ).action(async (id: string, f: { db: string; note: string; reject?: boolean; json?: boolean }) => {
    const discrepancyId = positiveInt('id', id);
    await withWarehouse(f.db, async (wh) => {
      await resolveDiscrepancy(wh, { discrepancyId, resolution: f.note, actor: actor(), status: f.reject ? 'rejected' : 'resolved' });
      if (f.json) printJson({ discrepancy_id: discrepancyId, status: f.reject ? 'rejected' : 'resolved' });
      else process.stdout.write(`discrepancy ${discrepancyId} ${f.reject ? 'rejected' : 'resolved'}\n`);
    });
  });

  // jointly audit
  withDb(
    program
      .command('audit')
      .description('Show the append-only audit log (newest first); --verify checks its hash chain.')
      .option('--action <prefix>', 'only actions starting with this, e.g. retention.')
      .option('--actor <actor>', 'only this actor')
      .option('--since <time>', 'only entries at or after this time (ISO)')
      .option('--limit <n>', 'at most this many entries', '50')
      .option('--verify', 'recompute the hash chain and report the first altered entry')
      .option('--json', 'machine-readable output'),
  ).action(async (f: { db: string; action?: string; actor?: string; since?: string; limit: string; verify?: boolean; json?: boolean }) => {
    const limit = positiveInt('limit', f.limit);
    await withWarehouse(f.db, async (wh) => {
      if (f.verify) {
        const v = await verifyAuditChain(wh);
        if (f.json) printJson(v);
        else process.stdout.write(v.ok ? `audit log intact: ${v.rows} entries\n` : '');
        if (!v.ok) throw new JointlyError('INVARIANT_BROKEN', `The audit log was altered at entry ${v.seq}: ${v.reason}.`);
        return;
      }
      await auditLoadsAndRuns(wh);
      const rows = await listAudit(wh, { limit, ...(f.action ? { action: f.action } : {}), ...(f.actor ? { actor: f.actor } : {}), ...(f.since ? { since: f.since } : {}) });
      if (f.json) printJson(rows);
      else
        printTable(rows, [
          { header: 'seq', value: (r) => r.seq, align: 'right' },
          { header: 'at', value: (r) => r.at.replace(/\.\d+Z$/, 'Z') },
          { header: 'actor', value: (r) => r.actor },
          { header: 'action', value: (r) => r.action },
          { header: 'target', value: (r) => r.target },
          { header: 'details', value: (r) => (r.details ? JSON.stringify(r.details).slice(0, 90) : null) },
        ]);
    });
  });

  // jointly retention-purge
  withDb(
    program
      .command('retention-purge')
      .description("Delete partners' rows past their data-sharing agreement's retention; the audit log keeps the counts.")
      .option('--dry-run', 'only count what would be removed')
      .option('--config <dir>', 'folder holding sharing.yaml')
      .option('--json', 'machine-readable output'),
  ).action(async (f: { db: string; dryRun?: boolean; config?: string; json?: boolean }) => {
    await withWarehouse(f.db, async (wh) => {
      await auditConfigChanges(wh, { actor: actor(), ...(f.config ? { configDir: f.config } : {}) });
      const r = await purgeRetention(wh, { actor: actor(), dryRun: Boolean(f.dryRun), ...(f.config ? { configDir: f.config } : {}) });
      if (f.json) printJson({ dry_run: r.dryRun, as_of: r.asOf, total_rows: r.totalRows, removed: r.removed });
      else {
        if (r.removed.length)
          printTable(r.removed, [
            { header: 'table', value: (x) => x.table },
            { header: 'partner', value: (x) => x.partner_id },
            { header: 'retention days', value: (x) => x.retention_days, align: 'right' },
            { header: 'rows', value: (x) => x.rows, align: 'right' },
            { header: 'history rows', value: (x) => x.history_rows, align: 'right' },
          ]);
        process.stdout.write(`${r.dryRun ? 'would remove' : 'removed'} ${r.totalRows} rows past retention\n`);
      }
    });
  });

  // jointly user add|list|revoke
  const user = program.command('user').description('Users of the API and portal.');
  withDb(
    user
      .command('add')
      .description('Add a user; a partner user is bound to one partner.')
      .requiredOption('--name <name>', 'display name')
      .requiredOption('--role <role>', ROLES.join(', '))
      .option('--partner <id>', 'the partner a partner user is bound to')
      .option('--email <email>', 'stored only as a keyed hash')
      .option('--json', 'machine-readable output'),
  ).action(async (f: { db: string; name: string; role: string; partner?: string; email?: string; json?: boolean }) => {
    if (!isRole(f.role)) throw new JointlyError('BAD_ARGUMENT', `--role expects one of ${ROLES.join(', ')}, got "${f.role}".`);
    const role = f.role;
    await withWarehouse(f.db, async (wh) => {
      const { userId } = await createUser(wh, { name: f.name, role, ...(f.partner ? { partnerId: f.partner } : {}), ...(f.email ? { email: f.email } : {}) });
      await recordAudit(wh, { actor: actor(), action: 'user.add', target: `user:${userId}`, details: { role, partner_id: f.partner } });
      if (f.json) printJson({ user_id: userId, role, partner_id: f.partner ?? null });
      else process.stdout.write(`added user ${userId} (${role}${f.partner ? ` of partner ${f.partner}` : ''})\n`);
    });
  });
  withDb(user.command('list').description('List users.').option('--json', 'machine-readable output')).action(
    async (f: { db: string; json?: boolean }) => {
      await withWarehouse(f.db, async (wh) => {
        const rows = await listUsers(wh);
        if (f.json) printJson(rows);
        else
          printTable(rows, [
            { header: 'user', value: (r) => r.user_id },
            { header: 'name', value: (r) => r.name },
            { header: 'role', value: (r) => r.role },
            { header: 'partner', value: (r) => r.partner_id },
            { header: 'tokens', value: (r) => r.active_tokens, align: 'right' },
            { header: 'revoked', value: (r) => r.revoked_at },
          ]);
      });
    },
  );
  withDb(user.command('revoke <userId>').description('Revoke a user and all its tokens.').option('--json', 'machine-readable output')).action(
    async (userId: string, f: { db: string; json?: boolean }) => {
      await withWarehouse(f.db, async (wh) => {
        const { tokensRevoked } = await revokeUser(wh, userId);
        await recordAudit(wh, { actor: actor(), action: 'user.revoke', target: `user:${userId}`, details: { tokens_revoked: tokensRevoked } });
        if (f.json) printJson({ user_id: userId, tokens_revoked: tokensRevoked });
        else process.stdout.write(`revoked user ${userId} and ${tokensRevoked} tokens\n`);
      });
    },
  );

  // jointly token create|revoke|list
  const token = program.command('token').description('API tokens (shown once, stored hashed).');
  withDb(
    token
      .command('create')
      .description('Create a token for a user; it is printed once and cannot be shown again.')
      .requiredOption('--user <userId>', 'the user the token acts as')
      .option('--label <label>', 'what the token is for')
      .option('--json', 'machine-readable output'),
  ).action(async (f: { db: string; user: string; label?: string; json?: boolean }) => {
    await withWarehouse(f.db, async (wh) => {
      const u = await getUser(wh, f.user);
      const { tokenId, token: secret } = await createToken(wh, { userId: f.user, ...(f.label ? { label: f.label } : {}) });
      await recordAudit(wh, { actor: actor(), action: 'token.create', target: `token:${tokenId}`, details: { user_id: f.user, role: u.role } });
      if (f.json) printJson({ token_id: tokenId, user_id: f.user, token: secret });
      else process.stdout.write(`token ${tokenId} for ${f.user} (${u.role}); copy it now, it is not shown again:\n${secret}\n`);
    });
  });
  withDb(token.command('revoke <tokenId>').description('Revoke a token.').option('--json', 'machine-readable output')).action(
    async (tokenId: string, f: { db: string; json?: boolean }) => {
      await withWarehouse(f.db, async (wh) => {
        const id = tokenId.replace(/^jt_/, '').replace(/\..*$/, '');
        await revokeToken(wh, id);
        await recordAudit(wh, { actor: actor(), action: 'token.revoke', target: `token:${id}` });
        if (f.json) printJson({ token_id: id, revoked: true });
        else process.stdout.write(`revoked token ${id}\n`);
      });
    },
  );
  withDb(token.command('list').description('List tokens (never their secrets).').option('--user <userId>').option('--json', 'machine-readable output')).action(
    async (f: { db: string; user?: string; json?: boolean }) => {
      await withWarehouse(f.db, async (wh) => {
        const rows = await listTokens(wh, f.user);
        if (f.json) printJson(rows);
        else
          printTable(rows, [
            { header: 'token', value: (r) => r.token_id },
            { header: 'user', value: (r) => r.user_id },
            { header: 'label', value: (r) => r.label },
            { header: 'created', value: (r) => r.created_at },
            { header: 'revoked', value: (r) => r.revoked_at },
          ]);
      });
    },
  );

  // jointly rebuild RUN_ID
  withDb(
    program
      .command('rebuild <runId>')
      .description('Re-run a past attribution run from its recorded configuration hash and compare the credits.')
      .option('--config <dir>', 'folder holding the attribution.yaml of that time')
      .option('--json', 'machine-readable output'),
  ).action(async (runId: string, f: { db: string; config?: string; json?: boolean }) => {
    const id = positiveInt('runId', runId);
    await withWarehouse(f.db, async (wh) => {
      const r = await rebuildRun(wh, { runId: id, actor: actor(), ...(f.config ? { configDir: f.config } : {}) });
      if (f.json) {
        printJson({
          original_run_id: r.originalRunId, rebuilt_run_id: r.rebuiltRunId, model: r.model, config_hash: r.configHash,
          batches: r.batches, rows: r.rows, pipeline_total: r.pipelineTotal, revenue_total: r.revenueTotal, is_identical: r.isIdentical,
        });
      } else {
        process.stdout.write(
          `run ${r.originalRunId} (${r.model}) rebuilt as run ${r.rebuiltRunId}: ${r.isIdentical ? 'IDENTICAL' : `${r.rows.differing} credit rows DIFFER`}; ` +
            `pipeline ${r.pipelineTotal.original} -> ${r.pipelineTotal.rebuilt}, revenue ${r.revenueTotal.original} -> ${r.revenueTotal.rebuilt}; ` +
            `config hash ${r.configHash.recorded} matches; batches ${r.batches.matches ? 'match' : `changed (${r.batches.recorded.join(',')} -> ${r.batches.current.join(',')})`}\n`,
        );
      }
    });
  });
}
