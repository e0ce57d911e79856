import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { twoProportionTest } from './two-proportion-test.js';
import { summarize, welchTTest } from './welch-t-test.js';
import { srmTest } from './srm-test.js';
import { sampleSizeMeans, sampleSizeProportions, tTestPower } from './sample-size.js';
import { bootstrapCi } from './bootstrap.js';

const DATA = new URL('../../../shared/datasets/two-sample-test-examples/', import.meta.url);

function readCsv(name: string): string[][] {
  return readFileSync(new URL(name, DATA), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map((c) => c.replace(/"/g, '')));
}

describe('two-proportion test', () => {
  test('matches the statsmodels proportions_ztest example (5/83 vs 12/99: z 1.408, p 0.159)', () => {
    const rows = readCsv('two_proportions.csv');
    const a = rows.find((r) => r[0] === 'A')!;
    const b = rows.find((r) => r[0] === 'B')!;
    const r = twoProportionTest({
      successesControl: Number(a[1]),
      totalControl: Number(a[2]),
      successesTreatment: Number(b[1]),
      totalTreatment: Number(b[2]),
    });
    // statsmodels: proportions_ztest([5, 12], [83, 99]) -> (-1.4078, 0.1592) for A - B.
    expect(r.z).toBeCloseTo(1.4078, 3);
    expect(r.p_value).toBeCloseTo(0.1592, 3);
    expect(r.diff).toBeCloseTo(12 / 99 - 5 / 83, 12);
    // Wald interval of the difference: diff ± 1.96 * sqrt(p1 q1 / n1 + p0 q0 / n0).
    const se = Math.sqrt(((12 / 99) * (87 / 99)) / 99 + ((5 / 83) * (78 / 83)) / 83);
    expect(r.ci_low).toBeCloseTo(r.diff - 1.959964 * se, 5);
    expect(r.ci_high).toBeCloseTo(r.diff + 1.959964 * se, 5);
  });

  describe('failures', () => {
    test('an empty arm is refused with a clear message', () => {
      expect(() =>
        twoProportionTest({ successesControl: 0, totalControl: 0, successesTreatment: 1, totalTreatment: 3 }),
      ).toThrow(/both groups/);
    });
  });
});

describe("Welch's t-test", () => {
  test("matches R's t.test(extra ~ group, data = sleep)", () => {
    const rows = readCsv('sleep.csv');
    const g1 = rows.filter((r) => r[1] === '1').map((r) => Number(r[0]));
    const g2 = rows.filter((r) => r[1] === '2').map((r) => Number(r[0]));
    const r = welchTTest({ x: summarize(g1), y: summarize(g2) });
    // R 4.x: t = -1.8608, df = 17.776, p-value = 0.07939, 95% CI -3.3654832 0.2054832.
    expect(r.t).toBeCloseTo(-1.8608, 4);
    expect(r.df).toBeCloseTo(17.776, 3);
    expect(r.p_value).toBeCloseTo(0.07939, 5);
    expect(r.ci_low).toBeCloseTo(-3.3654832, 6);
    expect(r.ci_high).toBeCloseTo(0.2054832, 6);
  });
});

describe('sample-ratio mismatch', () => {
  test('550 vs 450 on a 50/50 plan gives chi-square 10 and p = pchisq(10, 1, lower = FALSE)', () => {
    const r = srmTest({ treatment: 550, control: 450 });
    expect(r.chi_square).toBeCloseTo(10, 10);
    expect(r.p_value).toBeCloseTo(0.001565402, 8);
    expect(r.mismatch).toBe(false);
    expect(srmTest({ treatment: 600, control: 400 }).mismatch).toBe(true);
  });
});

describe('sample size', () => {
  test('proportions match R power.prop.test(p1 = .50, p2 = .75, power = .90): n = 76.7', () => {
    const r = sampleSizeProportions({ baselineRate: 0.5, mde: 0.25, power: 0.9 });
    expect(r.n_per_arm_exact).toBeCloseTo(76.7, 1);
    expect(r.n_per_arm).toBe(77);
  });

  test('means match R power.t.test(power = .90, delta = 1): n = 22.02110', () => {
    const r = sampleSizeMeans({ mean: 5, sd: 1, mde: 1, power: 0.9 });
    expect(r.n_per_arm_exact).toBeCloseTo(22.0211, 3);
    expect(r.n_per_arm).toBe(23);
    // R: power.t.test(n = 20, delta = 1) -> power = 0.8689528
    expect(tTestPower({ n: 20, delta: 1, sd: 1, alpha: 0.05 })).toBeCloseTo(0.8689528, 5);
  });

  describe('failures', () => {
    test('a rate outside (0, 1) is refused naming the flag', () => {
      expect(() => sampleSizeProportions({ baselineRate: 0.9, mde: 0.2 })).toThrow(/--mde/);
      expect(() => sampleSizeProportions({ baselineRate: 1.5, mde: 0.1 })).toThrow(/--baseline-rate/);
    });
  });
});

describe('bootstrap', () => {
  test('the same seed gives the same interval, and the interval brackets the sample mean', () => {
    const v = Array.from({ length: 200 }, (_, i) => ((i * 37) % 101) / 10);
    const stat = (idx: Int32Array) => {
      let s = 0;
      for (const i of idx) s += v[i]!;
      return s / idx.length;
    };
    const a = bootstrapCi({ n: v.length, statistic: stat, seed: 7, iterations: 500 });
    const b = bootstrapCi({ n: v.length, statistic: stat, seed: 7, iterations: 500 });
    expect(a).toEqual(b);
    expect(a.ci_low).toBeLessThan(a.estimate);
    expect(a.ci_high).toBeGreaterThan(a.estimate);
    // The percentile interval is close to the normal one: mean ± 1.96 sd / sqrt(n).
    const s = summarize(v);
    const half = 1.96 * Math.sqrt(s.variance / s.n);
    expect(a.ci_high - a.ci_low).toBeGreaterThan(1.6 * half);
    expect(a.ci_high - a.ci_low).toBeLessThan(2.4 * half);
  });
});
