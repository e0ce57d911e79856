/**
 * Issue 4's accuracy bar for counterfactual estimates, at a CI-sized scale: the generator's `ci`
 * profile (20,000 accounts, 16 partners, ~70-900 engaged accounts per partner, seed 42) is
 * generated, ingested and estimated end to end (no attribution run: the estimate does not need
 * one). Scored on incremental revenue against the planted (expected) truth:
 * - the 95 % intervals cover the truth for >= 90 % of the partners and programs with an effect;
 * - Spearman (midranks for ties) of partner estimates against the truth >= 0.8, over partners
 *   with an effect.
 *
 * Sampling variability, stated rather than hidden: the thresholds are the issue's, but at this
 * size one seed is one draw. With ~16 units a perfectly calibrated 95 % interval still misses 2 or
 * more (coverage < 0.9) with probability ~0.19, and Spearman over 9-10 partners moves a lot
 * between seeds. Measured with the same code (`npx tsx bench/incrementality.bench.ts ci-seeds 42 1 2 3 4`):
 * coverage 16/16 (seed 42, this test), 15/15, 14/15, 14/15, 13/16 (seeds 1-4); Spearman 0.98
 * (seed 42), 0.73, 0.87, 0.60, 0.82 (seeds 1-4). So this test passes at seed 42, but the ci scale
 * does NOT pass the bars at every seed (Spearman at 2 of 5, coverage at 1 of 5); seed 42 is the
 * project's default seed, not one picked to pass. The medium benchmark (bench/incrementality.bench.ts,
 * 47 partners with an effect) is where the bar is judged.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../src/warehouse/index.js';
import { generateDemoData, type EffectTruth, type Truth } from '../../src/generate/index.js';
import { ingestPaths } from '../../src/ingest/index.js';
import { runIncrementality, scoreAgainstTruth, type IncrementalityRun } from '../../src/incrementality/index.js';

let dir: string;
let wh: Warehouse;
let truth: Truth;
let run: IncrementalityRun;

beforeAll(async () => {
  process.env['JOINTLY_PII_KEY'] ??= 'test-pii-key-not-secret';
  dir = mkdtempSync(join(tmpdir(), 'jointly-truth-ci-'));
  await generateDemoData({ seed: 42, scale: 'ci', outDir: join(dir, 'data') });
  truth = JSON.parse(readFileSync(join(dir, 'data', 'truth.json'), 'utf8'));
  wh = await Warehouse.open(join(dir, 'w.duckdb'));
  await ingestPaths(wh, [join(dir, 'data')]);
  run = await runIncrementality(wh, { seed: 1, bootstrapIterations: 500 });
}, 240_000);

afterAll(async () => {
  await wh.close();
  rmSync(dir, { recursive: true, force: true });
});

const hasEffect = (t: EffectTruth): boolean => t.open_lift !== 0 || t.win_lift !== 0 || t.deal_size_multiplier !== 1;
const estimates = (kind: 'partner' | 'program') =>
  run.rows
    .filter((r) => r.unit_kind === kind && r.metric === 'revenue')
    .map((r) => ({ id: `${kind}:${r.unit_id}`, estimate: r.incremental === null ? null : Number(r.incremental), ci_low: r.ci_low === null ? null : Number(r.ci_low), ci_high: r.ci_high === null ? null : Number(r.ci_high) }));

describe('incrementality against the planted truth (ci scale, partner-rich)', () => {
  test('the scale is partner-rich: every partner with an effect has at least 30 engaged accounts and gets an estimate', () => {
    const withEffect = truth.partners.filter(hasEffect);
    expect(withEffect.length).toBeGreaterThanOrEqual(8);
    for (const p of withEffect) {
      expect(p.engaged_accounts, p.partner_id).toBeGreaterThanOrEqual(30);
      const r = run.rows.find((x) => x.unit_kind === 'partner' && x.unit_id === p.partner_id && x.metric === 'revenue');
      expect(r?.incremental, p.partner_id).not.toBeNull();
      expect(r?.matched_accounts, p.partner_id).toBeGreaterThanOrEqual(30);
    }
  });

  test('95% intervals cover the planted incremental revenue of >= 90% of partners and programs with an effect', () => {
    const units = [
      ...truth.partners.filter(hasEffect).map((p) => ({ id: `partner:${p.partner_id}`, truth: Number(p.expected_incremental_revenue) })),
      ...truth.programs.filter(hasEffect).map((p) => ({ id: `program:${p.program}`, truth: Number(p.expected_incremental_revenue) })),
    ];
    const score = scoreAgainstTruth([...estimates('partner'), ...estimates('program')], units);
    expect(score.estimated).toBe(units.length);
    expect(score.coverage).toBeGreaterThanOrEqual(0.9);
  });

  test('partner estimates rank like the planted truth (Spearman >= 0.8 over partners with an effect)', () => {
    const units = truth.partners.filter(hasEffect).map((p) => ({ id: `partner:${p.partner_id}`, truth: Number(p.expected_incremental_revenue) }));
    const score = scoreAgainstTruth(estimates('partner'), units);
    expect(score.estimated).toBe(units.length);
    expect(score.spearman).toBeGreaterThanOrEqual(0.8);
  });

  test('partners without an effect are not found significantly positive in most cases (interval holds 0)', () => {
    const zero = truth.partners.filter((p) => !hasEffect(p));
    const est = estimates('partner').filter((e) => zero.some((p) => `partner:${p.partner_id}` === e.id) && e.estimate !== null);
    expect(est.length).toBeGreaterThan(0);
    const holdsZero = est.filter((e) => (e.ci_low ?? 0) <= 0 && 0 <= (e.ci_high ?? 0)).length;
    expect(holdsZero / est.length).toBeGreaterThanOrEqual(0.75);
  });
});
