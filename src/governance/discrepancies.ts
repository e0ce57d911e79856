/**
 * Discrepancies: a failed check or a partner's dispute opens one, with an owner, a status and a due
 * time from its service level (quality.yaml `service_levels`); once the due time passes unresolved
 * it is escalated (escalated_at set, escalate_to named) and the escalation is audited.
 */
import { JointlyError } from '../core/errors.js';
import { sql, type Warehouse } from '../warehouse/index.js';
import { recordAudit } from './audit.js';
import { loadQualityConfig, type QualityConfig, type Severity } from './quality-config.js';

export const DISCREPANCY_STATUSES = ['open', 'investigating', 'resolved', 'rejected'] as const;
export type DiscrepancyStatus = (typeof DISCREPANCY_STATUSES)[number];
export const DISCREPANCY_SOURCES = ['check', 'dispute', 'manual'] as const;
export type DiscrepancySource = (typeof DISCREPANCY_SOURCES)[number];

export type DiscrepancyRow = {
  discrepancy_id: number;
  source: DiscrepancySource;
  check_id: string | null;
  partner_id: string | null;
  title: string;
  severity: Severity;
  owner: string;
  status: DiscrepancyStatus;
  opened_by: string;
  opened_at: string;
  due_at: string;
  escalate_to: string | null;
  escalated_at: string | null;
  resolved_at: string | null;
  resolution: string | null;
  is_overdue: boolean;
};

export interface OpenDiscrepancy {
  source: DiscrepancySource;
  title: string;
  actor: string;
  severity?: Severity;
  checkId?: string;
  partnerId?: string;
  owner?: string;
  details?: Record<string, unknown>;
}

/**
 * Opens a discrepancy; owner and due time come from the service level of its source/severity.
 *
 * @example
 * await openDiscrepancy(wh, { source: 'dispute', partnerId: 'P001', title: 'Q3 payout misses deal O-77', actor: 'user:u_1' });
 */
export async function openDiscrepancy(wh: Warehouse, d: OpenDiscrepancy, cfg: QualityConfig = loadQualityConfig()): Promise<{ discrepancyId: number }> {
  if (!d.title.trim()) throw new JointlyError('BAD_ARGUMENT', 'A discrepancy needs a title saying what is wrong.');
  const severity: Severity = d.severity ?? 'error';
  const level = d.source === 'dispute' ? cfg.service_levels.dispute : cfg.service_levels[severity];
  const id = await wh.get<{ id: number }>(`select nextval('meta.discrepancy_seq')::integer as id`, 'sequence');
  await wh.run(sql`insert into meta.discrepancies
      (discrepancy_id, source, check_id, partner_id, title, details, severity, owner, status, opened_by, opened_at, due_at, escalate_to)
    values (${id.id}, ${d.source}, ${d.checkId ?? null}, ${d.partnerId ?? null}, ${d.title}, ${d.details ? JSON.stringify(d.details) : null}::json,
      ${severity}, ${d.owner ?? level.owner}, 'open', ${d.actor}, now(),
      now() + to_milliseconds((${level.respond_hours} * 3600000)::bigint), ${level.escalate_to ?? null})`);
  await recordAudit(wh, {
    actor: d.actor,
    action: 'discrepancy.open',
    target: `discrepancy:${id.id}`,
    details: { source: d.source, check_id: d.checkId, partner_id: d.partnerId, severity },
  });
  return { discrepancyId: id.id };
}

/**
 * Resolves (or rejects) an open discrepancy with a resolution note.
 *
 * @example
 * await resolveDiscrepancy(wh, { discrepancyId: 3, resolution: 'FX rate for EUR reloaded', actor: 'cli:ana' });
 */
export async function resolveDiscrepancy(
  wh: Warehouse,
  r: { discrepancyId: number; resolution: string; actor: string; status?: 'resolved' | 'rejected' },
): Promise<void> {
  const row = await wh.find<{ status: string }>(sql`select status from meta.discrepancies where discrepancy_id = ${r.discrepancyId}`);
  if (!row) throw new JointlyError('NOT_FOUND', `No discrepancy ${r.discrepancyId}. See \`jointly discrepancies list\`.`);
  if (row.status === 'resolved' || row.status === 'rejected') {
    throw new JointlyError('CONFLICT', `Discrepancy ${r.discrepancyId} is already ${row.status}.`);
  }
  if (!r.resolution.trim()) throw new JointlyError('BAD_ARGUMENT', 'Say how the discrepancy was resolved (--note).');
  const status = r.status ?? 'resolved';
  await wh.run(sql`update meta.discrepancies set status = ${status}, resolved_at = now(), resolution = ${r.resolution}
    where discrepancy_id = ${r.discrepancyId}`);
  await recordAudit(wh, { actor: r.actor, action: `discrepancy.${status === 'resolved' ? 'resolve' : 'reject'}`, target: `discrepancy:${r.discrepancyId}` });
}

/**
 * Escalates every unresolved discrepancy past its due time that is not escalated yet (one update);
 * returns the ids escalated now.
 *
 * @example
 * const ids = await escalateOverdue(wh, { actor: 'cli:ops' });
 */
export async function escalateOverdue(wh: Warehouse, opts: { actor: string; now?: string }): Promise<number[]> {
  const now = opts.now ?? null;
  const rows = await wh.all<{ discrepancy_id: number; escalate_to: string | null }>(sql`update meta.discrepancies
    set escalated_at = coalesce(${now}::timestamp, now()::timestamp)
    where status in ('open', 'investigating')
      and escalated_at is null
      and due_at < coalesce(${now}::timestamp, now()::timestamp)
    returning discrepancy_id, escalate_to`);
  const ids = rows.map((r) => r.discrepancy_id).sort((a, b) => a - b);
  if (ids.length) {
    await recordAudit(wh, { actor: opts.actor, action: 'discrepancy.escalate', details: { discrepancy_ids: ids } });
  }
  return ids;
}

/**
 * Lists discrepancies (newest first), optionally only unresolved ones or one partner's.
 *
 * @example
 * const open = await listDiscrepancies(wh, { status: 'unresolved' });
 */
export async function listDiscrepancies(
  wh: Warehouse,
  q: { status?: DiscrepancyStatus | 'unresolved'; partnerId?: string; now?: string } = {},
): Promise<DiscrepancyRow[]> {
  const status = q.status ?? null;
  return wh.all<DiscrepancyRow>(sql`select discrepancy_id, source, check_id, partner_id, title, severity, owner, status, opened_by,
      strftime(opened_at, '%Y-%m-%dT%H:%M:%SZ') as opened_at,
      strftime(due_at, '%Y-%m-%dT%H:%M:%SZ') as due_at,
      escalate_to,
      strftime(escalated_at, '%Y-%m-%dT%H:%M:%SZ') as escalated_at,
      strftime(resolved_at, '%Y-%m-%dT%H:%M:%SZ') as resolved_at,
      resolution,
      (status in ('open', 'investigating') and due_at < coalesce(${q.now ?? null}::timestamp, now()::timestamp)) as is_overdue
    from meta.discrepancies
    where (${status}::varchar is null
           or (${status} = 'unresolved' and status in ('open', 'investigating'))
           or status = ${status})
      and (${q.partnerId ?? null}::varchar is null or partner_id = ${q.partnerId ?? null})
    order by discrepancy_id desc`);
}
