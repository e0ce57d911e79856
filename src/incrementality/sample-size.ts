/**
 * Sample sizes for a two-arm holdout, per arm, two-sided.
 *
 * Proportions follow R's `power.prop.test` (normal approximation, solved in closed form);
 * means follow R's `power.t.test` (two-sample, noncentral t, solved by bisection), so the
 * numbers match what an analyst gets in R.
 */
import { JointlyError } from '../core/errors.js';
import { noncentralTCdf, normalQuantile, tQuantile } from './distributions.js';

export interface ProportionSampleSize {
  method: 'normal approximation (R power.prop.test)';
  baseline_rate: number;
  treatment_rate: number;
  mde: number;
  power: number;
  alpha: number;
  /** Exact solution (fractional). */
  n_per_arm_exact: number;
  /** Accounts needed per arm (rounded up). */
  n_per_arm: number;
  total: number;
}

export interface MeanSampleSize {
  method: 'two-sample t-test (R power.t.test)';
  mean: number;
  sd: number;
  mde: number;
  power: number;
  alpha: number;
  n_per_arm_exact: number;
  n_per_arm: number;
  total: number;
}

function checkCommon(power: number, alpha: number): void {
  if (!(power > 0 && power < 1)) throw new JointlyError('BAD_ARGUMENT', `--power must be between 0 and 1, got ${power}.`);
  if (!(alpha > 0 && alpha < 1)) throw new JointlyError('BAD_ARGUMENT', `--alpha must be between 0 and 1, got ${alpha}.`);
}

/**
 * Accounts per arm to detect an absolute change `mde` from `baselineRate`.
 *
 * @example
 * // R: power.prop.test(p1 = .50, p2 = .75, power = .90) -> n = 76.7
 * sampleSizeProportions({ baselineRate: 0.5, mde: 0.25, power: 0.9 }).n_per_arm // 77
 */
export function sampleSizeProportions(args: {
  baselineRate: number;
  mde: number;
  power?: number;
  alpha?: number;
}): ProportionSampleSize {
  const power = args.power ?? 0.8;
  const alpha = args.alpha ?? 0.05;
  checkCommon(power, alpha);
  const p1 = args.baselineRate;
  // Rounded to 12 digits so 0.1 + 0.02 prints as 0.12.
  const p2 = Number((p1 + args.mde).toPrecision(12));
  if (!(p1 > 0 && p1 < 1)) throw new JointlyError('BAD_ARGUMENT', `--baseline-rate must be between 0 and 1, got ${p1}.`);
  if (args.mde === 0 || !(p2 > 0 && p2 < 1)) {
    throw new JointlyError('BAD_ARGUMENT', `--mde must be non-zero and keep the treated rate in (0, 1); baseline ${p1} + mde ${args.mde} = ${p2}.`);
  }
  const za = normalQuantile(1 - alpha / 2);
  const zb = normalQuantile(power);
  const pbar = (p1 + p2) / 2;
  const root = za * Math.sqrt(2 * pbar * (1 - pbar)) + zb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  const n = (root / Math.abs(p2 - p1)) ** 2;
  const perArm = Math.ceil(n);
  return {
    method: 'normal approximation (R power.prop.test)',
    baseline_rate: p1,
    treatment_rate: p2,
    mde: args.mde,
    power,
    alpha,
    n_per_arm_exact: n,
    n_per_arm: perArm,
    total: 2 * perArm,
  };
}

/** Power of the two-sided two-sample t-test with n per arm (R power.t.test, strict = FALSE). */
export function tTestPower(args: { n: number; delta: number; sd: number; alpha: number }): number {
  const nu = 2 * (args.n - 1);
  const q = tQuantile(1 - args.alpha / 2, nu);
  const ncp = Math.sqrt(args.n / 2) * (Math.abs(args.delta) / args.sd);
  return 1 - noncentralTCdf(q, nu, ncp);
}

/**
 * Accounts per arm to detect a change `mde` in a mean outcome with standard deviation `sd`.
 *
 * @example
 * // R: power.t.test(power = .90, delta = 1) -> n = 22.02110
 * sampleSizeMeans({ mean: 10, sd: 1, mde: 1, power: 0.9 }).n_per_arm // 23
 */
export function sampleSizeMeans(args: {
  mean: number;
  sd: number;
  mde: number;
  power?: number;
  alpha?: number;
}): MeanSampleSize {
  const power = args.power ?? 0.8;
  const alpha = args.alpha ?? 0.05;
  checkCommon(power, alpha);
  if (!(args.sd > 0)) throw new JointlyError('BAD_ARGUMENT', `--sd must be positive, got ${args.sd}.`);
  if (args.mde === 0 || !Number.isFinite(args.mde)) {
    throw new JointlyError('BAD_ARGUMENT', `--mde must be a non-zero number, got ${args.mde}.`);
  }
  const f = (n: number) => tTestPower({ n, delta: args.mde, sd: args.sd, alpha }) - power;
  let lo = 2;
  let hi = 4;
  while (f(hi) < 0) {
    lo = hi;
    hi *= 2;
    if (hi > 1e9) throw new JointlyError('BAD_ARGUMENT', 'The effect is too small to detect with any practical sample size.');
  }
  if (f(lo) >= 0) hi = lo;
  for (let i = 0; i < 200 && hi - lo > 1e-9; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < 0) lo = mid;
    else hi = mid;
  }
  const perArm = Math.ceil(hi - 1e-9);
  return {
    method: 'two-sample t-test (R power.t.test)',
    mean: args.mean,
    sd: args.sd,
    mde: args.mde,
    power,
    alpha,
    n_per_arm_exact: hi,
    n_per_arm: perArm,
    total: 2 * perArm,
  };
}
