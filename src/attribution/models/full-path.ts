/**
 * Full path (Z-shaped): W-shaped plus the close touch (last touch up to the close; revenue credit
 * only — pipeline credit has no close yet and renormalises over the other roles).
 */
import { keyRolesSql, type ModelSql } from './common.js';

/** @example fullPathSql({ first: .225, lead_creation: .225, opportunity_creation: .225, close: .225, spread: .1 }) */
export function fullPathSql(p: {
  first: number; lead_creation: number; opportunity_creation: number; close: number; spread: number;
}): ModelSql {
  return keyRolesSql(
    [
      { role: 'first', share: p.first },
      { role: 'lead_creation', share: p.lead_creation },
      { role: 'opportunity_creation', share: p.opportunity_creation },
      { role: 'close', share: p.close },
    ],
    p.spread,
    'full path',
  );
}
