/**
 * Paths for the data-driven models, built set-wise: per opportunity the ordered players (channels,
 * or partners with non-partner touches by channel) of its touches from the window start to the
 * close; won = a conversion, lost and open = a non-converting path. Identical paths are
 * aggregated in SQL, so only distinct journeys reach TypeScript.
 */
import type { Warehouse } from '../../warehouse/index.js';
import { sql } from '../../warehouse/index.js';
import type { PathRow } from '../data-driven/index.js';

export type Players = 'channels' | 'partners';

/** SQL expression of a touch's player (over `e` columns: channel, partner_id). */
export function playerExpr(players: Players, alias = 'e'): string {
  return players === 'channels'
    ? `${alias}.channel`
    : `coalesce('partner:' || ${alias}.partner_id, ${alias}.channel)`;
}

/** Separator of players inside one path string (ASCII unit separator: never in a channel or id). */
const SEP = '\u001f';

/**
 * Reads the distinct journeys column-wise: the path travels as one string (players joined by a
 * control character) and the columns come out as arrays, so no row becomes a JS object and no
 * list column is converted per row (≈5× faster than row objects with list values).
 *
 * @example await aggregatedPaths(wh, 'channels') // [{ path: ['paid','partner'], conversions: 3, value: 1200, nulls: 5 }]
 */
export async function aggregatedPaths(wh: Warehouse, players: Players): Promise<PathRow[]> {
  const reader = await wh.connection.runAndReadAll(`
    with journeys as (
      select c.opportunity_id,
        string_agg(${playerExpr(players, 'c')}, chr(31) order by c.occurred_at, c.touchpoint_id) as path
      from att_cand c
      group by c.opportunity_id
    )
    select j.path,
      count(*) filter (where o.is_won)::INTEGER as conversions,
      coalesce(sum(o.cents) filter (where o.is_won), 0)::DOUBLE / 100 as value,
      count(*) filter (where not o.is_won)::INTEGER as nulls
    from journeys j
    join att_opp o on o.opportunity_id = j.opportunity_id
    group by j.path`);
  // No rows: the reader holds no chunk, so no columns either.
  const [paths = [], conversions = [], values = [], nulls = []] = reader.getColumnsJS() as (string[] | number[])[] as [
    string[]?, number[]?, number[]?, number[]?,
  ];
  const out: PathRow[] = new Array<PathRow>(paths.length);
  for (let i = 0; i < paths.length; i++) {
    out[i] = { path: (paths[i] ?? '').split(SEP), conversions: conversions[i] ?? 0, value: values[i] ?? 0, nulls: nulls[i] ?? 0 };
  }
  return out;
}

/** Writes the player shares into `att_share(player, share)` with one bound statement. */
export async function writeShares(wh: Warehouse, shares: readonly { channel: string; share: number }[]): Promise<void> {
  await wh.run(`create or replace temp table att_share (player VARCHAR, share DOUBLE)`);
  if (shares.length === 0) return;
  // A few dozen players at most: one insert with bound values.
  const rows = shares
    .map((s) => sql`(${s.channel}, ${Number.isFinite(s.share) ? s.share : 0}::DOUBLE)`)
    .reduce((a, b) => sql`${a}, ${b}`);
  await wh.run(sql`insert into att_share values ${rows}`);
}
