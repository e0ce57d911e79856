/**
 * Markov chain removal-effect attribution over aggregated paths, order 1 to 4.
 *
 * The chain (ChannelAttribution's encoding, markov_model_cpp in its functions.cpp):
 * - States are `(start)`, the channel states, and two absorbing states `(conversion)` and `(null)`.
 *   In order k a channel state is a window of k consecutive channels of the path, sliding by one
 *   touch (a path shorter than k is one state made of the whole path). Consecutive identical
 *   states collapse into one, so `iota > iota > iota` is the single order-1 state `iota` and
 *   there are no self-loops from repeated touches; non-consecutive repeats (`a > b > a`) stay.
 * - A path seen by n = conversions + nulls journeys adds n to each of its transitions, then
 *   `conversions` to last state -> (conversion) and `nulls` to last state -> (null).
 * - Removal effect of channel c = 1 - P(conversion | c removed) / P(conversion), where removing c
 *   sends every state that contains c to (null). Shares are removal effects normalised to 1;
 *   credited conversions and value are share x totals, so credits conserve the totals.
 *
 * Probabilities are exact, not simulated (ChannelAttribution simulates): absorption
 * probabilities solve (I - Q) x = r. Up to 400 transient states the system is solved directly
 * (LU decomposition from ml-matrix); above that by sparse Gauss-Seidel iteration until no
 * probability moves by more than 1e-14 between sweeps and the error estimated from the rate of
 * convergence is below 1e-14 too (falling back to the direct solve up to 2,500
 * states if a chain loops so much that iteration does not converge in 50,000 sweeps).
 */
import { Matrix, solve } from 'ml-matrix';
import { JointlyError } from '../../core/errors.js';
import { channelsOf, checkPaths, pathTotals } from './path-totals.js';
import type { MarkovCredit, PathRow } from './types.js';

/** Options of the Markov model. `solver` forces a method (tests compare the two). */
export type MarkovOptions = { order: 1 | 2 | 3 | 4; solver?: 'auto' | 'dense' | 'iterative' };

/** The Markov model's credits plus the chain facts behind them. */
export type MarkovModel = {
  order: number;
  /** P(conversion) from (start) with every channel present. */
  conversionProbability: number;
  /** Transient states including (start). */
  states: number;
  solver: 'dense' | 'iterative';
  credits: MarkovCredit[];
};

const DENSE_MAX_STATES = 400;
const TOLERANCE = 1e-14;
const MAX_SWEEPS = 50_000;
/** Chains up to this size fall back to the direct solve when iteration is too slow to converge. */
const DENSE_FALLBACK_STATES = 2500;

/** Sparse absorbing chain: transient states 0..n-1 (0 = start), rows in CSR form. */
type Chain = {
  n: number;
  rowStart: Int32Array;
  col: Int32Array;
  prob: Float64Array;
  /** Probability of stepping straight into (conversion). */
  toConversion: Float64Array;
  /** For each channel, the states that contain it. */
  statesOfChannel: Int32Array[];
};

/**
 * Credits channels by their Markov removal effect.
 *
 * @example
 * markovCredits(
 *   [
 *     { path: ['paid', 'partner'], conversions: 3, value: 300, nulls: 7 },
 *     { path: ['organic'], conversions: 1, value: 50, nulls: 9 },
 *   ],
 *   { order: 1 },
 * ); // one row per channel: removalEffect, share, conversions (sums to 4), value (sums to 350)
 */
export function markovCredits(paths: PathRow[], opts: MarkovOptions): MarkovCredit[] {
  return markovModel(paths, opts).credits;
}

/**
 * Like {@link markovCredits}, also returning P(conversion), the state count and the solver used.
 *
 * @example
 * markovModel([{ path: ['a', 'b'], conversions: 1, value: 1, nulls: 1 }], { order: 1 }).conversionProbability; // 0.5
 */
export function markovModel(paths: PathRow[], opts: MarkovOptions): MarkovModel {
  if (![1, 2, 3, 4].includes(opts.order)) {
    throw new JointlyError('BAD_ARGUMENT', `Markov order must be 1, 2, 3 or 4, got ${String(opts.order)}.`);
  }
  checkPaths(paths);
  const channels = channelsOf(paths);
  const totals = pathTotals(paths);
  const chain = buildChain(paths, channels, opts.order);
  const mode = opts.solver ?? 'auto';
  const solver = mode === 'auto' ? (chain.n <= DENSE_MAX_STATES ? 'dense' : 'iterative') : mode;
  const absorb = (removed: Int32Array | undefined): number => {
    if (solver === 'dense') return solveDense(chain, removed);
    const x = solveIterative(chain, removed);
    if (x !== undefined) return x;
    if (mode === 'auto' && chain.n <= DENSE_FALLBACK_STATES) return solveDense(chain, removed);
    throw new JointlyError(
      'INTERNAL',
      `Markov solver did not converge in ${MAX_SWEEPS} sweeps (tolerance ${TOLERANCE}) over ${chain.n} states; ` +
        'the paths loop between a few states for very long. Lower the order or shorten the paths.',
    );
  };

  const base = absorb(undefined);
  const effects = channels.map((_, c) => {
    if (base <= 0) return 0;
    const without = absorb(chain.statesOfChannel[c]);
    return Math.max(0, 1 - without / base);
  });
  const sum = effects.reduce((a, b) => a + b, 0);
  const credits = channels.map((channel, c) => {
    const removalEffect = effects[c] ?? 0;
    const share = sum > 0 ? removalEffect / sum : 0;
    return { channel, removalEffect, share, conversions: share * totals.conversions, value: share * totals.value };
  });
  return { order: opts.order, conversionProbability: base, states: chain.n, solver, credits };
}

