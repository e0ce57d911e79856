/**
 * Seeded resampling: percentile bootstrap
 * intervals, so the same data and seed always give the same interval.
 */
import { JointlyError } from '../core/errors.js';
import { seededRandom } from '../core/seeded-random.js';

/** The shared seeded generator (src/core), re-exported for callers of this module. */
export { seededRandom };

export interface BootstrapResult {
  method: 'percentile bootstrap';
  estimate: number;
  ci_low: number;
  ci_high: number;
  iterations: number;
  seed: number;
  n: number;
}

/** The q-quantile of sorted values (linear interpolation, R type 7). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] ?? a;
  return a + (h - lo) * (b - a);
}

/**
 * Percentile bootstrap CI of `statistic` over units resampled with replacement.
 * `statistic` receives the resampled indices so it can use several columns per unit.
 *
 * @example
 * const v = [1, 2, 3, 4];
 * bootstrapCi({ n: v.length, seed: 1, statistic: (idx) => idx.reduce((s, i) => s + v[i]!, 0) / idx.length })
 */
export function bootstrapCi(args: {
  n: number;
  statistic: (indices: Int32Array) => number;
  iterations?: number;
  seed?: number;
  confidence?: number;
}): BootstrapResult {
  const iterations = args.iterations ?? 1000;
  const seed = args.seed ?? 1;
  const confidence = args.confidence ?? 0.95;
  if (args.n < 2) throw new JointlyError('NO_DATA', `Bootstrap needs at least 2 units, got ${args.n}.`);
  const all = new Int32Array(args.n);
  for (let i = 0; i < args.n; i++) all[i] = i;
  const estimate = args.statistic(all);
  const rnd = seededRandom(seed);
  const reps: number[] = [];
  const idx = new Int32Array(args.n);
  for (let b = 0; b < iterations; b++) {
    for (let i = 0; i < args.n; i++) idx[i] = Math.floor(rnd() * args.n);
    const v = args.statistic(idx);
    if (Number.isFinite(v)) reps.push(v);
  }
  reps.sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  return {
    method: 'percentile bootstrap',
    estimate,
    ci_low: quantileSorted(reps, tail),
    ci_high: quantileSorted(reps, 1 - tail),
    iterations,
    seed,
    n: args.n,
  };
}
