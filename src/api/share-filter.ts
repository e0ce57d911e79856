/**
 * The data-sharing filter of partner reads: every answer a partner principal receives passes
 * through governance's `filterSharedFields`, so only the fields and metrics its agreement in
 * config/sharing.yaml allows reach it (and rows naming another partner are dropped).
 *
 * Answers are nested (a page's `items`, an overview's `totals`, `trend` and `top_partners`, an
 * explanation's `purposes[].touches[]`), so the filter walks them: at each object the scalar
 * values are one row for `filterSharedFields`; nested objects and arrays are kept and walked,
 * and a page envelope (`items, total, limit, offset`) is kept as is. A null `partner_id` (a touch
 * of no partner, a row not grouped by partner) names nobody and is kept when the field is agreed.
 *
 * The response schema is checked on the full answer before this filter, so a field outside the
 * agreement is absent from a partner's answer rather than null.
 *
 * @example
 * shareFilter(partnerP1, { items: [{ key: 'P1', attributed_revenue: '10.00', activity_cost: '3.00' }], total: 1, limit: 50, offset: 0 })
 * // => { items: [{ key: 'P1', attributed_revenue: '10.00' }], … } when activity_cost is not agreed
 */
import { JointlyError } from '../core/errors.js';
import { filterSharedFields, partnerScope, type Principal } from '../governance/index.js';

const PAGE_KEYS = new Set(['items', 'total', 'limit', 'offset']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Filters one object; undefined when the row belongs to another partner. */
function filterObject(principal: Principal, obj: Record<string, unknown>, isPage: boolean): Record<string, unknown> | undefined {
  const scalars: Record<string, unknown> = {};
  const nested: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (isPage && PAGE_KEYS.has(k)) nested[k] = v;
    else if (typeof v === 'object' && v !== null) nested[k] = v;
    else scalars[k] = v;
  }
  const nullPartner = 'partner_id' in scalars && scalars['partner_id'] === null;
  if (nullPartner) delete scalars['partner_id'];
  const [kept] = filterSharedFields(principal, [scalars]);
  if (kept === undefined) return undefined;
  if (nullPartner && filterSharedFields(principal, [{ partner_id: partnerScope(principal) }])[0]?.['partner_id'] !== undefined) {
    kept['partner_id'] = null;
  }
  const out: Record<string, unknown> = {};
  // Keep the original key order.
  for (const k of Object.keys(obj)) {
    if (k in kept) out[k] = kept[k];
    else if (k in nested) {
      const v = nested[k];
      out[k] = isPage && (k === 'total' || k === 'limit' || k === 'offset') ? v : walk(principal, v);
    }
  }
  return out;
}

function walk(principal: Principal, v: unknown): unknown {
  if (Array.isArray(v)) {
    return v.flatMap((x) => {
      if (!isObject(x)) return [x];
      const f = filterObject(principal, x, false);
      return f === undefined ? [] : [f];
    });
  }
  if (isObject(v)) {
    const f = filterObject(principal, v, false);
    if (f === undefined) throw new JointlyError('INVARIANT_BROKEN', "An answer for a partner held another partner's row.");
    return f;
  }
  return v;
}

/**
 * The answer as the principal may see it: unchanged for internal roles, filtered by the
 * partner's sharing agreement for partner users (see the module header).
 */
export function shareFilter(principal: Principal, body: unknown): unknown {
  if (partnerScope(principal) === undefined) return body;
  if (isObject(body) && Array.isArray(body['items']) && 'total' in body) {
    return filterObject(principal, body, true);
  }
  return walk(principal, body);
}

/** CSV rows of a partner's answer, filtered the same way (rows of other partners dropped). */
export function shareFilterRows(principal: Principal, rows: Record<string, unknown>[]): Record<string, unknown>[] {
  if (partnerScope(principal) === undefined) return rows;
  return rows.flatMap((r) => {
    const f = filterObject(principal, r, false);
    return f === undefined ? [] : [f];
  });
}
