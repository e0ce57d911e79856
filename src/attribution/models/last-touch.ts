/** Last touch: the latest eligible touch gets all the credit (for pipeline: the last touch before creation). */
import { sql, raw } from '../../warehouse/index.js';
import { E_COLS, type ModelSql } from './common.js';

/** @example lastTouchSql().select // select … where e.touchpoint_id = p.last_id */
export function lastTouchSql(): ModelSql {
  return {
    select: sql`select ${raw(E_COLS)}, 1.0::DOUBLE as weight, 'last touch' as rule
      from att_elig_n e
      join att_pos p on p.opportunity_id = e.opportunity_id and p.purpose = e.purpose
      where e.touchpoint_id = p.last_id`,
  };
}
