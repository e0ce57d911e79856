import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Warehouse } from '../../warehouse/index.js';
import { aggregatedPaths, type Players } from './data-driven-paths.js';

// Candidate touches written straight into the temp tables the paths read (att_cand, att_opp):
// 400 opportunities with 0-80 touches each (paths longer than one packed key), 14 channels,
// partners on some touches, and many equal timestamps so the touchpoint id breaks ties.
const CAND = `create or replace temp table att_cand as
  select 'O' || (i % 400) as opp_key, 'T' || i as touchpoint_id,
    TIMESTAMP '2025-01-01' + to_hours((hash(i, 'h') % 50)::INTEGER) as occurred_at,
    'ch' || (hash(i, 'c') % 14) as channel,
    case when hash(i, 'p') % 4 = 0 then 'P' || (hash(i, 'q') % 30) end as partner_id
  from range(20000) r(i)
  where hash(i % 400, 'len') % 81 > (i // 400) % 81`;
const OPP = `create or replace temp table att_opp as
  select 'O' || i as opp_key, i % 3 = 0 as is_won, (1000 + i * 7)::BIGINT as cents
  from range(400) r(i)`;

/** The reference: one ordered string_agg per opportunity, as the paths were built before. */
async function reference(wh: Warehouse, players: Players): Promise<string[]> {
  const player = players === 'channels' ? 'c.channel' : `coalesce('partner:' || c.partner_id, c.channel)`;
  const rows = await wh.all<{ path: string; conversions: number; value: number; nulls: number }>(`
    with journeys as (
      select c.opp_key, string_agg(${player}, '>' order by c.occurred_at, c.touchpoint_id) as path
      from att_cand c
      group by c.opp_key
    )
    select j.path, count(*) filter (where o.is_won)::INTEGER as conversions,
      coalesce(sum(o.cents) filter (where o.is_won), 0)::DOUBLE / 100 as value,
      count(*) filter (where not o.is_won)::INTEGER as nulls
    from journeys j
    join att_opp o on o.opp_key = j.opp_key
    group by j.path`);
  return rows.map((r) => `${r.path}|${r.conversions}|${r.value}|${r.nulls}`).sort();
}

describe('aggregated paths', () => {
  let wh: Warehouse;
  beforeAll(async () => {
    wh = await Warehouse.open(join(mkdtempSync(join(tmpdir(), 'jointly-paths-')), 'p.duckdb'));
    await wh.run(CAND);
    await wh.run(OPP);
  });
  afterAll(async () => {
    await wh.close();
  });

  test.each(['channels', 'partners'] as const)('packed %s paths equal ordered per-opportunity paths', async (players) => {
    const longest = await wh.all<{ n: number }>(`select max(n)::INTEGER as n from (select count(*) as n from att_cand group by opp_key)`);
    // Channels pack 31 players per key (4 bits), partners 21 (44 players, 6 bits): both need several keys.
    expect(Number(longest[0]?.n)).toBeGreaterThan(31);
    const packed = (await aggregatedPaths(wh, players)).map((p) => `${p.path.join('>')}|${p.conversions}|${p.value}|${p.nulls}`).sort();
    expect(packed).toEqual(await reference(wh, players));
  });

  test('no candidate touches give no paths', async () => {
    await wh.run(`create or replace temp table att_cand as select * from att_cand where false`);
    expect(await aggregatedPaths(wh, 'channels')).toEqual([]);
    await wh.run(CAND);
  });
});
