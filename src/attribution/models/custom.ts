/**
 * Custom weighted model from YAML: a touch's raw weight is the product of the factors listed for
 * its touch type, channel, partner type, activity type and positions (first, last, lead_creation,
 * opportunity_creation); a touch no map mentions gets `default_factor`. Weights are normalised
 * within the opportunity (all zero: linear, and the rule says so).
 */
import { sql, raw, type Sql } from '../../warehouse/index.js';
import { normalised, type ModelSql } from './common.js';

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
    return { positions: 'first', select: normalised(sql`${p.default_factor}::DOUBLE`, sql`${label + ': default factor'}`, sql``, source) };
  }
  const product = factors.map((f) => sql`coalesce(${f}, 1.0)`).reduce((a, b) => sql`${a} * ${b}`);
  const anyListed = factors.map((f) => sql`(${f}) is not null`).reduce((a, b) => sql`${a} or ${b}`);
  const rawExpr = sql`case when ${anyListed} then ${product} else ${p.default_factor}::DOUBLE end`;
  const rule = sql`${label + ': factor '} || round(${rawExpr}, 4) || ' for ' || e.touch_type || ' on ' || e.channel`;
  const positions = Object.values(p.position).some((v) => v !== undefined) ? 'all' : 'first';
  return { positions, select: normalised(rawExpr, rule, sql``, source) };
}
