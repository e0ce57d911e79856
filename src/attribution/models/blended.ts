/** Blended: a weighted mix of other rule-based models; the mix is normalised to sum to 1. */
import { sql, raw } from '../../warehouse/index.js';
import { PLAIN_COLS, positionsOf, textSelect, type ModelSql } from './common.js';

/** @example blendedSql([{ name: 'linear', mix: 0.5, model: linearSql() }, …]) */
export function blendedSql(parts: readonly { name: string; mix: number; model: ModelSql }[]): ModelSql {
  const total = parts.reduce((a, p) => a + p.mix, 0);
  const unions = parts
    .map((p) => sql`select ${raw(PLAIN_COLS)}, weight * ${p.mix / total}::DOUBLE as weight,
        ${`${p.name} ${Math.round((p.mix / total) * 1000) / 10}%`} as part
      from (${textSelect(p.model)})`)
    .reduce((a, b) => sql`${a} union all ${b}`);
  return {
    positions: positionsOf(parts.map((p) => p.model)),
    async prepare(wh) {
      for (const p of parts) if (p.model.prepare) await p.model.prepare(wh);
    },
    select: sql`select ${raw(PLAIN_COLS)}, sum(weight) as weight,
        'blended: ' || string_agg(part, ' + ' order by part) as rule
      from (${unions})
      group by ${raw(PLAIN_COLS)}`,
  };
}
