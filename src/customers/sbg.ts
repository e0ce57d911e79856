/**
 * The shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007, "How to
 * Project Customer Retention", J. Interactive Marketing 21(1)). Each customer churns at the end
 * of a period with a constant probability theta; theta varies across customers as Beta(alpha,
 * beta). With P(T = t) the probability of churning in period t:
 *
 *   P(T = 1) = alpha / (alpha + beta),  P(T = t) = P(T = t - 1) * (beta + t - 2) / (alpha + beta + t - 1)
 *   S(t) = S(t - 1) - P(T = t),  S(0) = 1
 *   LL = sum_t (n_{t-1} - n_t) ln P(T = t) + n_last ln S(last)
 *
 * Fitted by maximum likelihood with Nelder-Mead over (ln alpha, ln beta), so both stay positive.
 * Discounted expected lifetime follows Fader & Hardie (2010): DEL = 2F1(1, beta; alpha + beta;
 * 1 / (1 + d)).
 */
import { JointlyError } from '../core/errors.js';
import { nelderMead } from './nelder-mead.js';

export interface SbgParams {
  alpha: number;
  beta: number;
}

export interface SbgFit extends SbgParams {
  log_likelihood: number;
  /** Customers at period 0 (the cohort size). */
  n: number;
  /** Periods observed after the start (survivors.length - 1). */
  periods: number;
  method: 'sBG maximum likelihood (Nelder-Mead)';
  converged: boolean;
}

/** P(T = t) for t = 1..periods. */
export function sbgChurnProbabilities(p: SbgParams, periods: number): number[] {
  const out: number[] = [];
  let prob = p.alpha / (p.alpha + p.beta);
  for (let t = 1; t <= periods; t++) {
    if (t > 1) prob *= (p.beta + t - 2) / (p.alpha + p.beta + t - 1);
    out.push(prob);
  }
  return out;
}

/**
 * Survival S(t) for t = 0..periods.
 *
 * @example
 * sbgSurvival({ alpha: 0.704, beta: 1.182 }, 2) // [1, 0.627..., 0.46...]
 */
export function sbgSurvival(p: SbgParams, periods: number): number[] {
  const out = [1];
  let s = 1;
  for (const prob of sbgChurnProbabilities(p, periods)) {
    s -= prob;
    out.push(s);
  }
  return out;
}

/** The sBG log-likelihood of a survivor curve (survivors[0] = cohort size). */
export function sbgLogLikelihood(p: SbgParams, survivors: readonly number[]): number {
  const periods = survivors.length - 1;
  const probs = sbgChurnProbabilities(p, periods);
  let ll = 0;
  for (let t = 1; t <= periods; t++) {
    const lost = (survivors[t - 1] ?? 0) - (survivors[t] ?? 0);
    if (lost > 0) ll += lost * Math.log(probs[t - 1] ?? 0);
  }
  const last = survivors[periods] ?? 0;
  const s = sbgSurvival(p, periods)[periods] ?? 0;
  if (last > 0) ll += last * Math.log(s);
  return ll;
}

/**
 * Survival data pooled over cohorts observed for different lengths: `churned[t]` customers were
 * lost at period t (t >= 1), `alive[n]` customers were still active after n observed periods.
 */
export interface SbgCounts {
  churned: readonly number[];
  alive: readonly number[];
}

/** The sBG log-likelihood with right censoring (Fader & Hardie 2007, eq. 5 generalised). */
export function sbgLogLikelihoodCounts(p: SbgParams, counts: SbgCounts): number {
  const periods = Math.max(counts.churned.length, counts.alive.length);
  const probs = sbgChurnProbabilities(p, periods);
  const surv = sbgSurvival(p, periods);
  let ll = 0;
  counts.churned.forEach((c, t) => {
    if (c > 0 && t >= 1) ll += c * Math.log(probs[t - 1] ?? 0);
  });
  counts.alive.forEach((c, n) => {
    if (c > 0) ll += c * Math.log(surv[n] ?? 0);
  });
  return ll;
}

/**
 * Fits the sBG to pooled, censored counts (cohorts of different ages).
 *
 * @example
 * // 100 customers: 20 lost at the first renewal, 10 at the second, 30 alive after 2, 40 alive after 1.
 * fitSbgCounts({ churned: [0, 20, 10], alive: [0, 40, 30] })
 */
export function fitSbgCounts(counts: SbgCounts): SbgFit {
  const n = counts.churned.reduce((a, b) => a + b, 0) + counts.alive.reduce((a, b) => a + b, 0);
  const lost = counts.churned.reduce((a, b) => a + b, 0);
  if (lost === 0) {
    throw new JointlyError('NO_DATA', `No customer churned among ${n}: the sBG model cannot be fitted (retention looks like 100 %).`);
  }
  const atRisk = counts.alive.reduce((a, c, i) => a + (i >= 1 ? c : 0), 0) + lost;
  if (atRisk === lost && counts.alive.every((c, i) => i === 0 || c === 0)) {
    throw new JointlyError('NO_DATA', `Every one of the ${lost} observed customers churned: the sBG model cannot be fitted.`);
  }
  const negLL = (x: number[]) => -sbgLogLikelihoodCounts({ alpha: Math.exp(x[0] ?? 0), beta: Math.exp(x[1] ?? 0) }, counts);
  const starts = [
    [0, 0],
    [Math.log(0.5), Math.log(3)],
  ];
  let best = nelderMead(negLL, starts[0]!, { tolerance: 1e-12, maxIterations: 5000 });
  for (const s of starts.slice(1)) {
    const r = nelderMead(negLL, s, { tolerance: 1e-12, maxIterations: 5000 });
    if (r.fx < best.fx) best = r;
  }
  return {
    alpha: Math.exp(best.x[0] ?? 0),
    beta: Math.exp(best.x[1] ?? 0),
    log_likelihood: -best.fx,
    n,
    periods: Math.max(counts.churned.length, counts.alive.length) - 1,
    method: 'sBG maximum likelihood (Nelder-Mead)',
    converged: best.converged,
  };
}

