/**
 * Welch's unequal-variance t-test and confidence interval for a difference of means, from
 * summary statistics (n, mean, sample variance) so the per-account values can be aggregated
 * set-wise in SQL and never pulled into JS.
 */
import { JointlyError } from '../core/errors.js';
import { tCdf, tQuantile } from './distributions.js';

export interface SampleSummary {
  n: number;
  mean: number;
  /** Sample variance (n - 1 denominator). */
  variance: number;
}

export interface WelchResult {
  method: "Welch's t-test";
  /** mean(x) - mean(y). */
  diff: number;
  t: number;
  df: number;
  p_value: number;
  ci_low: number;
  ci_high: number;
  confidence: number;
  n_x: number;
  n_y: number;
}

/**
 * Welch's t-test of mean(x) - mean(y), as R's `t.test(x, y)`.
 *
 * @example
 * welchTTest({ x: summarize([1, 2, 3]), y: summarize([2, 4, 6]) })
 */
export function welchTTest(args: { x: SampleSummary; y: SampleSummary; confidence?: number }): WelchResult {
  const { x, y } = args;
  const confidence = args.confidence ?? 0.95;
  if (x.n < 2 || y.n < 2) {
    throw new JointlyError('NO_DATA', `Welch's t-test needs at least 2 values per group (got ${x.n} and ${y.n}).`);
  }
  const vx = x.variance / x.n;
  const vy = y.variance / y.n;
  const se = Math.sqrt(vx + vy);
  const diff = x.mean - y.mean;
  if (se === 0) {
    return { method: "Welch's t-test", diff, t: 0, df: x.n + y.n - 2, p_value: diff === 0 ? 1 : 0, ci_low: diff, ci_high: diff, confidence, n_x: x.n, n_y: y.n };
  }
  const df = (vx + vy) ** 2 / (vx ** 2 / (x.n - 1) + vy ** 2 / (y.n - 1));
  const t = diff / se;
  const pValue = 2 * (1 - tCdf(Math.abs(t), df));
  const q = tQuantile(1 - (1 - confidence) / 2, df);
  return {
    method: "Welch's t-test",
    diff,
    t,
    df,
    p_value: pValue,
    ci_low: diff - q * se,
    ci_high: diff + q * se,
    confidence,
    n_x: x.n,
    n_y: y.n,
  };
}

/**
 * Summary statistics of a small sample held in JS (tests, bootstrap replicates).
 *
 * @example
 * summarize([1, 2, 3]) // { n: 3, mean: 2, variance: 1 }
 */
export function summarize(values: readonly number[]): SampleSummary {
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : 0;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { n, mean, variance };
}
