/**
 * Shapley-value attribution over channels (or any player labels, such as partner ids).
 *
 * Worth of a coalition S (the "simplified Shapley" common in attribution, and the worth function
 * of the published F/O/L worked example): v(S) = the conversions (and, separately, the value) of
 * the journeys whose set of channels is a subset of S. Order and repeats inside a path do not
 * matter. With `worth: 'conversion_rate'` each distinct channel set T adds its conversion rate
 * conversions(T) / journeys(T) instead of its count (the coalition conversion rates of the issue);
 * shares are then normalised and credits are share x totals.
 *
 * Exact (players <= maxExactPlayers, default 12): v is tabulated over all 2^n coalitions
 * (subset-sum transform) and phi_i = sum over S without i of |S|!(n-|S|-1)!/n! (v(S+i) - v(S)).
 * Sampled (more players): the mean marginal contribution over `samples` random permutations
 * drawn from a seeded generator; in one permutation, a channel set's worth is the marginal
 * contribution of whichever of its members comes last, which gives each permutation's
 * contributions without tabulating 2^n coalitions. `standardError` is the largest standard error
 * of any channel's share (standard deviation of its per-permutation share / sqrt(samples)).
 * Both methods satisfy efficiency: credits add up to the totals.
 *
 * Not yet: other worth functions (ordered paths, nulls as negative worth).
 */
import { JointlyError } from '../../core/errors.js';
import { seededRandom } from '../../core/seeded-random.js';
import { channelsOf, checkPaths, creditsFrom, pathTotals } from './path-totals.js';
import type { PathRow, ShapleyResult } from './types.js';

/** Options of the Shapley model. */
export type ShapleyOptions = {
  /** Largest player count solved exactly (2^n coalitions); default 12, at most 24. */
  maxExactPlayers?: number;
  /** Permutations drawn when sampling; default 2000. */
  samples?: number;
  /** Seed of the permutation generator; default 1. */
  seed?: number;
  /** Worth of a channel set: its conversions (default) or its conversion rate. */
  worth?: 'conversions' | 'conversion_rate';
};

const DEFAULT_MAX_EXACT = 12;
const HARD_MAX_EXACT = 24;
const DEFAULT_SAMPLES = 2000;

/** Distinct channel sets with their summed worth. */
type Coalitions = { members: number[][]; conv: Float64Array; value: Float64Array };

/**
 * Credits each channel its Shapley value.
 *
 * @example
 * shapleyCredits([
 *   { path: ['paid', 'partner'], conversions: 2, value: 200, nulls: 5 },
 *   { path: ['partner'], conversions: 1, value: 80, nulls: 4 },
 * ]);
 * // { method: 'exact', credits: [{ channel: 'paid', share: 1/3, conversions: 1, value: 100 },
 * //                              { channel: 'partner', share: 2/3, conversions: 2, value: 180 }] }
 */
export function shapleyCredits(paths: PathRow[], opts: ShapleyOptions = {}): ShapleyResult {
  checkPaths(paths);
  const maxExact = opts.maxExactPlayers ?? DEFAULT_MAX_EXACT;
  if (!Number.isInteger(maxExact) || maxExact < 0 || maxExact > HARD_MAX_EXACT) {
    throw new JointlyError('BAD_ARGUMENT', `maxExactPlayers must be an integer from 0 to ${HARD_MAX_EXACT}, got ${String(maxExact)}.`);
  }
  const samples = opts.samples ?? DEFAULT_SAMPLES;
  if (!Number.isInteger(samples) || samples < 2) {
    throw new JointlyError('BAD_ARGUMENT', `samples must be an integer >= 2, got ${String(samples)}.`);
  }
  const channels = channelsOf(paths);
  const coalitions = coalitionsOf(paths, channels, opts.worth ?? 'conversions');
  const totals = pathTotals(paths);

  if (channels.length <= maxExact) {
    const phi = exactShapley(channels.length, coalitions);
    return { method: 'exact', credits: scaled(channels, phi.conv, phi.value, totals, opts.worth) };
  }
  const est = sampledShapley(channels.length, coalitions, samples, opts.seed ?? 1);
  return {
    method: 'sampled',
    standardError: est.standardError,
    credits: scaled(channels, est.conv, est.value, totals, opts.worth),
  };
}

/** Rate worths are normalised to the totals; count worths already sum to them. */
function scaled(
  channels: string[],
  conv: Float64Array,
  value: Float64Array,
  totals: { conversions: number; value: number },
  worth: ShapleyOptions['worth'],
) {
  if (worth === 'conversion_rate') {
    const sc = conv.reduce((a, b) => a + b, 0);
    const sv = value.reduce((a, b) => a + b, 0);
    for (let i = 0; i < conv.length; i++) {
      conv[i] = sc > 0 ? ((conv[i] ?? 0) / sc) * totals.conversions : 0;
      value[i] = sv !== 0 ? ((value[i] ?? 0) / sv) * totals.value : 0;
    }
  }
  return creditsFrom(channels, conv, value);
}

