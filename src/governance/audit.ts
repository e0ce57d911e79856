/**
 * The audit log: who did what, when, to which target. Append-only: this module offers no update or
 * delete, and every row carries the SHA-256 of the previous row's hash plus its own content, so an
 * edit or deletion made behind its back is found by `verifyAuditChain`.
 *
 * Personal data never enters the log: detail keys that name personal fields (email, phone, note,
 * token, secret, password, address, ip) and any string that looks like an email address or a raw
 * API token are replaced with "[redacted]" before writing.
 */
import { createHash } from 'node:crypto';
import { stableStringify } from '../core/config.js';
import { JointlyError } from '../core/errors.js';
import { raw, sql, type Warehouse } from '../warehouse/index.js';

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
}

const PERSONAL_KEYS = /^(e-?mail|email_address|phone|mobile|password|secret|token|raw_token|note|notes|address|ip|ip_address|user_agent|first_name|last_name|full_name)$/i;
const EMAIL_RE = /[^\s@]+@[^\s@]+\.[^\s@]+/;
const TOKEN_RE = /\bjt_[0-9a-f]{12}\.[A-Za-z0-9_-]{20,}/;

/** Removes personal data from audit details (see module header). */
export function redactDetails(value: unknown): unknown {
  if (typeof value === 'string') return EMAIL_RE.test(value) || TOKEN_RE.test(value) ? '[redacted]' : value;
  if (Array.isArray(value)) return value.map(redactDetails);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = PERSONAL_KEYS.test(k) ? '[redacted]' : redactDetails(v);
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

// One writer per warehouse at a time, so two concurrent calls cannot fork the hash chain.
const queues = new WeakMap<Warehouse, Promise<unknown>>();

function chainHash(prev: string | null, seq: number, at: string, e: { actor: string; action: string; target: string | null; details: string | null }): string {
  return createHash('sha256')
    .update(`${prev ?? ''}|${seq}|${at}|${e.actor}|${e.action}|${e.target ?? ''}|${e.details ?? ''}`)
    .digest('hex');
}

/**
 * Appends one entry to meta.audit_log. Never writes personal data (details are redacted).
 *
 * @example
 * await recordAudit(wh, { actor: 'user:u_1a2b', action: 'ingest.load', target: 'batch:7', details: { rows: 1200 } });
 */
export async function recordAudit(wh: Warehouse, entry: AuditEntry): Promise<void> {
  if (!entry.actor || !entry.action) {
    throw new JointlyError('BAD_ARGUMENT', 'An audit entry needs an actor and an action.');
  }
  const previous = queues.get(wh) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => append(wh, entry));
  queues.set(wh, next);
  await next;
}

async function append(wh: Warehouse, entry: AuditEntry): Promise<void> {
  const details = entry.details === undefined ? null : stableStringify(redactDetails(entry.details));
  const target = entry.target === undefined ? null : String(redactDetails(entry.target));
  const last = await wh.find<{ hash: string }>(`select hash from meta.audit_log order by seq desc limit 1`);
  const head = await wh.get<{ seq: string; at: string }>(
    `select nextval('meta.audit_seq')::varchar as seq, strftime(now()::timestamp, '%Y-%m-%dT%H:%M:%S.%f') as at`,
    'audit sequence missing',
  );
  const seq = Number(head.seq);
  const hash = chainHash(last?.hash ?? null, seq, head.at, { actor: entry.actor, action: entry.action, target, details });
  await wh.run(sql`insert into meta.audit_log (seq, recorded_at, actor, action, target, details, prev_hash, hash)
    values (${seq}, ${head.at}::timestamp, ${entry.actor}, ${entry.action}, ${target}, ${details}, ${last?.hash ?? null}, ${hash})`);
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  since?: string;
  limit?: number;
}

const AUDIT_LIST_SQL = `
select seq::integer as seq,
       strftime(recorded_at, '%Y-%m-%dT%H:%M:%S.%fZ') as at,
       actor,
       action,
       target,
       details::varchar as details
from meta.audit_log`;

/**
 * Lists audit entries, newest first.
 *
 * @example
 * const rows = await listAudit(wh, { action: 'retention.purge', limit: 20 });
 */
export async function listAudit(wh: Warehouse, query: AuditQuery = {}): Promise<AuditRow[]> {
  const rows = await wh.all<{ seq: number; at: string; actor: string; action: string; target: string | null; details: string | null }>(
    sql`${raw(AUDIT_LIST_SQL)}
    where (${query.actor ?? null}::varchar is null or actor = ${query.actor ?? null})
      and (${query.action ?? null}::varchar is null or action like ${query.action ?? null} || '%')
      and (${query.since ?? null}::timestamp is null or recorded_at >= ${query.since ?? null}::timestamp)
    order by seq desc
    limit ${query.limit ?? 100}`,
  );
  return rows.map((r) => ({ ...r, details: r.details === null ? null : (JSON.parse(r.details) as Record<string, unknown>) }));
}

/**
 * Recomputes the hash chain; returns the first sequence number whose row was changed, or whose
 * predecessor was removed, or undefined when the log is intact.
 *
 * @example
 * const broken = await verifyAuditChain(wh); // undefined when nobody edited the log
 */
export async function verifyAuditChain(wh: Warehouse): Promise<{ ok: true; rows: number } | { ok: false; seq: number; reason: string }> {
  const rows = await wh.all<{ seq: number; at: string; actor: string; action: string; target: string | null; details: string | null; prev_hash: string | null; hash: string }>(
    `select seq::integer as seq, strftime(recorded_at, '%Y-%m-%dT%H:%M:%S.%f') as at, actor, action, target,
            details::varchar as details, prev_hash, hash
     from meta.audit_log order by seq`,
  );
  let prev: string | null = null;
  for (const r of rows) {
    if (r.prev_hash !== prev) return { ok: false, seq: r.seq, reason: 'the previous entry was removed or changed' };
    if (chainHash(prev, r.seq, r.at, r) !== r.hash) return { ok: false, seq: r.seq, reason: 'the entry was changed' };
    prev = r.hash;
  }
  return { ok: true, rows: rows.length };
}
