/** Position-based (U-shaped): first and last touch take their shares, the middle shares the rest. */
import { keyRolesSql, type ModelSql } from './common.js';

/** @example positionBasedSql({ first: 0.4, last: 0.4, middle: 0.2 }) // 4 touches -> .4 .1 .1 .4 */
export function positionBasedSql(p: { first: number; last: number; middle: number }): ModelSql {
  return keyRolesSql([{ role: 'first', share: p.first }, { role: 'last', share: p.last }], p.middle, 'U-shaped');
}
