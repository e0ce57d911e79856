/** First touch: the earliest eligible touch (by occurred_at, touchpoint_id) gets all the credit. */
import { sql, raw } from '../../warehouse/index.js';
import { E_COLS, type ModelSql } from './common.js';

/** @example firstTouchSql().select // select … where e.touchpoint_id = p.first_id */
export function firstTouchSql(): ModelSql {
  return {
    positions: 'first',
    select: sql`select ${raw(E_COLS)}, 1.0::DOUBLE as weight, 'first touch' as rule
      from att_elig_n e
      join att_pos p on p.opportunity_id = e.opportunity_id and p.purpose = e.purpose
      where e.touchpoint_id = p.first_id`,
  };
}
