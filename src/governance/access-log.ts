/**
 * Unusual access: every read a token makes through the API is logged with its row count; a read is
 * flagged when it is far above the token's usual volume (more than `volumeFactor` times its median
 * and above `minRows`, once it has `minHistory` earlier reads) or when it asks for a partner scope
 * the principal does not hold. Reads of partner data and flags go to the audit log.
 */
import { sql, type Warehouse } from '../warehouse/index.js';
import { recordAudit } from './audit.js';
import type { Principal } from './roles.js';

export interface AccessThresholds {
  volumeFactor: number;
  minRows: number;
  minHistory: number;
}

export const DEFAULT_ACCESS_THRESHOLDS: AccessThresholds = { volumeFactor: 10, minRows: 1000, minHistory: 5 };

export type AccessFlagReason = 'volume' | 'scope';

const BASELINE_SQL = `
select count(*)::integer as n,
       coalesce(quantile_cont(rows_read, 0.5), 0)::double as median
from meta.access_log
where token_id = $1
  and not is_flagged`;

/**
 * Logs one read and says whether it is unusual. Call it after every API read.
 *
 * @example
 * const { flagged, reasons } = await flagUnusualAccess(wh, principal, { rowsRead: rows.length, partnerId });
 */
export async function flagUnusualAccess(
  wh: Warehouse,
  principal: Principal,
  read: { rowsRead: number; partnerId?: string },
  thresholds: AccessThresholds = DEFAULT_ACCESS_THRESHOLDS,
): Promise<{ flagged: boolean; reasons: AccessFlagReason[]; baselineMedian: number }> {
  const reasons: AccessFlagReason[] = [];
  if (read.partnerId !== undefined && principal.role === 'partner' && read.partnerId !== principal.partnerId) {
    reasons.push('scope');
  }
  const base = await wh.get<{ n: number; median: number }>(
    { text: BASELINE_SQL, values: [principal.tokenId] },
    'baseline',
  );
  if (
    base.n >= thresholds.minHistory &&
    read.rowsRead >= thresholds.minRows &&
    read.rowsRead > thresholds.volumeFactor * Math.max(base.median, 1)
  ) {
    reasons.push('volume');
  }
  const flagged = reasons.length > 0;
  await wh.run(sql`insert into meta.access_log (accessed_at, token_id, user_id, role, partner_id, rows_read, is_flagged, reasons)
    values (now(), ${principal.tokenId}, ${principal.userId}, ${principal.role}, ${read.partnerId ?? null},
            ${Math.round(read.rowsRead)}, ${flagged}, case when ${flagged} then string_split(${reasons.join(',')}, ',') end)`);
  const actor = `user:${principal.userId}`;
  if (read.partnerId !== undefined) {
    await recordAudit(wh, { actor, action: 'access.partner_data', target: `partner:${read.partnerId}`, details: { rows: read.rowsRead, token_id: principal.tokenId } });
  }
  if (flagged) {
    await recordAudit(wh, {
      actor,
      action: 'access.flagged',
      target: read.partnerId === undefined ? undefined : `partner:${read.partnerId}`,
      details: { reasons, rows: read.rowsRead, baseline_median: base.median, token_id: principal.tokenId },
    });
  }
  return { flagged, reasons, baselineMedian: base.median };
}

export interface AccessRead {
  principal: Principal;
  rowsRead: number;
  partnerId?: string | undefined;
}

const ACCESS_ROW_TYPE =
  '[{"token_id":"VARCHAR","user_id":"VARCHAR","role":"VARCHAR","partner_id":"VARCHAR","rows_read":"BIGINT","is_flagged":"BOOLEAN","reasons":"VARCHAR[]"}]';

const BASELINES_SQL = `
select token_id, count(*)::integer as n, coalesce(quantile_cont(rows_read, 0.5), 0)::double as median
from meta.access_log
where list_contains(from_json($1, '["VARCHAR"]'), token_id)
  and not is_flagged
group by token_id`;

/**
 * Logs many reads at once, set-wise: the same flags as `flagUnusualAccess` (against each token's
 * baseline before the batch), one insert for all rows, one audit entry per user, token and
 * partner whose data was read (with the number of reads and rows) and one per flagged read. The
 * API buffers its reads and calls this every few hundred milliseconds, so logging costs a few
 * statements per batch instead of five per request.
 *
 * @example
 * await flagUnusualAccessBatch(wh, [{ principal, rowsRead: 12, partnerId: 'P001' }, { principal, rowsRead: 3 }]);
 */
export async function flagUnusualAccessBatch(
  wh: Warehouse,
  reads: readonly AccessRead[],
  thresholds: AccessThresholds = DEFAULT_ACCESS_THRESHOLDS,
): Promise<{ flagged: number }> {
  if (reads.length === 0) return { flagged: 0 };
  const tokens = [...new Set(reads.map((r) => r.principal.tokenId))];
  const base = new Map(
    (await wh.all<{ token_id: string; n: number; median: number }>({ text: BASELINES_SQL, values: [JSON.stringify(tokens)] })).map((b) => [b.token_id, b]),
  );
  const rows = reads.map((r) => {
    const reasons: AccessFlagReason[] = [];
    if (r.partnerId !== undefined && r.principal.role === 'partner' && r.partnerId !== r.principal.partnerId) reasons.push('scope');
    const b = base.get(r.principal.tokenId) ?? { n: 0, median: 0 };
    if (b.n >= thresholds.minHistory && r.rowsRead >= thresholds.minRows && r.rowsRead > thresholds.volumeFactor * Math.max(b.median, 1)) {
      reasons.push('volume');
    }
    return {
      read: r,
      baselineMedian: b.median,
      row: {
        token_id: r.principal.tokenId, user_id: r.principal.userId, role: r.principal.role, partner_id: r.partnerId ?? null,
        rows_read: Math.round(r.rowsRead), is_flagged: reasons.length > 0, reasons: reasons.length ? reasons : null,
      },
    };
  });
  await wh.run(sql`insert into meta.access_log (accessed_at, token_id, user_id, role, partner_id, rows_read, is_flagged, reasons)
    select now(), e.token_id, e.user_id, e.role, e.partner_id, e.rows_read, e.is_flagged, e.reasons
    from (select unnest(from_json(${JSON.stringify(rows.map((x) => x.row))}, ${ACCESS_ROW_TYPE}), recursive := true)) e`);
  const groups = new Map<string, { actor: string; partnerId: string; tokenId: string; reads: number; rows: number }>();
  for (const { read } of rows) {
    if (read.partnerId === undefined) continue;
    const key = JSON.stringify([read.principal.userId, read.principal.tokenId, read.partnerId]);
    const g = groups.get(key) ?? { actor: `user:${read.principal.userId}`, partnerId: read.partnerId, tokenId: read.principal.tokenId, reads: 0, rows: 0 };
    g.reads += 1;
    g.rows += read.rowsRead;
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    await recordAudit(wh, { actor: g.actor, action: 'access.partner_data', target: `partner:${g.partnerId}`, details: { reads: g.reads, rows: g.rows, token_id: g.tokenId } });
  }
  const flagged = rows.filter((x) => x.row.is_flagged);
  for (const f of flagged) {
    await recordAudit(wh, {
      actor: `user:${f.read.principal.userId}`,
      action: 'access.flagged',
      target: f.read.partnerId === undefined ? undefined : `partner:${f.read.partnerId}`,
      details: { reasons: f.row.reasons, rows: f.read.rowsRead, baseline_median: f.baselineMedian, token_id: f.read.principal.tokenId },
    });
  }
  return { flagged: flagged.length };
}
