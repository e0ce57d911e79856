/**
 * W-shaped: first touch, lead creation (first form fill) and opportunity creation (last touch up
 * to creation) take their shares; the spread goes to the other touches.
 */
import { keyRolesSql, type ModelSql } from './common.js';

/** @example wShapedSql({ first: 0.3, lead_creation: 0.3, opportunity_creation: 0.3, spread: 0.1 }) */
export function wShapedSql(p: { first: number; lead_creation: number; opportunity_creation: number; spread: number }): ModelSql {
  return keyRolesSql(
    [
      { role: 'first', share: p.first },
      { role: 'lead_creation', share: p.lead_creation },
      { role: 'opportunity_creation', share: p.opportunity_creation },
    ],
    p.spread,
    'W-shaped',
  );
}
