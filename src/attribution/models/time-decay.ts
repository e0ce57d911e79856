/**
 * Time decay: a touch d whole days before the anchor (creation for pipeline, close for revenue)
 * weighs 2^(-d / half_life). The factors come from one small table computed here in TypeScript
 * and joined in SQL, so every engine gets the same numbers.
 */
import type { Warehouse } from '../../warehouse/index.js';
import { sql, raw } from '../../warehouse/index.js';
import { normalised, withFallback, type ModelSql } from './common.js';

/** Days covered by the decay table; older touches use the last factor. */
export const DECAY_DAYS = 3660;

/** The decay factor of a touch `days` whole days before the anchor. @example decayFactor(7, 7) // 0.5 */
export function decayFactor(days: number, halfLifeDays: number): number {
  return Math.pow(2, -days / halfLifeDays);
}

/** The anchor of a touch: the opportunity's creation for pipeline credit, its close day for revenue. */
const ANCHOR = raw(`(case when e.purpose = 0 then o.created_at else o.close_end - interval 1 day end)`);

/** @example timeDecaySql({ half_life_days: 7 }) */
export function timeDecaySql(p: { half_life_days: number }): ModelSql {
  const table = `att_decay`;
  return {
    positions: 'first',
    async prepare(wh: Warehouse) {
      const factors = Array.from({ length: DECAY_DAYS + 1 }, (_, d) => decayFactor(d, p.half_life_days));
      await wh.run(`create or replace temp table ${table} (day INTEGER, factor DOUBLE)`);
      // One statement with a bound list: the table is small (a few thousand rows).
      await wh.run({
        text: `insert into ${table} select i - 1, f from (select unnest($1::DOUBLE[]) as f, generate_subscripts($1::DOUBLE[], 1) as i)`,
        values: [`[${factors.map((f) => f.toExponential(17)).join(',')}]`],
      });
    },
    // The rule key is the touch's whole days before the anchor.
    ruleText: (k) => withFallback(sql`'time decay: ' || ${k} || ' day(s) before, half-life ' || ${p.half_life_days} || ' days'`, k),
    // Narrow rows plus the anchor from att_opp (the dimension joins of att_elig are not needed:
    // at 10M touches they took this model past a 3 GB memory limit).
    select: normalised(
      sql`d.factor`,
      sql`floor(epoch(${ANCHOR} - e.occurred_at) / 86400)`,
      sql`join att_opp o on o.opp_key = e.opp_key
        join att_decay d on d.day = least(${DECAY_DAYS}::INTEGER, greatest(0, floor(epoch(${ANCHOR} - e.occurred_at) / 86400)::INTEGER))`,
      'att_elig_n',
      true,
    ),
  };
}
