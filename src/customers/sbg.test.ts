import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { fitSbg, fitSbgCounts, sbgDerl, sbgLogLikelihood, sbgSurvival } from './sbg.js';
import { nelderMead } from './nelder-mead.js';

// Table 1 of Fader & Hardie (2007), "How to Project Customer Retention", Journal of Interactive
// Marketing 21(1), 76-90; the paper fits years 1-7 and reports alpha = 0.704, beta = 1.182
// ("regular") and alpha = 0.668, beta = 3.806 ("high end").
const csv = readFileSync(new URL('../../../shared/datasets/sbg-fader-hardie-2007/cohort_survivors.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(',').map(Number));
const regular = csv.map((r) => r[1]!);
const highEnd = csv.map((r) => r[2]!);

describe('shifted-beta-geometric', () => {
  test('reproduces the published fit of the "regular" cohort (alpha 0.704, beta 1.182)', () => {
    const fit = fitSbg(regular.slice(0, 8));
    expect(fit.alpha).toBeCloseTo(0.704, 3);
    expect(fit.beta).toBeCloseTo(1.182, 3);
    expect(fit.converged).toBe(true);
  });

  test('reproduces the published fit of the "high end" cohort (alpha 0.668, beta 3.806)', () => {
    const fit = fitSbg(highEnd.slice(0, 8));
    expect(fit.alpha).toBeCloseTo(0.668, 3);
    expect(fit.beta).toBeCloseTo(3.806, 3);
  });

  test('the fit is the maximum: nearby parameters have a lower likelihood', () => {
    const data = regular.slice(0, 8);
    const fit = fitSbg(data);
    for (const [da, db] of [[0.01, 0], [-0.01, 0], [0, 0.01], [0, -0.01]] as const) {
      expect(sbgLogLikelihood({ alpha: fit.alpha + da, beta: fit.beta + db }, data)).toBeLessThan(fit.log_likelihood);
    }
  });

  test('the projection tracks the holdout years 8-12 within 2 % of the cohort', () => {
    const fit = fitSbg(regular.slice(0, 8));
    const s = sbgSurvival(fit, 12);
    for (let t = 8; t <= 12; t++) expect(Math.abs(1000 * s[t]! - regular[t]!)).toBeLessThan(20);
  });

  test('the closed-form discounted lifetime equals the discounted sum of survival', () => {
    const p = { alpha: 0.668, beta: 3.806 };
    const s = sbgSurvival(p, 4000);
    const direct = s.reduce((acc, v, t) => acc + v / 1.1 ** t, 0);
    expect(sbgDerl({ ...p, discount: 0.1 })).toBeCloseTo(direct, 8);
    // A customer who has renewed 4 times: sum_{t>=5} S(t)/S(4) / 1.1^(t-4).
    const residual = s.slice(5).reduce((acc, v, i) => acc + v / s[4]! / 1.1 ** (i + 1), 0);
    expect(sbgDerl({ ...p, discount: 0.1, renewals: 4 })).toBeCloseTo(residual, 8);
  });

  test('pooled counts of one cohort give the same fit as its survivor curve', () => {
    const data = regular.slice(0, 8);
    const churned = [0, ...data.slice(1).map((v, i) => data[i]! - v)];
    const alive = data.map((v, i) => (i === data.length - 1 ? v : 0));
    const fit = fitSbgCounts({ churned, alive });
    expect(fit.alpha).toBeCloseTo(0.704, 3);
    expect(fit.beta).toBeCloseTo(1.182, 3);
  });

  test('pooling the cohort with a copy censored at year 4 keeps the fit near the published values', () => {
    // The regular cohort to year 7 plus the same cohort observed only to year 4: the censored
    // likelihood must not be pulled away from the single-cohort estimate.
    const a = regular.slice(0, 8);
    const b = regular.slice(0, 5);
    const churned = Array.from({ length: 8 }, (_, t) => (t === 0 ? 0 : a[t - 1]! - a[t]! + (t < 5 ? b[t - 1]! - b[t]! : 0)));
    const alive = Array.from({ length: 8 }, (_, n) => (n === 7 ? a[7]! : 0) + (n === 4 ? b[4]! : 0));
    const fit = fitSbgCounts({ churned, alive });
    expect(fit.alpha).toBeGreaterThan(0.6);
    expect(fit.alpha).toBeLessThan(0.8);
    expect(fit.beta).toBeGreaterThan(1.0);
    expect(fit.beta).toBeLessThan(1.4);
  });

  describe('failures', () => {
    test('a rising survivor curve is refused naming the period', () => {
      expect(() => fitSbg([100, 80, 90])).toThrow(/Period 2/);
    });
    test('a cohort without churn cannot be fitted and says so', () => {
      expect(() => fitSbg([100, 100, 100])).toThrow(/No customer churned/);
    });
  });
});

describe('Nelder-Mead', () => {
  test("finds the minimum of Rosenbrock's function at (1, 1)", () => {
    const r = nelderMead((x) => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2, [-1.2, 1], { tolerance: 1e-14, maxIterations: 10000 });
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
  });
});
