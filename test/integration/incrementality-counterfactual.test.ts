import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../src/warehouse/index.js';
import { runIncrementality, getIncrementalityResults, FEATURES, PROPENSITY_FEATURES, type IncrementalityRun } from '../../src/incrementality/index.js';
import { buildIncrementalityFixture, type PlantedTruth } from './incrementality-fixture.js';

let wh: Warehouse;
let truth: PlantedTruth[];
let run: IncrementalityRun;

beforeAll(async () => {
  wh = await Warehouse.open(join(mkdtempSync(join(tmpdir(), 'jointly-cf-')), 'w.duckdb'));
  truth = await buildIncrementalityFixture(wh);
  run = await runIncrementality(wh, { seed: 1, bootstrapIterations: 400, controlPool: 5000 });
});

afterAll(async () => {
  await wh.close();
});

const row = (kind: string, id: string, metric: string) =>
  run.rows.find((r) => r.unit_kind === kind && r.unit_id === id && r.metric === metric);

describe('counterfactual incrementality', () => {
  test('the 95% intervals cover the planted incremental revenue and pipeline of every estimated unit', () => {
    for (const t of truth.filter((x) => x.unit_id !== 'p3' && x.unit_id !== 'Gamma')) {
      for (const metric of ['revenue', 'pipeline'] as const) {
        const r = row(t.unit_kind, t.unit_id, metric);
        expect(r?.incremental, `${t.unit_id} ${metric}`).not.toBeNull();
        const planted = t[metric];
        expect(Number(r?.ci_low), `${t.unit_id} ${metric} low vs ${planted}`).toBeLessThanOrEqual(planted);
        expect(Number(r?.ci_high), `${t.unit_id} ${metric} high vs ${planted}`).toBeGreaterThanOrEqual(planted);
      }
    }
  });

  test('the effective partner is found significantly positive and ranked above the one without effect', () => {
    const p1 = row('partner', 'p1', 'revenue');
    const p2 = row('partner', 'p2', 'revenue');
    expect(Number(p1?.ci_low)).toBeGreaterThan(0);
    expect(Number(p1?.incremental)).toBeGreaterThan(Number(p2?.incremental));
  });

  test('matching removes the size confounding: matched features shrink below 0.1, pre-period activity shrinks too', () => {
    const p1 = row('partner', 'p1', 'revenue');
    const emp = p1?.balance.find((b) => b.feature === 'ln_employees');
    expect(Math.abs(emp?.smd_before ?? 0)).toBeGreaterThan(0.2);
    expect(p1?.balance.map((b) => b.feature)).toEqual([...FEATURES]);
    for (const b of p1?.balance ?? []) {
      // Pre-period activity is not matched on (the DiD removes what is left of it): it is reported.
      if ((PROPENSITY_FEATURES as readonly string[]).includes(b.feature)) expect(Math.abs(b.smd_after), b.feature).toBeLessThan(0.1);
      expect(Math.abs(b.smd_after), b.feature).toBeLessThan(Math.abs(b.smd_before));
    }
  });

  test('a partner with 5 engaged accounts gets no number, only "insufficient data (n=5 …)"', () => {
    const p3 = row('partner', 'p3', 'revenue');
    expect(p3?.incremental).toBeNull();
    expect(p3?.note).toMatch(/^insufficient data \(n=5 /);
  });

  test('the run is stored and reads back the same rows; without attribution the factor is unknown', async () => {
    const back = await getIncrementalityResults(wh, { by: 'partner' });
    expect(back.run_id).toBe(run.run_id);
    expect(back.rows).toEqual(run.rows.filter((r) => r.unit_kind === 'partner'));
    expect(row('partner', 'p1', 'revenue')?.attributed).toBeNull();
    expect(row('partner', 'p1', 'revenue')?.incrementality_factor).toBeNull();
  });

  test('the same seed gives the same estimates', async () => {
    const again = await runIncrementality(wh, { seed: 1, bootstrapIterations: 400, controlPool: 5000, by: 'partner' });
    expect(again.rows).toEqual(run.rows.filter((r) => r.unit_kind === 'partner'));
  });
});
