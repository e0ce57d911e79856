/**
 * Renewal prediction checked against the generator's planted truth: the generator gives every
 * account a latent health that drives its product usage and its churn (truth.renewal); the
 * renewal model, which sees only the usage, touches and opportunities ingested from the files,
 * must recover it. Two modules written separately must agree.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoData } from '../../src/generate/index.js';
import { ingestPaths } from '../../src/ingest/index.js';
import { Warehouse } from '../../src/warehouse/index.js';
import { predictRenewal, type RenewalPrediction } from '../../src/engagement/index.js';

interface RenewalTruth {
  health_effect_log_odds: number;
  base_churn: { direct: { non_renewal_log_odds: number } };
  realised: { closed_renewals: number; lost_renewals: number; mean_health_renewed: number; mean_health_lost: number };
}

async function generateAndPredict(scale: 'ci' | 'small', seed: number): Promise<{ truth: RenewalTruth; prediction: RenewalPrediction; closed: number }> {
  const dir = mkdtempSync(join(tmpdir(), `jointly-renewal-${scale}-`));
  const gen = await generateDemoData({ seed, scale, outDir: join(dir, 'data') });
  const truth = (JSON.parse(readFileSync(gen.truthFile, 'utf8')) as { renewal: RenewalTruth }).renewal;
  const wh = await Warehouse.open(join(dir, 'w.duckdb'));
  try {
    await ingestPaths(wh, [join(dir, 'data')], { now: new Date('2026-11-01T00:00:00Z') });
    const rows = await wh.allJS<{ n: number }>(`select count(*)::INTEGER as n from core.opportunities where type = 'renewal' and is_closed`);
    return { truth, prediction: await predictRenewal(wh, {}), closed: Number(rows[0]?.n ?? 0) };
  } finally {
    await wh.close();
  }
}

/**
 * AUC of the health itself for a first renewal: P(h of a renewed customer > h of a lost one) when
 * P(lost | h) = logistic(c − b·h), h ~ N(0, 1); midpoint rule on a grid. The best any model can do.
 */
function healthCeilingAuc(b: number, c: number): number {
  const hs: number[] = [];
  const lost: number[] = [];
  const kept: number[] = [];
  for (let k = 0; k < 800; k++) {
    const h = -8 + (k + 0.5) * 0.02;
    const w = Math.exp(-(h * h) / 2);
    const p = 1 / (1 + Math.exp(-(c - b * h)));
    hs.push(h);
    lost.push(w * p);
    kept.push(w * (1 - p));
  }
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
  let pairs = 0;
  let lostBelow = 0;
  for (let i = 0; i < hs.length; i++) {
    pairs += (kept[i] ?? 0) * (lostBelow + (lost[i] ?? 0) / 2);
    lostBelow += lost[i] ?? 0;
  }
  return pairs / (sum(kept) * sum(lost));
}

let ci: Awaited<ReturnType<typeof generateAndPredict>>;
let small: Awaited<ReturnType<typeof generateAndPredict>>;

beforeAll(async () => {
  ci = await generateAndPredict('ci', 42);
  small = await generateAndPredict('small', 42);
}, 120_000);

describe('renewal prediction against the planted health', () => {
  test('on ci data the held-out AUC recovers a good part of the planted health effect', () => {
    const { truth, prediction } = ci;
    // The plant must be a real effect, else the threshold below would be chance.
    expect(truth.health_effect_log_odds).toBeGreaterThanOrEqual(1);
    expect(truth.realised.mean_health_lost).toBeLessThan(truth.realised.mean_health_renewed);
    // Ceiling: knowing each customer's health exactly (about 0.82 at log-odds 1.5). The model only
    // sees noisy proxies (Poisson usage counts, share of the catalogue used, active months), so we
    // ask for half the ceiling's lift over chance: about 0.66. With ~650 held-out renewals (~125
    // lost) the AUC's standard error is ~0.025. Observed at seed 42: 0.77. With renewal made
    // independent of health (checked by hand) it is 0.59: the partner-sourced cohort's lower churn
    // (the cohort plant, seen through partner_brought) is all that is left, and that fails here.
    const ceiling = healthCeilingAuc(truth.health_effect_log_odds, truth.base_churn.direct.non_renewal_log_odds);
    expect(ceiling).toBeGreaterThan(0.75);
    const threshold = 0.5 + (ceiling - 0.5) / 2;
    expect(prediction.evaluation.test_rows - prediction.evaluation.test_positives).toBeGreaterThanOrEqual(50);
    expect(prediction.evaluation.auc).toBeGreaterThan(threshold);
    // Healthier customers use more: the usage volume and the share of the catalogue raise renewal.
    const coef = prediction.evaluation.coefficients;
    expect((coef['log_usage_events_90d'] ?? 0) + (coef['adoption_180d'] ?? 0)).toBeGreaterThan(0);
  });

  test('the labelled renewals the model trains on are the closed renewals the generator planted', () => {
    const { truth, prediction, closed } = ci;
    const e = prediction.evaluation;
    expect(e.train_rows + e.test_rows).toBe(closed);
    // Dirty rows are extra corrupted copies (quarantined at ingest), so every clean renewal arrives.
    expect(closed).toBe(truth.realised.closed_renewals);
    const lost = e.train_rows - e.train_positives + e.test_rows - e.test_positives;
    expect(lost).toBe(truth.realised.lost_renewals);
  });

  test('the small demo (seed 42) has enough lost renewals to train: the model scores instead of refusing', () => {
    const e = small.prediction.evaluation;
    // engagement.yaml asks for 10 of each outcome in training; the plant gives 12 at seed 42.
    expect(e.train_rows - e.train_positives).toBeGreaterThanOrEqual(10);
    expect(e.test_rows - e.test_positives).toBeGreaterThanOrEqual(3);
    expect(small.prediction.customers.length).toBeGreaterThan(0);
    expect(Number.isFinite(e.auc)).toBe(true);
  });
});
