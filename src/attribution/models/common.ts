/**
 * Shared pieces of the model SQL. Every model is a `select` over `att_elig_n e join att_pos p`
 * (or `att_elig`, the same rows with dimensions joined, when it reads partner type and the like)
 * (see ../eligibility.ts) yielding one row per credited touch with the columns of `COLS`, a
 * `weight` (per opportunity and purpose the weights sum to 1) and the `rule` that explains it.
 * Rows with weight 0 are left out; explain shows them from the eligible path.
 */
import type { Sql } from '../../warehouse/index.js';
import { sql, raw } from '../../warehouse/index.js';
import type { Warehouse } from '../../warehouse/index.js';

export const COLS = [
  'opp_key', 'purpose', 'touch_key', 'touchpoint_id', 'occurred_at', 'channel', 'touch_type', 'activity_id', 'partner_id',
] as const;
export const E_COLS = COLS.map((c) => `e.${c}`).join(', ');
export const PLAIN_COLS = COLS.join(', ');

/** A model's SQL plus an optional step that prepares small lookup tables (decay, shares). */
export interface ModelSql {
  prepare?: (wh: Warehouse) => Promise<void>;
  /** One row per credited touch: COLS, `weight`, and `rule` (text) — or `rule_key` when `ruleText` is set. */
  select: Sql;
  /**
   * Keyed rules: the select yields a BIGINT `rule_key` (a day count, a touch count, a role mask)
   * and this turns a key column into the rule text. Credits then build the text once per distinct
   * key instead of once per row (at 10M touches, rule text per row was gigabytes of strings).
   */
  ruleText?: (key: Sql) => Sql;
  /** Positions of att_pos the select reads: 'first' = counts and first_key only; default 'all'. */
  positions?: 'all' | 'first';
}

/**
 * The model's rows with a `rule` text column, whether its rules are keyed or not (composite models
 * — blended, the rule library — read their parts through this).
 *
 * @example textSelect(linearSql()) // … 'linear: 1 of ' || rule_key || ' touches' as rule
 */
export function textSelect(m: ModelSql): Sql {
  if (!m.ruleText) return m.select;
  return sql`select ${raw(PLAIN_COLS)}, weight, ${m.ruleText(sql`rule_key`)} as rule from (${m.select})`;
}

/** 'all' when any of the models reads positions beyond the first touch. */
export function positionsOf(models: readonly ModelSql[]): 'all' | 'first' {
  return models.every((m) => m.positions === 'first') ? 'first' : 'all';
}

/**
 * Normalises a raw non-negative weight within each (opportunity, purpose); when every raw
 * weight of an opportunity is 0 the opportunity falls back to linear, and says so in `rule`.
 * `source` is `att_elig` (with partner type, program, activity type, anchor time) or the narrow
 * `att_elig_n` when the weight reads only touch columns.
 *
 * @example
 * normalised(sql`e.touch_type = 'meeting'`, sql`'meeting'`)
 */
export function normalised(
  rawExpr: Sql,
  ruleExpr: Sql,
  joins: Sql = sql``,
  source: 'att_elig' | 'att_elig_n' = 'att_elig',
  keyed = false,
): Sql {
  // No materialized intermediate (8M wide rows with rule text ran out of a 3 GB limit at 10M
  // touches): the totals come from one grouped pass, the rows from a second pass that
  // recomputes the raw weight.
  const from = sql`from ${raw(source)} e
      join att_pos p on p.opp_key = e.opp_key and p.purpose = e.purpose
      ${joins}`;
  return sql`with s as (
      select e.opp_key, e.purpose, sum((${rawExpr})::DOUBLE) as tot
      ${from}
      group by e.opp_key, e.purpose
    )
    select ${raw(E_COLS)},
      case when s.tot > 0 then (${rawExpr})::DOUBLE / s.tot else 1.0 / p.n end as weight,
      ${keyed
        ? sql`case when s.tot > 0 then (${ruleExpr})::BIGINT else ${FALLBACK_KEY}::BIGINT end as rule_key`
        : sql`case when s.tot > 0 then ${ruleExpr} else ${FALLBACK_RULE} end as rule`}
    ${from}
    join s on s.opp_key = e.opp_key and s.purpose = e.purpose
    where s.tot = 0 or (${rawExpr})::DOUBLE > 0`;
}

/** The rule of an opportunity whose touches all weigh 0 in a normalised model. */
export const FALLBACK_RULE = 'fallback: linear (no touch has a weight in this model)';
/** Its key in keyed normalised models (keys of those models are >= 0). */
export const FALLBACK_KEY = -1;