function buildChain(paths: readonly PathRow[], channels: readonly string[], order: number): Chain {
  const channelIndex = new Map(channels.map((c, i) => [c, i]));
  const stateIndex = new Map<string, number>();
  const stateChannels: number[][] = [[]]; // state 0 = (start), no channel
  const transitions = new Map<number, number>(); // from * STRIDE + to -> journeys
  const STRIDE = 2 ** 24;
  const conv: number[] = [0];
  const nulls: number[] = [0];

  const stateOf = (window: readonly number[]): number => {
    const key = window.join(',');
    let s = stateIndex.get(key);
    if (s === undefined) {
      s = stateChannels.length;
      if (s >= STRIDE) throw new JointlyError('BAD_ARGUMENT', `Markov chain too large: over ${STRIDE} states; lower the order.`);
      stateIndex.set(key, s);
      stateChannels.push([...new Set(window)]);
      conv.push(0);
      nulls.push(0);
    }
    return s;
  };

  for (const row of paths) {
    const journeys = row.conversions + row.nulls;
    if (journeys === 0) continue;
    const idx = row.path.map((c) => channelIndex.get(c) ?? -1);
    const windows = idx.length <= order ? 1 : idx.length - order + 1;
    let prev = 0;
    for (let w = 0; w < windows; w++) {
      const s = stateOf(idx.slice(w, Math.min(idx.length, w + order)));
      if (s === prev) continue; // consecutive identical states collapse
      const key = prev * STRIDE + s;
      transitions.set(key, (transitions.get(key) ?? 0) + journeys);
      prev = s;
    }
    conv[prev] = (conv[prev] ?? 0) + row.conversions;
    nulls[prev] = (nulls[prev] ?? 0) + row.nulls;
  }

  const n = stateChannels.length;
  const outTotal = new Float64Array(n);
  const rowCount = new Int32Array(n + 1);
  for (const [key, count] of transitions) {
    const from = Math.floor(key / STRIDE);
    outTotal[from] = (outTotal[from] ?? 0) + count;
    rowCount[from + 1] = (rowCount[from + 1] ?? 0) + 1;
  }
  for (let s = 0; s < n; s++) outTotal[s] = (outTotal[s] ?? 0) + (conv[s] ?? 0) + (nulls[s] ?? 0);
  const rowStart = new Int32Array(n + 1);
  for (let s = 0; s < n; s++) rowStart[s + 1] = (rowStart[s] ?? 0) + (rowCount[s + 1] ?? 0);
  const fill = rowStart.slice(0, n);
  const col = new Int32Array(transitions.size);
  const prob = new Float64Array(transitions.size);
  for (const [key, count] of transitions) {
    const from = Math.floor(key / STRIDE);
    const at = fill[from] ?? 0;
    fill[from] = at + 1;
    col[at] = key - from * STRIDE;
    prob[at] = count / (outTotal[from] ?? 1);
  }
  const toConversion = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    const out = outTotal[s] ?? 0;
    toConversion[s] = out > 0 ? (conv[s] ?? 0) / out : 0;
  }
  const members: number[][] = channels.map(() => []);
  stateChannels.forEach((chs, s) => {
    for (const c of chs) members[c]?.push(s);
  });
  return { n, rowStart, col, prob, toConversion, statesOfChannel: members.map((m) => Int32Array.from(m)) };
}

function removedMask(n: number, removed: Int32Array | undefined): Uint8Array {
  const mask = new Uint8Array(n);
  if (removed) for (const s of removed) mask[s] = 1;
  return mask;
}

/** P(conversion) from (start) by solving (I - Q) x = r directly. */
function solveDense(chain: Chain, removed: Int32Array | undefined): number {
  const { n, rowStart, col, prob, toConversion } = chain;
  const mask = removedMask(n, removed);
  const a = Matrix.eye(n, n);
  const b = new Matrix(n, 1);
  for (let s = 0; s < n; s++) {
    if (mask[s]) continue; // removed state: x = 0 (it leads to null)
    b.set(s, 0, toConversion[s] ?? 0);
    for (let k = rowStart[s] ?? 0; k < (rowStart[s + 1] ?? 0); k++) {
      const t = col[k] ?? 0;
      a.set(s, t, a.get(s, t) - (prob[k] ?? 0));
    }
  }
  return solve(a, b).get(0, 0);
}

/** P(conversion) from (start) by Gauss-Seidel sweeps over the sparse chain; undefined if it does not converge. */
function solveIterative(chain: Chain, removed: Int32Array | undefined): number | undefined {
  const { n, rowStart, col, prob, toConversion } = chain;
  const mask = removedMask(n, removed);
  const x = new Float64Array(n);
  let previous = Infinity;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let change = 0;
    // Later states are mostly deeper in the journey: sweeping backwards converges faster.
    for (let s = n - 1; s >= 0; s--) {
      if (mask[s]) continue;
      let v = toConversion[s] ?? 0;
      for (let k = rowStart[s] ?? 0; k < (rowStart[s + 1] ?? 0); k++) v += (prob[k] ?? 0) * (x[col[k] ?? 0] ?? 0);
      const d = Math.abs(v - (x[s] ?? 0));
      if (d > change) change = d;
      x[s] = v;
    }
    // The distance to the solution is about change x rate / (1 - rate), where the rate of
    // convergence is estimated from successive changes: on a slow loop a tiny change between
    // sweeps does not yet mean a tiny error.
    const rate = Math.min(previous > 0 ? change / previous : 0, 0.999999);
    if (change <= TOLERANCE && (change * rate) / (1 - rate) <= TOLERANCE) return x[0] ?? 0;
    previous = change;
  }
  return undefined;
}