function coalitionsOf(paths: readonly PathRow[], channels: readonly string[], worth: ShapleyOptions['worth']): Coalitions {
  const index = new Map(channels.map((c, i) => [c, i]));
  const byKey = new Map<string, number>();
  const members: number[][] = [];
  const conv: number[] = [];
  const value: number[] = [];
  const journeys: number[] = [];
  for (const row of paths) {
    const set = [...new Set(row.path.map((c) => index.get(c) ?? -1))].sort((a, b) => a - b);
    const key = set.join(',');
    let k = byKey.get(key);
    if (k === undefined) {
      k = members.length;
      byKey.set(key, k);
      members.push(set);
      conv.push(0);
      value.push(0);
      journeys.push(0);
    }
    conv[k] = (conv[k] ?? 0) + row.conversions;
    value[k] = (value[k] ?? 0) + row.value;
    journeys[k] = (journeys[k] ?? 0) + row.conversions + row.nulls;
  }
  if (worth === 'conversion_rate') {
    for (let k = 0; k < members.length; k++) {
      const n = journeys[k] ?? 0;
      conv[k] = n > 0 ? (conv[k] ?? 0) / n : 0;
      value[k] = n > 0 ? (value[k] ?? 0) / n : 0;
    }
  }
  return { members, conv: Float64Array.from(conv), value: Float64Array.from(value) };
}

function exactShapley(n: number, coalitions: Coalitions): { conv: Float64Array; value: Float64Array } {
  const size = 2 ** n;
  const vConv = new Float64Array(size);
  const vValue = new Float64Array(size);
  coalitions.members.forEach((m, k) => {
    let mask = 0;
    for (const i of m) mask |= 1 << i;
    vConv[mask] = (vConv[mask] ?? 0) + (coalitions.conv[k] ?? 0);
    vValue[mask] = (vValue[mask] ?? 0) + (coalitions.value[k] ?? 0);
  });
  // Subset-sum (zeta) transform: v(S) = sum of the worth of every channel set T within S.
  for (let bit = 1; bit < size; bit <<= 1) {
    for (let mask = 0; mask < size; mask++) {
      if (mask & bit) {
        vConv[mask] = (vConv[mask] ?? 0) + (vConv[mask ^ bit] ?? 0);
        vValue[mask] = (vValue[mask] ?? 0) + (vValue[mask ^ bit] ?? 0);
      }
    }
  }
  // weight[s] = s!(n-s-1)!/n!, by the recurrence weight[s+1] = weight[s] (s+1)/(n-s-1).
  const weight = new Float64Array(Math.max(n, 1));
  if (n > 0) weight[0] = 1 / n;
  for (let s = 0; s + 1 < n; s++) weight[s + 1] = ((weight[s] ?? 0) * (s + 1)) / (n - s - 1);
  const popcount = new Uint8Array(size);
  for (let mask = 1; mask < size; mask++) popcount[mask] = (popcount[mask >> 1] ?? 0) + (mask & 1);

  const conv = new Float64Array(n);
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const bit = 1 << i;
    let pc = 0;
    let pv = 0;
    for (let mask = 0; mask < size; mask++) {
      if (mask & bit) continue;
      const w = weight[popcount[mask] ?? 0] ?? 0;
      pc += w * ((vConv[mask | bit] ?? 0) - (vConv[mask] ?? 0));
      pv += w * ((vValue[mask | bit] ?? 0) - (vValue[mask] ?? 0));
    }
    conv[i] = pc;
    value[i] = pv;
  }
  return { conv, value };
}

function sampledShapley(
  n: number,
  coalitions: Coalitions,
  samples: number,
  seed: number,
): { conv: Float64Array; value: Float64Array; standardError: number } {
  const random = seededRandom(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const position = new Int32Array(n);
  const gainConv = new Float64Array(n);
  const gainValue = new Float64Array(n);
  const sum = new Float64Array(n);
  const sumSq = new Float64Array(n);
  const sumValue = new Float64Array(n);
  const { members } = coalitions;
  for (let s = 0; s < samples; s++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i] ?? 0;
      order[i] = order[j] ?? 0;
      order[j] = t;
    }
    for (let p = 0; p < n; p++) position[order[p] ?? 0] = p;
    gainConv.fill(0);
    gainValue.fill(0);
    for (let k = 0; k < members.length; k++) {
      const m = members[k] ?? [];
      let last = m[0] ?? 0;
      for (const i of m) if ((position[i] ?? 0) > (position[last] ?? 0)) last = i;
      gainConv[last] = (gainConv[last] ?? 0) + (coalitions.conv[k] ?? 0);
      gainValue[last] = (gainValue[last] ?? 0) + (coalitions.value[k] ?? 0);
    }
    for (let i = 0; i < n; i++) {
      const g = gainConv[i] ?? 0;
      sum[i] = (sum[i] ?? 0) + g;
      sumSq[i] = (sumSq[i] ?? 0) + g * g;
      sumValue[i] = (sumValue[i] ?? 0) + (gainValue[i] ?? 0);
    }
  }
  const total = coalitions.conv.reduce((a, b) => a + b, 0);
  const conv = new Float64Array(n);
  const value = new Float64Array(n);
  let standardError = 0;
  for (let i = 0; i < n; i++) {
    const mean = (sum[i] ?? 0) / samples;
    conv[i] = mean;
    value[i] = (sumValue[i] ?? 0) / samples;
    const variance = Math.max(0, ((sumSq[i] ?? 0) - samples * mean * mean) / (samples - 1));
    const se = total > 0 ? Math.sqrt(variance / samples) / total : 0;
    if (se > standardError) standardError = se;
  }
  return { conv, value, standardError };
}