/** A keyed normalised model's rule text: the fallback for FALLBACK_KEY, else `text`. @example withFallback(sql`'x ' || k`, sql`k`) */
export function withFallback(text: Sql, key: Sql): Sql {
  return sql`case when ${key} = ${FALLBACK_KEY}::BIGINT then ${FALLBACK_RULE} else ${text} end`;
}

export type Role = 'first' | 'last' | 'lead_creation' | 'opportunity_creation' | 'close';

const ROLE_ID: Record<Role, string> = {
  first: 'p.first_key',
  last: 'p.last_key',
  lead_creation: 'p.lead_key',
  opportunity_creation: 'p.oppc_key',
  close: 'p.close_key',
};
const ROLE_LABEL: Record<Role, string> = {
  first: 'first touch',
  last: 'last touch',
  lead_creation: 'lead creation',
  opportunity_creation: 'opportunity creation',
  close: 'close',
};

/**
 * Position-based weights: each role (first touch, lead creation, …) takes its share; `spread`
 * is split equally among the touches that hold no role. Missing roles (no form fill; no close
 * touch for pipeline credit) and an empty middle are renormalised away, so weights sum to 1.
 * E.g. U-shaped 40/20/40 on four touches gives 0.4, 0.1, 0.1, 0.4; on two touches 0.5, 0.5.
 */
export function keyRolesSql(roles: readonly { role: Role; share: number }[], spread: number, label: string): ModelSql {
  const ids = roles.map((r) => ROLE_ID[r.role]);
  // Number of distinct key touches, without building a list per row: an id counts when it is set
  // and differs from every earlier role's id.
  const distinctKeys = ids
    .map((id, i) => `(${[`${id} is not null`, ...ids.slice(0, i).map((prev) => `${id} is distinct from ${prev}`)].join(' and ')})::INTEGER`)
    .join(' + ');
  let total = sql`0.0`;
  for (const r of roles) total = sql`${total} + case when ${raw(ROLE_ID[r.role])} is not null then ${r.share}::DOUBLE else 0 end`;
  total = sql`${total} + case when p.n > (${raw(distinctKeys)}) then ${spread}::DOUBLE else 0 end`;
  const keyCols = raw(['first_key', 'last_key', 'lead_key', 'oppc_key', 'close_key'].map((c) => `p.${c}`).join(', '));
  const qIds = roles.map((r) => ROLE_ID[r.role].replace('p.', 'q.'));
  let rawW = sql`0.0`;
  for (const [i, r] of roles.entries()) {
    rawW = sql`${rawW} + case when e.touch_key = ${raw(qIds[i] ?? '')} then ${r.share}::DOUBLE else 0 end`;
  }
  const notKey = qIds.map((id) => `e.touch_key is distinct from ${id}`).join(' and ');
  rawW = sql`${rawW} + case when ${raw(notKey)} then q.spread_each else 0 end`;
  // The rule key is the mask of the roles the touch holds (bit i: roles[i]); 0 = a middle touch.
  const mask = raw(roles.map((_, i) => `(case when e.touch_key = ${qIds[i] ?? ''} then ${1 << i} else 0 end)`).join(' + '));
  const ruleText = (k: Sql): Sql => {
    const parts = roles
      .map((r, i) => sql`case when (${k}) & ${raw(String(1 << i))} <> 0 then ${raw(sqlString(ROLE_LABEL[r.role]))} end`)
      .reduce((x, y) => sql`${x}, ${y}`);
    return sql`${raw(sqlString(label + ': '))} || coalesce(nullif(concat_ws(' + ', ${parts}), ''), 'middle touch (spread)')`;
  };
  return {
    ruleText,
    select: sql`select ${raw(PLAIN_COLS)}, raw_weight / total as weight, rule_key
      from (
        select ${raw(E_COLS)}, (${rawW}) as raw_weight, q.total, (${mask})::BIGINT as rule_key
        from att_elig_n e
        join (
          select p.opp_key, p.purpose, ${keyCols}, ${total} as total,
            ${spread}::DOUBLE / nullif(p.n - (${raw(distinctKeys)}), 0) as spread_each
          from att_pos p
        ) q on q.opp_key = e.opp_key and q.purpose = e.purpose
      )
      where raw_weight > 0`,
  };
}

/** Quotes a fixed string literal for SQL (labels from code, never user input). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
