/** First touch: the earliest eligible touch (by occurred_at, touchpoint_id) gets all the credit. */
import { sql, raw } from '../../warehouse/index.js';
import { E_COLS, type ModelSql } from './common.js';

/** @example firstTouchSql().select // select … where e.touch_key = p.first_key */
export function firstTouchSql(): ModelSql {
  return {
    positions: 'first',
    ruleText: () => sql`'first touch'`,
    select: sql`select ${raw(E_COLS)}, 1.0::DOUBLE as weight, 0::BIGINT as rule_key
      from att_elig_n e
      join att_pos p on p.opp_key = e.opp_key and p.purpose = e.purpose
      where e.touch_key = p.first_key`,
  };
}
