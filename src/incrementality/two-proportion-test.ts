/**
 * Two-proportion z-test for a difference in conversion rates, with a Wald confidence interval
 * for the difference. The test statistic uses the pooled standard error (as R's prop.test
 * without continuity correction and statsmodels' proportions_ztest do); the interval uses the
 * unpooled one, because under the alternative the two rates differ.
 */
import { JointlyError } from '../core/errors.js';
import { normalCdf, normalQuantile } from './distributions.js';

export interface ProportionTestInput {
  /** Successes and trials of the treatment (or "B") group. */
  successesTreatment: number;
  totalTreatment: number;
  /** Successes and trials of the control (or "A") group. */
  successesControl: number;
  totalControl: number;
  /** Two-sided confidence level of the interval, 0.95 by default. */
  confidence?: number;
}

export interface ProportionTestResult {
  method: 'two-proportion z-test (pooled), Wald CI (unpooled)';
  n_treatment: number;
  n_control: number;
  rate_treatment: number;
  rate_control: number;
  /** rate_treatment - rate_control. */
  diff: number;
  /** diff / rate_control; null when the control rate is 0. */
  relative_lift: number | null;
  z: number;
  p_value: number;
  ci_low: number;
  ci_high: number;
  confidence: number;
}

/**
 * Compares two rates.
 *
 * @example
 * // statsmodels proportions_ztest example: 12/99 vs 5/83 -> z ≈ 1.408, p ≈ 0.159
 * twoProportionTest({ successesTreatment: 12, totalTreatment: 99, successesControl: 5, totalControl: 83 })
 */
export function twoProportionTest(input: ProportionTestInput): ProportionTestResult {
  const { successesTreatment: x1, totalTreatment: n1, successesControl: x0, totalControl: n0 } = input;
  const confidence = input.confidence ?? 0.95;
  for (const [name, v] of Object.entries({ x1, n1, x0, n0 })) {
    if (!Number.isInteger(v) || v < 0) {
      throw new JointlyError('BAD_ARGUMENT', `Two-proportion test: ${name} must be a non-negative integer, got ${v}.`);
    }
  }
  if (n1 === 0 || n0 === 0) {
    throw new JointlyError('NO_DATA', `Two-proportion test needs accounts in both groups (treatment ${n1}, control ${n0}).`);
  }
  if (x1 > n1 || x0 > n0) {
    throw new JointlyError('BAD_ARGUMENT', 'Two-proportion test: successes cannot exceed trials.');
  }
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  const diff = p1 - p0;
  const pooled = (x1 + x0) / (n1 + n0);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  const z = sePooled === 0 ? 0 : diff / sePooled;
  const pValue = sePooled === 0 ? 1 : 2 * (1 - normalCdf(Math.abs(z)));
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p0 * (1 - p0)) / n0);
  const q = normalQuantile(1 - (1 - confidence) / 2);
  return {
    method: 'two-proportion z-test (pooled), Wald CI (unpooled)',
    n_treatment: n1,
    n_control: n0,
    rate_treatment: p1,
    rate_control: p0,
    diff,
    relative_lift: p0 === 0 ? null : diff / p0,
    z,
    p_value: pValue,
    ci_low: diff - q * se,
    ci_high: diff + q * se,
    confidence,
  };
}