/**
 * Fits alpha and beta by maximum likelihood.
 *
 * @example
 * // Fader & Hardie (2007), "regular" cohort, years 0-7: alpha ≈ 0.704, beta ≈ 1.182
 * fitSbg([1000, 631, 468, 382, 326, 289, 262, 241])
 */
export function fitSbg(survivors: readonly number[]): SbgFit {
  checkSurvivors(survivors);
  const negLL = (x: number[]) => -sbgLogLikelihood({ alpha: Math.exp(x[0] ?? 0), beta: Math.exp(x[1] ?? 0) }, survivors);
  // Two starts; keep the better one (the surface is smooth, this guards against a flat start).
  const starts = [
    [0, 0],
    [Math.log(0.5), Math.log(3)],
  ];
  let best = nelderMead(negLL, starts[0]!, { tolerance: 1e-12, maxIterations: 5000 });
  for (const s of starts.slice(1)) {
    const r = nelderMead(negLL, s, { tolerance: 1e-12, maxIterations: 5000 });
    if (r.fx < best.fx) best = r;
  }
  const alpha = Math.exp(best.x[0] ?? 0);
  const beta = Math.exp(best.x[1] ?? 0);
  return {
    alpha,
    beta,
    log_likelihood: -best.fx,
    n: survivors[0] ?? 0,
    periods: survivors.length - 1,
    method: 'sBG maximum likelihood (Nelder-Mead)',
    converged: best.converged,
  };
}

function checkSurvivors(survivors: readonly number[]): void {
  if (survivors.length < 3) {
    throw new JointlyError('NO_DATA', `An sBG fit needs the cohort size and at least 2 later periods, got ${survivors.length} value(s).`);
  }
  survivors.forEach((v, i) => {
    if (!Number.isFinite(v) || v < 0) {
      throw new JointlyError('BAD_ARGUMENT', `Period ${i}: customers must be a non-negative number, got ${v}.`);
    }
    if (i > 0 && v > (survivors[i - 1] ?? 0)) {
      throw new JointlyError('BAD_ARGUMENT', `Period ${i}: ${v} customers is more than the ${survivors[i - 1]} of period ${i - 1}; a survivor curve cannot rise.`);
    }
  });
  if ((survivors[0] ?? 0) <= 0) throw new JointlyError('NO_DATA', 'The cohort at period 0 is empty.');
  if (survivors[survivors.length - 1] === survivors[0]) {
    throw new JointlyError('NO_DATA', 'No customer churned in the observed periods: the sBG model cannot be fitted (retention looks like 100 %).');
  }
}

/**
 * Discounted expected lifetime of a newly acquired customer, counting the first period as
 * certain: DEL = sum_{t>=0} S(t) / (1 + d)^t = 2F1(1, beta; alpha + beta; 1 / (1 + d)).
 * With `renewals` = n - 1 > 0 it is the discounted expected residual lifetime (DERL) of a
 * customer who has made n - 1 renewals, counting from the next period:
 * sum_{t>=n} S(t) / S(n - 1) / (1 + d)^(t - n + 1).
 *
 * @example
 * sbgDerl({ alpha: 0.668, beta: 3.806, discount: 0.1 }) // discounted expected periods of a new customer
 */
export function sbgDerl(args: SbgParams & { discount: number; renewals?: number }): number {
  const { alpha, beta, discount } = args;
  if (!(discount > 0)) throw new JointlyError('BAD_ARGUMENT', `The discount rate must be positive, got ${discount}.`);
  const z = 1 / (1 + discount);
  const renewals = args.renewals ?? -1;
  if (renewals < 0) return hyp2f1One(beta, alpha + beta, z);
  const n = renewals + 1;
  // S(t)/S(n-1) for an sBG is again an sBG with beta + n - 1: residual = z * (1 - churn) * ...
  // Closed form (Fader & Hardie 2010, eq. 6): B(a, b+n)/B(a, b+n-1) * 2F1(1, b+n; a+b+n; z) * z.
  const ratio = (beta + n - 1) / (alpha + beta + n - 1);
  return ratio * hyp2f1One(beta + n, alpha + beta + n, z) * z;
}

/** Gauss hypergeometric 2F1(1, b; c; z) for 0 <= z < 1 by its series. */
function hyp2f1One(b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 0; k < 100000; k++) {
    term *= ((b + k) / (c + k)) * z;
    sum += term;
    if (term < 1e-15 * sum) break;
  }
  return sum;
}
