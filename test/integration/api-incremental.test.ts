/**
 * The executive overview's incremental revenue comes from the latest incrementality run: the
 * sum of the partners' point estimates, with the sums of their 95% bounds as the interval;
 * partners without an estimate (too few engaged accounts) are left out, and a partner token
 * sees only its own estimate.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/index.js';
import { fromMinor, toMinor } from '../../src/core/money.js';
import { runAttribution } from '../../src/attribution/index.js';
import { createToken, createUser } from '../../src/governance/index.js';
import { getIncrementalityResults, runIncrementality } from '../../src/incrementality/index.js';
import { Warehouse } from '../../src/warehouse/index.js';
import { buildIncrementalityFixture } from './incrementality-fixture.js';

let dir: string;
let wh: Warehouse;
let app: FastifyInstance;
let admin: string;
let partner1: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jointly-api-inc-'));
  wh = await Warehouse.open(join(dir, 'w.duckdb'));
  await buildIncrementalityFixture(wh);
  await runAttribution(wh, { model: 'linear' });
  await runIncrementality(wh, { seed: 1, bootstrapIterations: 100, controlPool: 2000, by: 'partner' });
  admin = (await createToken(wh, { userId: (await createUser(wh, { name: 'A', role: 'admin' })).userId })).token;
  partner1 = (await createToken(wh, { userId: (await createUser(wh, { name: 'P1', role: 'partner', partnerId: 'p1' })).userId })).token;
  app = await buildServer({ wh, webRoot: dir });
}, 120_000);

afterAll(async () => {
  await app.close();
  await wh.close();
  rmSync(dir, { recursive: true, force: true });
});

async function overview(token: string) {
  const res = await app.inject({ url: '/api/v1/overview', headers: { authorization: `Bearer ${token}` } });
  expect(res.statusCode).toBe(200);
  return (JSON.parse(res.body) as { totals: Record<string, unknown> }).totals;
}

/** Cents of a stored DECIMAL(18,2) string (exact). */
const c = (v: string | null) => toMinor(v ?? 'missing');
const dollars = fromMinor;

describe('incremental revenue on the overview', () => {
  test('sums the estimated partners and their bounds; the thin partner is left out', async () => {
    const rows = (await getIncrementalityResults(wh, { by: 'partner' })).rows.filter((r) => r.metric === 'revenue');
    const estimated = rows.filter((r) => r.incremental !== null);
    // p3 engages 5 accounts: no estimate.
    expect(rows.find((r) => r.unit_id === 'p3')?.incremental).toBeNull();
    expect(estimated.map((r) => r.unit_id)).toEqual(['p1', 'p2']);
    const sum = (k: 'incremental' | 'ci_low' | 'ci_high') => dollars(estimated.reduce((a, r) => a + c(r[k]), 0n));
    expect(await overview(admin)).toMatchObject({
      incremental_revenue: sum('incremental'),
      incremental_revenue_low: sum('ci_low'),
      incremental_revenue_high: sum('ci_high'),
      incremental_partners: 2,
    });
  });

  test('a partner token sees only its own estimate', async () => {
    const p1 = (await getIncrementalityResults(wh, { by: 'partner' })).rows.find((r) => r.unit_id === 'p1' && r.metric === 'revenue');
    expect(await overview(partner1)).toMatchObject({
      incremental_revenue: dollars(c(p1?.incremental ?? null)),
      incremental_revenue_low: dollars(c(p1?.ci_low ?? null)),
      incremental_partners: 1,
    });
  });
});
