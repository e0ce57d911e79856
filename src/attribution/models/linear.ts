/** Linear: every eligible touch gets 1/n. */
import { sql, raw } from '../../warehouse/index.js';
import { E_COLS, type ModelSql } from './common.js';

/** @example linearSql() // four touches -> 0.25 each */
export function linearSql(): ModelSql {
  return {
    positions: 'first',
    // The rule key is the number of touches.
    ruleText: (k) => sql`'linear: 1 of ' || ${k} || ' touches'`,
    select: sql`select ${raw(E_COLS)}, 1.0 / p.n as weight, p.n::BIGINT as rule_key
      from att_elig_n e
      join att_pos p on p.opp_key = e.opp_key and p.purpose = e.purpose`,
  };
}
