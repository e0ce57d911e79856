/**
 * ChannelAttribution's example journeys (Data.csv of GitHub DavideAltomare/ChannelAttribution,
 * python/src/cypack/data/Data.csv at 3fa49d6; kept read-only in ../shared/datasets/
 * channelattribution-paths). Its README publishes no model outputs, so the checks here are
 * cross-implementation: the TypeScript engine against independent DuckDB SQL over the raw file
 * (first/last/linear touch, and exact Shapley through its closed form), and the two Markov solvers
 * against each other. Skipped when the shared datasets folder is not next to the repository.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  firstTouchCredits,
  lastTouchCredits,
  linearCredits,
  markovModel,
  parsePathsCsv,
  shapleyCredits,
  type ChannelCredit,
  type PathRow,
} from '../../src/attribution/data-driven/index.js';
import { Warehouse, sql } from '../../src/warehouse/index.js';

const DATA = resolve(process.cwd(), '..', 'shared', 'datasets', 'channelattribution-paths', 'Data.csv');
const present = existsSync(DATA);

type SqlCredit = { channel: string; conversions: number; value: number };
const round = (rows: (SqlCredit | ChannelCredit)[]) =>
  rows
    .map((r) => ({ channel: r.channel, conversions: Number(r.conversions.toFixed(6)), value: Number(r.value.toFixed(6)) }))
    .sort((a, b) => (a.channel < b.channel ? -1 : 1));

describe.skipIf(!present)('ChannelAttribution example data (10,000 paths, 12 channels)', () => {
  let wh: Warehouse;
  let paths: PathRow[];

  beforeAll(async () => {
    wh = await Warehouse.open(join(mkdtempSync(join(tmpdir(), 'jointly-ca-')), 'check.duckdb'), { skipMigrations: true });
    await wh.run(sql`
      create table paths as
      select list_transform(string_split(path, '>'), x -> trim(x)) as parts,
             total_conversions::double as c,
             total_conversion_value::double as v
      from read_csv(${DATA}, delim = ';', header = true, all_varchar = true)`);
    paths = parsePathsCsv({ file: DATA });
  });
  afterAll(async () => {
    await wh.close();
  });

  const viaSql = (select: string) => wh.allJS<SqlCredit>(select);

  test('all 10,000 rows parse and totals match the file', async () => {
    expect(paths).toHaveLength(10_000);
    const [t] = await viaSql('select count(*)::integer as channel, sum(c) as conversions, sum(v) as value from paths');
    expect(paths.reduce((s, p) => s + p.conversions, 0)).toBe(t?.conversions);
    expect(paths.reduce((s, p) => s + p.value, 0)).toBeCloseTo(t?.value ?? 0, 6);
  });

  test('first, last and linear touch equal the same rules written in SQL', async () => {
    const first = await viaSql('select parts[1] as channel, sum(c) as conversions, sum(v) as value from paths group by 1');
    const last = await viaSql('select parts[-1] as channel, sum(c) as conversions, sum(v) as value from paths group by 1');
    const linear = await viaSql(`
      select ch as channel, sum(c / len(parts)) as conversions, sum(v / len(parts)) as value
      from paths, unnest(parts) as u(ch)
      group by 1`);
    // channels that are never first or last appear with 0 in the engine's output
    const withZeros = (rows: SqlCredit[], all: ChannelCredit[]) =>
      all.map((c) => rows.find((r) => r.channel === c.channel) ?? { channel: c.channel, conversions: 0, value: 0 });
    const ft = firstTouchCredits(paths);
    expect(round(ft)).toEqual(round(withZeros(first, ft)));
    expect(round(lastTouchCredits(paths))).toEqual(round(withZeros(last, ft)));
    expect(round(linearCredits(paths))).toEqual(round(linear));
  });

  test('exact Shapley over 12 channels equals each channel set split equally among its members (SQL)', async () => {
    const closed = await viaSql(`
      with sets as (select list_distinct(parts) as s, c, v from paths)
      select ch as channel, sum(c / len(s)) as conversions, sum(v / len(s)) as value
      from sets, unnest(s) as u(ch)
      group by 1`);
    const result = shapleyCredits(paths);
    expect(result.method).toBe('exact');
    expect(result.credits).toHaveLength(12);
    expect(round(result.credits)).toEqual(round(closed));
  });

  test('Markov: the direct and the iterative solver agree for orders 1 and 2; orders 3 and 4 conserve totals', () => {
    for (const order of [1, 2] as const) {
      const dense = markovModel(paths, { order, solver: 'dense' });
      const iterative = markovModel(paths, { order, solver: 'iterative' });
      expect(iterative.conversionProbability).toBeCloseTo(dense.conversionProbability, 11);
      dense.credits.forEach((c, i) => expect(iterative.credits[i]?.removalEffect).toBeCloseTo(c.removalEffect, 9));
    }
    const total = paths.reduce((s, p) => s + p.conversions, 0);
    for (const order of [3, 4] as const) {
      const m = markovModel(paths, { order });
      expect(m.solver).toBe('iterative');
      expect(m.credits.reduce((s, c) => s + c.conversions, 0)).toBeCloseTo(total, 6);
    }
  });
});
