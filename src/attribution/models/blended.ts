/** Blended: a weighted mix of other rule-based models; the mix is normalised to sum to 1. */
import { sql, raw, type Sql } from '../../warehouse/index.js';
import { E_COLS, positionsOf, sqlString, type ModelSql } from './common.js';

/**
 * Each part contributes only keys and its mixed weight (the parts' other columns are never read),
 * summed per touch; the columns come from one join back to the eligible rows. The rule key is
 * the mask of the parts that credit the touch (bit i: parts[i]); the text lists them by name.
 * (A group by over every column of three parts' rows ran out of a 3 GB limit at 10M touches.)
 *
 * @example blendedSql([{ name: 'linear', mix: 0.5, model: linearSql() }, …])
 */
export function blendedSql(parts: readonly { name: string; mix: number; model: ModelSql }[]): ModelSql {
  const total = parts.reduce((a, p) => a + p.mix, 0);
  const labelled = parts.map((p, i) => ({ ...p, bit: 1 << i, label: `${p.name} ${Math.round((p.mix / total) * 1000) / 10}%` }));
  const unions = labelled
    .map((p) => sql`select opp_key, purpose, touch_key, weight * ${p.mix / total}::DOUBLE as weight, ${raw(String(p.bit))}::BIGINT as bit
      from (${p.model.select})`)
    .reduce((a, b) => sql`${a} union all ${b}`);
  // The text lists the crediting parts in the order of their labels.
  const ruleText = (k: Sql): Sql => {
    const listed = [...labelled]
      .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
      .map((p) => sql`case when (${k}) & ${raw(String(p.bit))} <> 0 then ${raw(sqlString(p.label))} end`)
      .reduce((a, b) => sql`${a}, ${b}`);
    return sql`'blended: ' || concat_ws(' + ', ${listed})`;
  };
  return {
    positions: positionsOf(parts.map((p) => p.model)),
    async prepare(wh) {
      for (const p of parts) if (p.model.prepare) await p.model.prepare(wh);
    },
    ruleText,
    select: sql`select ${raw(E_COLS)}, b.weight, b.rule_key
      from (
        select opp_key, purpose, touch_key, sum(weight) as weight, bit_or(bit) as rule_key
        from (${unions})
        group by opp_key, purpose, touch_key
      ) b
      join att_elig_n e on e.opp_key = b.opp_key and e.purpose = b.purpose and e.touch_key = b.touch_key`,
  };
}
