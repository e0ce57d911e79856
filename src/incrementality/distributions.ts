/**
 * Probability distributions from jstat (a well-kept library), behind small typed functions so
 * nothing else touches the untyped CommonJS module. Only what the estimators need.
 *
 * @example
 * normalQuantile(0.975) // 1.959963984540054
 */
import { createRequire } from 'node:module';

interface JStatApi {
  normal: { cdf(x: number, mean: number, sd: number): number; inv(p: number, mean: number, sd: number): number };
  studentt: { cdf(x: number, df: number): number; inv(p: number, df: number): number };
  chisquare: { cdf(x: number, df: number): number };
  noncentralt: { cdf(x: number, df: number, ncp: number): number };
  betaln(a: number, b: number): number;
}

const requireCjs = createRequire(import.meta.url);
// jstat is CommonJS without type declarations: the shape is declared once here.
const loaded: { jStat: JStatApi } = requireCjs('jstat');
const jStat = loaded.jStat;

/** P(Z <= x) for the standard normal. */
export function normalCdf(x: number): number {
  return jStat.normal.cdf(x, 0, 1);
}

/** The standard normal quantile: normalQuantile(0.975) ≈ 1.96. */
export function normalQuantile(p: number): number {
  return jStat.normal.inv(p, 0, 1);
}

/** P(T <= x) for Student's t with `df` degrees of freedom (df may be fractional). */
export function tCdf(x: number, df: number): number {
  return jStat.studentt.cdf(x, df);
}

/** Student's t quantile. */
export function tQuantile(p: number, df: number): number {
  return jStat.studentt.inv(p, df);
}

/** Upper tail P(X > x) of the chi-square distribution. */
export function chiSquareUpperTail(x: number, df: number): number {
  return 1 - jStat.chisquare.cdf(x, df);
}

/** P(T <= x) for the noncentral t (power of t-tests). */
export function noncentralTCdf(x: number, df: number, ncp: number): number {
  return jStat.noncentralt.cdf(x, df, ncp);
}

/** ln B(a, b), the log of the beta function. */
export function logBeta(a: number, b: number): number {
  return jStat.betaln(a, b);
}
