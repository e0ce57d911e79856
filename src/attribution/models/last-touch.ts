/** Last touch: the latest eligible touch gets all the credit (for pipeline: the last touch before creation). */
import { sql, raw } from '../../warehouse/index.js';
import { E_COLS, type ModelSql } from './common.js';

/** @example lastTouchSql().select // select … where e.touch_key = p.last_key */
export function lastTouchSql(): ModelSql {
  return {
    ruleText: () => sql`'last touch'`,
    select: sql`select ${raw(E_COLS)}, 1.0::DOUBLE as weight, 0::BIGINT as rule_key
      from att_elig_n e
      join att_pos p on p.opp_key = e.opp_key and p.purpose = e.purpose
      where e.touch_key = p.last_key`,
  };
}
