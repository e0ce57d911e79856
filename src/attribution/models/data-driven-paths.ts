/**
 * Paths for the data-driven models, built set-wise: per opportunity the ordered players (channels,
 * or partners with non-partner touches by channel) of its touches from the window start to the
 * close; won = a conversion, lost and open = a non-converting path. Identical paths are
 * aggregated in SQL (as packed integer keys, see aggregatedPaths), so only distinct journeys
 * reach TypeScript.
 */
import type { Warehouse } from '../../warehouse/index.js';
import { sql, type Sql } from '../../warehouse/index.js';
import { withFallback } from './common.js';
import type { PathRow } from '../data-driven/index.js';

export type Players = 'channels' | 'partners';

/** SQL expression of a touch's player (over `e` columns: channel, partner_id). */
export function playerExpr(players: Players, alias = 'e'): string {
  return players === 'channels'
    ? `${alias}.channel`
    : `coalesce('partner:' || ${alias}.partner_id, ${alias}.channel)`;
}

/**
 * Reads the distinct journeys without an ordered aggregate or a list per opportunity (both slow
 * at 10M touches): players get small integer codes; one window numbers each opportunity's touches
 * by (occurred_at, touchpoint_id); the path is packed into HUGEINT keys (`bits` per player,
 * `per` players per key) by a plain grouped sum of `code << (bits * position)`; identical paths
 * are grouped on (length, keys) in SQL and only distinct journeys are decoded in TypeScript.
 *
 * @example await aggregatedPaths(wh, 'channels') // [{ path: ['paid','partner'], conversions: 3, value: 1200, nulls: 5 }]
 */
export async function aggregatedPaths(wh: Warehouse, players: Players): Promise<PathRow[]> {
  await wh.run(`create or replace temp table att_codes as
    select player, (row_number() over (order by player))::INTEGER as code
    from (select distinct ${playerExpr(players, 'c')} as player from att_cand c)`);
  const meta = await wh.all<{ players: number; longest: number }>(`select
      (select count(*) from att_codes)::INTEGER as players,
      (select coalesce(max(n), 0) from (select count(*) as n from att_cand group by opp_key))::INTEGER as longest`);
  const nPlayers = Number(meta[0]?.players ?? 0);
  const longest = Number(meta[0]?.longest ?? 0);
  if (nPlayers === 0 || longest === 0) return [];
  const names = await wh.all<{ player: string; code: number }>(`select player, code from att_codes`);
  const byCode = new Map<number, string>(names.map((n) => [Number(n.code), n.player]));
  // Codes start at 1, so 0 bits mean "no player here" and a path's length is its count.
  const bits = Math.max(1, Math.ceil(Math.log2(nPlayers + 1)));
  const per = Math.floor(127 / bits);
  const keys = Math.ceil(longest / per);
  const keyCols = Array.from({ length: keys }, (_, j) =>
    `coalesce(sum(piece) filter (where chunk = ${j}), 0) as k${j}`,
  ).join(',\n        ');
  const keyNames = Array.from({ length: keys }, (_, j) => `k${j}`).join(', ');
  const reader = await wh.connection.runAndReadAll(`
    with numbered as (
      select c.opp_key, k.code,
        row_number() over (partition by c.opp_key order by c.occurred_at, c.touchpoint_id) - 1 as pos
      from att_cand c
      join att_codes k on k.player = ${playerExpr(players, 'c')}
    ),
    steps as (
      select opp_key, pos // ${per} as chunk, code::HUGEINT << (${bits} * (pos % ${per})) as piece
      from numbered
    ),
    journeys as (
      select opp_key, count(*)::INTEGER as len,
        ${keyCols}
      from steps
      group by opp_key
    )
    select j.len, ${keyNames.split(', ').map((k) => `j.${k}`).join(', ')},
      count(*) filter (where o.is_won)::INTEGER as conversions,
      coalesce(sum(o.cents) filter (where o.is_won), 0)::DOUBLE / 100 as value,
      count(*) filter (where not o.is_won)::INTEGER as nulls
    from journeys j
    join att_opp o on o.opp_key = j.opp_key
    group by j.len, ${keyNames.split(', ').map((k) => `j.${k}`).join(', ')}`);
  await wh.run('drop table if exists att_codes');
  const cols = reader.getColumnsJS() as unknown[][];
  const lens = (cols[0] ?? []) as number[];
  const keyArrays = cols.slice(1, 1 + keys) as bigint[][];
  const [conversions = [], values = [], nulls = []] = cols.slice(1 + keys) as number[][];
  const mask = (1n << BigInt(bits)) - 1n;
  const out: PathRow[] = new Array<PathRow>(lens.length);
  for (let i = 0; i < lens.length; i++) {
    const len = lens[i] ?? 0;
    const path: string[] = new Array<string>(len);
    for (let pos = 0; pos < len; pos++) {
      const key = keyArrays[Math.floor(pos / per)]?.[i] ?? 0n;
      const code = Number((BigInt(key) >> BigInt(bits * (pos % per))) & mask);
      path[pos] = byCode.get(code) ?? '';
    }
    out[i] = { path, conversions: conversions[i] ?? 0, value: values[i] ?? 0, nulls: nulls[i] ?? 0 };
  }
  return out;
}

/**
 * Writes the player shares into `att_share(player, share, code)` with one bound statement; `code`
 * (1, 2, …) is the rule key of the player's touches (see shareRuleText).
 */
export async function writeShares(wh: Warehouse, shares: readonly { channel: string; share: number }[]): Promise<void> {
  await wh.run(`create or replace temp table att_share (player VARCHAR, share DOUBLE, code BIGINT)`);
  if (shares.length === 0) return;
  // A few dozen players at most: one insert with bound values.
  const rows = shares
    .map((s, i) => sql`(${s.channel}, ${Number.isFinite(s.share) ? s.share : 0}::DOUBLE, ${i + 1}::BIGINT)`)
    .reduce((a, b) => sql`${a}, ${b}`);
  await wh.run(sql`insert into att_share values ${rows}`);
}

/**
 * The rule text of a data-driven model's touch from its key (the player's `att_share.code`):
 * `prefix` + the player + its share, looked up once per distinct key, not per row.
 *
 * @example shareRuleText('markov (order 1): ', ' removal-effect share ')(sql`k`)
 */
export function shareRuleText(prefix: string, middle: string): (k: Sql) => Sql {
  return (k) =>
    withFallback(
      sql`(select ${prefix} || s.player || ${middle} || round(100 * s.share, 1) || '%' from att_share s where s.code = ${k})`,
      k,
    );
}
