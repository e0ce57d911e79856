/**
 * Custom weighted model from YAML: a touch's raw weight is the product of the factors listed for
 * its touch type, channel, partner type, activity type and positions (first, last, lead_creation,
 * opportunity_creation); a touch no map mentions gets `default_factor`. Weights are normalised
 * within the opportunity (all zero: linear, and the rule says so).
 */
import { sql, raw, type Sql } from '../../warehouse/index.js';
import { normalised, withFallback, type ModelSql } from './common.js';

export interface CustomParams {
  touch_type: Partial<Record<string, number>>;
  channel: Partial<Record<string, number>>;
  partner_type: Partial<Record<string, number>>;
  activity_type: Partial<Record<string, number>>;
  position: Partial<Record<string, number>>;
  default_factor: number;
}

const POSITION_ID: Record<string, string> = {
  first: 'p.first_key',
  last: 'p.last_key',
  lead_creation: 'p.lead_key',
  opportunity_creation: 'p.oppc_key',
};

/** Rule keys of custom models: (touch type, channel) code times this, plus the factor in 1/10000. */
const KEY_SCALE = 1_000_000_000_000;

function mapFactor(column: string, map: Partial<Record<string, number>>): Sql | undefined {
  const entries = Object.entries(map).filter((e): e is [string, number] => e[1] !== undefined);
  if (entries.length === 0) return undefined;
  let expr = sql`case ${raw(column)}`;
  for (const [k, v] of entries) expr = sql`${expr} when ${k} then ${v}::DOUBLE`;
  return sql`${expr} end`;
}

/** @example customSql({ touch_type: { deal_registration: 3 }, channel: {}, partner_type: {}, activity_type: {}, position: {}, default_factor: 1 }) */
export function customSql(p: CustomParams, label: string): ModelSql {
  const factors: Sql[] = [];
  for (const [col, map] of [
    ['e.touch_type', p.touch_type],
    ['e.channel', p.channel],
    ['e.partner_type', p.partner_type],
    ['e.activity_type', p.activity_type],
  ] as const) {
    const f = mapFactor(col, map);
    if (f) factors.push(f);
  }
  for (const [pos, v] of Object.entries(p.position)) {
    const id = POSITION_ID[pos];
    if (id && v !== undefined) factors.push(sql`case when e.touch_key = ${raw(id)} then ${v}::DOUBLE end`);
  }
  // Partner type and activity type are joined late (att_elig); without them the narrow rows do.
  const needsDims = [p.partner_type, p.activity_type].some((m) => Object.values(m).some((v) => v !== undefined));
  const source = needsDims ? 'att_elig' : 'att_elig_n';
  if (factors.length === 0) {
    return {
      positions: 'first',
      ruleText: (k) => withFallback(sql`${label + ': default factor'}`, k),
      select: normalised(sql`${p.default_factor}::DOUBLE`, sql`0`, sql``, source, true),
    };
  }
  const product = factors.map((f) => sql`coalesce(${f}, 1.0)`).reduce((a, b) => sql`${a} * ${b}`);
  const anyListed = factors.map((f) => sql`(${f}) is not null`).reduce((a, b) => sql`${a} or ${b}`);
  const rawExpr = sql`case when ${anyListed} then ${product} else ${p.default_factor}::DOUBLE end`;
  // The rule key packs the touch's (touch type, channel) code from att_tc (built in prepare) with
  // its factor in 1/10000: code * 10^12 + round(factor * 10^4). The text is built once per key.
  const key = sql`tc.code * ${raw(String(KEY_SCALE))}::BIGINT + round((${rawExpr}) * 10000)::BIGINT`;
  const ruleText = (k: Sql): Sql =>
    withFallback(
      sql`(select ${label + ': factor '} || round(((${k}) % ${raw(String(KEY_SCALE))}) / 10000, 4) || ' for ' || tc.touch_type || ' on ' || tc.channel
        from att_tc tc where tc.code = (${k}) // ${raw(String(KEY_SCALE))})`,
      k,
    );
  const positions = Object.values(p.position).some((v) => v !== undefined) ? 'all' : 'first';
  return {
    positions,
    async prepare(wh) {
      await wh.run(`create or replace temp table att_tc as
        select touch_type, channel, (row_number() over (order by touch_type, channel))::BIGINT as code
        from (select distinct coalesce(touch_type, '') as touch_type, coalesce(channel, '') as channel from att_cand)`);
    },
    ruleText,
    select: normalised(rawExpr, key, sql`join att_tc tc on tc.touch_type = coalesce(e.touch_type, '') and tc.channel = coalesce(e.channel, '')`, source, true),
  };
}
