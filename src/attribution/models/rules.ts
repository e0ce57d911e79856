/**
 * Rule library: for each opportunity (and purpose) the first rule whose condition some eligible
 * touch meets picks the model that credits it (e.g. resellers credited on deal registration,
 * technology partners by W-shaped); otherwise the default model. Conditions on one touch are
 * all required (partner_type, program, touch_type, activity_type, channel, partner_id).
 */
import { sql, raw, type Sql } from '../../warehouse/index.js';
import { PLAIN_COLS, positionsOf, textSelect, type ModelSql } from './common.js';

export interface RuleCondition {
  partner_type?: string | undefined;
  program?: string | undefined;
  touch_type?: string | undefined;
  activity_type?: string | undefined;
  channel?: string | undefined;
  partner_id?: string | undefined;
}

/** Branches of a rule library whose keys can be packed (a slot per branch in the rule key). */
const KEY_BRANCHES = 8;

function condition(when: RuleCondition): Sql {
  const parts: Sql[] = [];
  for (const [k, v] of Object.entries(when)) {
    if (v === undefined) continue;
    if (!['partner_type', 'program', 'touch_type', 'activity_type', 'channel', 'partner_id'].includes(k)) continue;
    parts.push(sql`${raw(k)} = ${v}`);
  }
  return parts.reduce((a, b) => sql`${a} and ${b}`);
}

/** @example rulesSql([{ name: 'resellers', when: { partner_type: 'reseller' }, model: dealReg }], positionBased) */
export function rulesSql(
  rules: readonly { name: string; when: RuleCondition; model: ModelSql }[],
  fallback: { name: string; model: ModelSql },
): ModelSql {
  let pick = sql`case`;
  rules.forEach((r, i) => {
    pick = sql`${pick} when bool_or(${condition(r.when)}) then ${i}::INTEGER`;
  });
  pick = sql`${pick} else -1 end`;
  const branches = [...rules.map((r, i) => ({ idx: i, name: r.name, model: r.model })), { idx: -1, name: `default (${fallback.name})`, model: fallback.model }];
  // Keyed rules when every branch's are (all built-in models) and there are at most KEY_BRANCHES
  // branches: the key is the branch's own key times KEY_BRANCHES plus the branch's slot, so the
  // text ('rule "…" -> ' and the branch's text) is built once per distinct key, not per row.
  const keyed = branches.length <= KEY_BRANCHES && branches.every((b) => b.model.ruleText);
  const unions = branches
    .map((b, slot) => sql`select ${raw(PLAIN_COLS.split(', ').map((c) => `m.${c}`).join(', '))}, m.weight,
        ${keyed ? sql`m.rule_key * ${raw(String(KEY_BRANCHES))} + ${raw(String(slot))} as rule_key` : sql`${`rule "${b.name}" -> `} || m.rule as rule`}
      from (${keyed ? b.model.select : textSelect(b.model)}) m
      join att_pick k on k.opp_key = m.opp_key and k.purpose = m.purpose
      where k.idx = ${b.idx}::INTEGER`)
    .reduce((a, b) => sql`${a} union all ${b}`);
  const ruleText = (k: Sql): Sql => {
    // The slot in 0..KEY_BRANCHES-1 also for negative keys (a branch's fallback key is -1).
    const slot = sql`(((${k}) % ${raw(String(KEY_BRANCHES))}) + ${raw(String(KEY_BRANCHES))}) % ${raw(String(KEY_BRANCHES))}`;
    const inner = sql`((${k}) - ${slot}) // ${raw(String(KEY_BRANCHES))}`;
    let text = sql`case ${slot}`;
    branches.forEach((b, i) => {
      text = sql`${text} when ${raw(String(i))} then ${`rule "${b.name}" -> `} || (${b.model.ruleText?.(inner) ?? sql`null`})`;
    });
    return sql`${text} end`;
  };
  return {
    positions: positionsOf(branches.map((b) => b.model)),
    async prepare(wh) {
      await wh.run(sql`create or replace temp table att_pick as
        select opp_key, purpose, ${pick} as idx
        from att_elig
        group by opp_key, purpose`);
      for (const b of branches) if (b.model.prepare) await b.model.prepare(wh);
    },
    ...(keyed ? { ruleText } : {}),
    select: unions,
  };
}
