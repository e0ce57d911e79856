/**
 * Incrementality against the demo generator's planted truth at the small scale (the partner-rich
 * bar test is incrementality-truth-ci.test.ts; medium figures are in bench/incrementality.bench.ts).
 * At this scale most partners have
 * too few engaged accounts, so the test checks that those say so, and that every unit that does
 * get an estimate has an interval covering its planted (expected) incremental revenue in at
 * least 90 % of cases; and that the holdout readout covers the realised effect of the experiment.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../src/warehouse/index.js';
import { generateDemoData, type Truth } from '../../src/generate/index.js';
import { ingestPaths } from '../../src/ingest/index.js';
import { runAttribution } from '../../src/attribution/index.js';
import { readoutExperiments, runIncrementality, scoreAgainstTruth, type IncrementalityRun } from '../../src/incrementality/index.js';

let wh: Warehouse;
let truth: Truth;
let run: IncrementalityRun;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jointly-truth-'));
  await generateDemoData({ seed: 42, scale: 'small', outDir: join(dir, 'data') });
  truth = JSON.parse(readFileSync(join(dir, 'data', 'truth.json'), 'utf8'));
  wh = await Warehouse.open(join(dir, 'w.duckdb'));
  await ingestPaths(wh, [join(dir, 'data')]);
  await runAttribution(wh, { model: 'linear' });
  run = await runIncrementality(wh, { seed: 1, bootstrapIterations: 500 });
}, 180_000);

afterAll(async () => {
  await wh.close();
});

describe('incrementality against the planted truth (small scale)', () => {
  test('every estimated unit with a planted effect is covered by its 95% interval (bar: 90%)', () => {
    const units = [
      ...truth.partners.map((p) => ({ kind: 'partner', id: p.partner_id, t: p })),
      ...truth.programs.map((p) => ({ kind: 'program', id: p.program, t: p })),
    ].filter((u) => u.t.open_lift !== 0 || u.t.win_lift !== 0 || u.t.deal_size_multiplier !== 1);
    const est = run.rows
      .filter((r) => r.metric === 'revenue')
      .map((r) => ({ id: `${r.unit_kind}:${r.unit_id}`, estimate: r.incremental === null ? null : Number(r.incremental), ci_low: r.ci_low === null ? null : Number(r.ci_low), ci_high: r.ci_high === null ? null : Number(r.ci_high) }));
    const score = scoreAgainstTruth(est, units.map((u) => ({ id: `${u.kind}:${u.id}`, truth: Number(u.t.expected_incremental_revenue) })));
    expect(score.estimated).toBeGreaterThan(0);
    expect(score.coverage).toBeGreaterThanOrEqual(0.9);
  });

  test('units without enough engaged accounts print "insufficient data", never a number', () => {
    const thin = run.rows.filter((r) => r.matched_accounts < 30);
    expect(thin.length).toBeGreaterThan(0);
    for (const r of thin) {
      expect(r.incremental).toBeNull();
      expect(r.note).toMatch(/^insufficient data \(n=\d+/);
    }
  });

  test('attributed revenue comes from the attribution run and the factor is incremental ÷ attributed', () => {
    const est = run.rows.filter((r) => r.incremental !== null && r.attributed !== null && Number(r.attributed) > 0);
    expect(est.length).toBeGreaterThan(0);
    for (const r of est) expect(r.incrementality_factor).toBeCloseTo(Number(r.incremental) / Number(r.attributed), 2);
  });

  test('the holdout readout covers the realised incremental pipeline and revenue of the experiment', async () => {
    const exp = truth.experiments[0];
    expect(exp).toBeDefined();
    const id = String(exp?.['experiment_id']);
    const assigned = Date.parse(String(exp?.['assigned_at']));
    const windowDays = Math.ceil((Date.parse(String(exp?.['window_end'])) - assigned) / 86_400_000);
    const [r] = await readoutExperiments(wh, { experimentId: id, windowDays, opportunityTypes: ['new_business'] });
    expect(r?.srm.mismatch).toBe(false);
    for (const [metric, key] of [['pipeline_per_account', 'realised_incremental_pipeline'], ['revenue_per_account', 'realised_incremental_revenue']] as const) {
      const m = r?.metrics.find((x) => x.metric === metric);
      const realised = Number(exp?.[key]);
      // The interval of the lift per account, times treated accounts, bounds the incremental total.
      expect((m?.ci_low ?? 0) * (m?.n_treatment ?? 0), metric).toBeLessThanOrEqual(realised);
      expect((m?.ci_high ?? 0) * (m?.n_treatment ?? 0), metric).toBeGreaterThanOrEqual(realised);
    }
  });
});
