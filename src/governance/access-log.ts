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
