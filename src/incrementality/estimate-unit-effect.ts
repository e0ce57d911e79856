/**
 * One unit's (partner's or program's) counterfactual estimate over the in-memory panel:
 * propensity fit (firmographics) → nearest-neighbour matching within the engagement month → pooled
 * difference-in-differences → percentile bootstrap that resamples accounts and re-matches.
 *
 * Why pooled DiD and not a per-pair one: a per-pair DiD subtracts `months after × (pre-period
 * monthly difference)`, so an account engaged in month 1 multiplies one month's noisy difference
 * by ~28. Those pairs dominated the variance (estimates 10× the truth with very wide intervals).
 * Here the baseline difference per observable month, δ = Σ pre differences ÷ Σ pre months, is
 * estimated once over all pairs and subtracted in proportion to each pair's observable post
 * months. It removes the same time-constant imbalance (what DiD is for) under the assumption that
 * the imbalance does not depend on when an account engaged; its own sampling error is part of
 * the bootstrap because δ is re-estimated in every resample.
 *
 * Interval: a Poisson bootstrap that resamples engaged and comparison accounts and matches again
 * in every resample (propensity model and caliper held fixed), so the variability of which
 * controls are nearest is part of it (Abadie & Imbens 2008: with matches held fixed it is not).
 * Re-matching is not proven valid either, so coverage is checked against planted truth
 * (test/integration/incrementality-truth-ci.test.ts, bench/incrementality.bench.ts).
 *
 * Revenue months are weighted by the share of that month's pipeline already closed (see
 * load-incrementality-panel.ts): a baseline difference in won revenue shows up only partly in
 * recent months, exactly as the effect itself does.
 *
 * All of it runs over typed arrays: matching sorts the pool once (per month only if a propensity
 * feature varies by month), and the bootstrap reweights precomputed per-match values (no query
 * per unit or resample).
 */
import { quantileSorted, seededRandom } from './bootstrap.js';
import { FEATURES, type Feature, type IncrementalityPanel } from './load-incrementality-panel.js';
import { fitLogistic } from './logistic-regression.js';

/**
 * Features of the propensity score: firmographics only. Pre-period activity (touches,
 * opportunities, pipeline) is reported in the balance table but not matched on, for two reasons
 * measured on the medium demo: matching on pre-period outcomes and then taking a
 * difference-in-differences regresses the matched controls to their lower mean after engagement
 * (Daw & Hatfield 2018), and features averaged over `min(preMonths, e)` months match early engagers
 * worse than late ones, so the remaining imbalance depends on the engagement month, which the
 * pooled baseline below assumes it does not. Both biased pipeline upwards (programs' intervals
 * missed 2 of 6). Time-constant differences in activity are what the DiD removes.
 */
export const PROPENSITY_FEATURES = ['ln_employees', 'ln_annual_revenue'] as const satisfies readonly Feature[];

/** Features that are properties of the account, the same at every engagement month. */
const ACCOUNT_FEATURES: readonly Feature[] = ['ln_employees', 'ln_annual_revenue'];
const SCORE_VARIES_BY_MONTH = PROPENSITY_FEATURES.some((f) => !ACCOUNT_FEATURES.includes(f));

export const INCREMENTALITY_METRICS = ['revenue', 'pipeline'] as const;
export type IncrementalityMetric = (typeof INCREMENTALITY_METRICS)[number];

export interface BalanceRow {
  feature: string;
  smd_before: number;
  smd_after: number;
}

export interface MetricEstimate {
  /** Average effect per matched engaged account. */
  att: number;
  total: number;
  low: number;
  high: number;
}

export interface UnitEffect {
  eligible: number;
  matched: number;
  controls: number;
  perMetric: Record<IncrementalityMetric, MetricEstimate | null>;
  balance: BalanceRow[];
  /** Set when there is no estimate: "insufficient data (n=…)". */
  note: string | null;
}

export interface UnitEffectOptions {
  engaged: number;
  seed: number;
  bootstrapIterations: number;
  caliper: number;
  neighbours: number;
  minMatched: number;
}

function meanOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] ?? 0;
  return a.length ? s / a.length : 0;
}
function varianceOf(a: ArrayLike<number>): number {
  const m = meanOf(a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += ((a[i] ?? 0) - m) ** 2;
  return a.length > 1 ? s / (a.length - 1) : 0;
}
function smd(t: ArrayLike<number>, c: ArrayLike<number>): number {
  const pooled = Math.sqrt((varianceOf(t) + varianceOf(c)) / 2);
  return pooled === 0 ? 0 : (meanOf(t) - meanOf(c)) / pooled;
}

/**
 * Estimates one unit from the rows `rows` of `panel.treated` (its eligible engaged accounts).
 *
 * @example
 * const fx = estimateUnitEffect(panel, panel.treatedByUnit.get('partner:P0001')!, { engaged: 120, seed: 7, bootstrapIterations: 1000, caliper: 0.2, neighbours: 5, minMatched: 30 });
 * fx.perMetric.revenue?.total
 */
export function estimateUnitEffect(panel: IncrementalityPanel, rows: Int32Array, o: UnitEffectOptions): UnitEffect {
  const { treated, pool, poolAccounts, monthPos } = panel;
  const nMonths = panel.months.length;
  const eligible = rows.length;
  const thin = (n: number, why: string, extra: Partial<UnitEffect> = {}): UnitEffect => ({
    eligible, matched: 0, controls: 0, perMetric: { revenue: null, pipeline: null }, balance: [],
    note: `insufficient data (n=${n} ${why}; at least ${o.minMatched} needed)`, ...extra,
  });
  if (eligible < o.minMatched) {
    return thin(eligible, eligible === o.engaged ? 'engaged accounts' : `engaged accounts with a month before and after engagement, of ${o.engaged}`);
  }
  if (poolAccounts < o.minMatched) return thin(poolAccounts, 'comparison accounts');
  const rnd = seededRandom(o.seed);
  const cols = PROPENSITY_FEATURES.map((f) => FEATURES.indexOf(f));
  const K = cols.length;

  // Fitting sample: comparison accounts drawn without replacement, each at the engagement month of
  // a random engaged account, so the fit compares like months.
  const nFit = Math.min(poolAccounts, Math.max(2000, 10 * eligible));
  const perm = Int32Array.from({ length: poolAccounts }, (_, i) => i);
  const fitRows = new Int32Array(nFit);
  for (let i = 0; i < nFit; i++) {
    const j = i + Math.floor(rnd() * (poolAccounts - i));
    const a = perm[j] ?? 0;
    perm[j] = perm[i] ?? 0;
    perm[i] = a;
    const e = treated.e[rows[Math.floor(rnd() * eligible)] ?? 0] ?? 0;
    fitRows[i] = a * nMonths + (monthPos.get(e) ?? 0);
  }
  const tx = (r: number, j: number): number => treated.x[cols[j] ?? 0]?.[r] ?? 0;
  const px = (r: number, j: number): number => pool.x[cols[j] ?? 0]?.[r] ?? 0;
  const tf = (r: number, j: number): number => treated.x[j]?.[r] ?? 0;
  const pf = (r: number, j: number): number => pool.x[j]?.[r] ?? 0;
  const mu = new Float64Array(K);
  const sd = new Float64Array(K);
  for (let j = 0; j < K; j++) {
    const all = new Float64Array(eligible + nFit);
    for (let i = 0; i < eligible; i++) all[i] = tx(rows[i] ?? 0, j);
    for (let i = 0; i < nFit; i++) all[eligible + i] = px(fitRows[i] ?? 0, j);
    mu[j] = meanOf(all);
    sd[j] = Math.sqrt(varianceOf(all)) || 1;
  }
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < eligible; i++) {
    x.push(Array.from({ length: K }, (_, j) => (tx(rows[i] ?? 0, j) - (mu[j] ?? 0)) / (sd[j] ?? 1)));
    y.push(1);
  }
  for (let i = 0; i < nFit; i++) {
    x.push(Array.from({ length: K }, (_, j) => (px(fitRows[i] ?? 0, j) - (mu[j] ?? 0)) / (sd[j] ?? 1)));
    y.push(0);
  }
  const coef = fitLogistic({ x, y, ridge: 1e-3 }).coefficients;
  const slopes = Float64Array.from({ length: K }, (_, j) => (coef[j + 1] ?? 0) / (sd[j] ?? 1));
  let intercept = coef[0] ?? 0;
  for (let j = 0; j < K; j++) intercept -= (slopes[j] ?? 0) * (mu[j] ?? 0);
  const tLogit = (r: number): number => {
    let s = intercept;
    for (let j = 0; j < K; j++) s += (slopes[j] ?? 0) * tx(r, j);
    return s;
  };
  const pLogit = (r: number): number => {
    let s = intercept;
    for (let j = 0; j < K; j++) s += (slopes[j] ?? 0) * px(r, j);
    return s;
  };
  const fitLogits = new Float64Array(eligible + nFit);
  for (let i = 0; i < eligible; i++) fitLogits[i] = tLogit(rows[i] ?? 0);
  for (let i = 0; i < nFit; i++) fitLogits[eligible + i] = pLogit(fitRows[i] ?? 0);
  const caliper = o.caliper * Math.sqrt(varianceOf(fitLogits));

  // Matching: per engagement month, pool scores sorted once; each engaged account takes its
  // `neighbours` nearest within the caliper (with replacement), walking outwards from its place.
  const byMonth = new Map<number, number[]>();
  for (let i = 0; i < eligible; i++) {
    const r = rows[i] ?? 0;
    const list = byMonth.get(treated.e[r] ?? 0) ?? [];
    list.push(r);
    byMonth.set(treated.e[r] ?? 0, list);
  }
  const pairT: number[] = [];
  const pairStart: number[] = [0];
  const matches: number[] = [];
  // Account-level features score the same in every month: sort the pool once, not once a month.
  const sortedByPos = new Map<number, { order: Int32Array; sorted: Float64Array }>();
  const sortedAt = (pos: number) => {
    const key = SCORE_VARIES_BY_MONTH ? pos : 0;
    const hit = sortedByPos.get(key);
    if (hit) return hit;
    const scores = new Float64Array(poolAccounts);
    for (let a = 0; a < poolAccounts; a++) scores[a] = pLogit(a * nMonths + key);
    const order = Int32Array.from({ length: poolAccounts }, (_, a) => a).sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0) || a - b);
    const made = { order, sorted: Float64Array.from(order, (a) => scores[a] ?? 0) };
    sortedByPos.set(key, made);
    return made;
  };
  for (const [e, list] of byMonth) {
    const pos = monthPos.get(e) ?? 0;
    const { order, sorted } = sortedAt(pos);
    for (const r of list.sort((a, b) => a - b)) {
      const s = tLogit(r);
      const lo = lowerBound(sorted, s);
      let left = lo - 1;
      let right = lo;
      let taken = 0;
      while (taken < o.neighbours) {
        const dl = left >= 0 ? s - (sorted[left] ?? 0) : Infinity;
        const dr = right < sorted.length ? (sorted[right] ?? 0) - s : Infinity;
        const d = Math.min(dl, dr);
        if (!(d <= caliper)) break;
        const a = dl <= dr ? order[left--] : order[right++];
        matches.push((a ?? 0) * nMonths + pos);
        taken++;
      }
      if (taken > 0) {
        pairT.push(r);
        pairStart.push(matches.length);
      }
    }
  }
  const matched = pairT.length;
  const distinct = new Set<number>();
  for (const m of matches) distinct.add(Math.floor(m / nMonths));

  // Per pair: treated values and the mean of its matches.
  const cMean = (col: Float64Array, p: number): number => {
    const from = pairStart[p] ?? 0;
    const to = pairStart[p + 1] ?? from;
    let s = 0;
    for (let k = from; k < to; k++) s += col[matches[k] ?? 0] ?? 0;
    return to > from ? s / (to - from) : 0;
  };
  const balance: BalanceRow[] = FEATURES.map((f, j) => {
    const tAll = Float64Array.from(rows, (r) => tf(r, j));
    const cFit = Float64Array.from(fitRows, (r) => pf(r, j));
    const tM = Float64Array.from(pairT, (r) => tf(r, j));
    const cM = Float64Array.from({ length: matched }, (_, p) => cMean(pool.x[j] ?? new Float64Array(0), p));
    return { feature: f, smd_before: smd(tAll, cFit), smd_after: smd(tM, cM) };
  });
  if (matched < o.minMatched) {
    return thin(matched, `matched accounts of ${eligible} engaged`, { matched, controls: distinct.size, balance });
  }

  const sums = { revenue: pairSums('revenue'), pipeline: pairSums('pipeline') };
  function pairSums(metric: IncrementalityMetric) {
    const tPre = metric === 'revenue' ? treated.preRevenue : treated.prePipeline;
    const tPost = metric === 'revenue' ? treated.postRevenue : treated.postPipeline;
    const cPre = metric === 'revenue' ? pool.preRevenue : pool.prePipeline;
    const cPost = metric === 'revenue' ? pool.postRevenue : pool.postPipeline;
    const dPre = new Float64Array(matched);
    const dPost = new Float64Array(matched);
    const wPre = new Float64Array(matched);
    const wPost = new Float64Array(matched);
    for (let p = 0; p < matched; p++) {
      const r = pairT[p] ?? 0;
      const e = treated.e[r] ?? 0;
      dPre[p] = (tPre[r] ?? 0) - cMean(cPre, p);
      dPost[p] = (tPost[r] ?? 0) - cMean(cPost, p);
      for (let m = 0; m <= panel.lastIdx; m++) {
        const w = metric === 'revenue' ? (panel.revenueWeight[m] ?? 1) : 1;
        if (m < e) wPre[p] = (wPre[p] ?? 0) + w;
        else if (m > e) wPost[p] = (wPost[p] ?? 0) + w;
      }
    }
    return { dPre, dPost, wPre, wPost };
  }
  const statistic = (s: { dPre: Float64Array; dPost: Float64Array; wPre: Float64Array; wPost: Float64Array }): number => {
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    const n = matched;
    for (let p = 0; p < n; p++) {
      a += s.dPost[p] ?? 0;
      b += s.dPre[p] ?? 0;
      c += s.wPre[p] ?? 0;
      d += s.wPost[p] ?? 0;
    }
    return (a - (c > 0 ? (b / c) * d : 0)) / n;
  };
  // Interval: a bootstrap that resamples engaged and comparison accounts and matches again in
  // every resample (the propensity model and the caliper are held fixed). Holding the matches
  // fixed (the previous version, a Bayesian bootstrap reweighting matched pairs) leaves out the
  // variability of which controls are the nearest, which a nearest-neighbour matching estimator
  // has (Abadie & Imbens 2008); re-matching puts it back. Resampling is a Poisson bootstrap
  // (Hanley & MacGibbon 2006; Chamandy et al. 2012): each account appears Poisson(1) times, the
  // count of comparison account `a` in resample `it` a hash of (seed, it, a), so every engaged
  // account in a resample sees the same resampled pool and only the controls the walk visits
  // are drawn. A control drawn c times counts as c neighbours (ties in distance).
  const reps = { revenue: new Float64Array(o.bootstrapIterations), pipeline: new Float64Array(o.bootstrapIterations) };
  const tScore = Float64Array.from(rows, (r) => tLogit(r));
  const tPos = Int32Array.from(rows, (r) => monthPos.get(treated.e[r] ?? 0) ?? 0);
  const weightsOf = (metric: IncrementalityMetric) => {
    const wPre = new Float64Array(eligible);
    const wPost = new Float64Array(eligible);
    for (let i = 0; i < eligible; i++) {
      const e = treated.e[rows[i] ?? 0] ?? 0;
      for (let m = 0; m <= panel.lastIdx; m++) {
        const w = metric === 'revenue' ? (panel.revenueWeight[m] ?? 1) : 1;
        if (m < e) wPre[i] = (wPre[i] ?? 0) + w;
        else if (m > e) wPost[i] = (wPost[i] ?? 0) + w;
      }
    }
    return { wPre, wPost };
  };
  const wRev = weightsOf('revenue');
  const wPipe = weightsOf('pipeline');
  const sortedOf = tPos.length ? Array.from({ length: nMonths }, (_, pos) => (byMonthHas(pos) ? sortedAt(pos) : null)) : [];
  function byMonthHas(pos: number): boolean {
    for (let i = 0; i < eligible; i++) if (tPos[i] === pos) return true;
    return false;
  }
  const seedB = (o.seed ^ 0x5bd1e995) >>> 0;
  const acc = new Float64Array(10);
  for (let it = 0; it < o.bootstrapIterations; it++) {
    acc.fill(0);
    const itKey = Math.imul(it + 1, 0x9e3779b1) ^ seedB;
    for (let i = 0; i < eligible; i++) {
      const n = poissonOne(hash32(itKey ^ 0x7f4a7c15, i));
      if (n === 0) continue;
      const r = rows[i] ?? 0;
      const pos = tPos[i] ?? 0;
      const so = sortedOf[pos];
      if (!so) continue;
      const { order, sorted } = so;
      const s = tScore[i] ?? 0;
      const lo = lowerBound(sorted, s);
      let left = lo - 1;
      let right = lo;
      let taken = 0;
      let cPreR = 0;
      let cPostR = 0;
      let cPreP = 0;
      let cPostP = 0;
      while (taken < o.neighbours) {
        const dl = left >= 0 ? s - (sorted[left] ?? 0) : Infinity;
        const dr = right < sorted.length ? (sorted[right] ?? 0) - s : Infinity;
        if (!(Math.min(dl, dr) <= caliper)) break;
        const a = (dl <= dr ? order[left--] : order[right++]) ?? 0;
        const c = Math.min(poissonOne(hash32(itKey, a)), o.neighbours - taken);
        if (c === 0) continue;
        const k = a * nMonths + pos;
        cPreR += c * (pool.preRevenue[k] ?? 0);
        cPostR += c * (pool.postRevenue[k] ?? 0);
        cPreP += c * (pool.prePipeline[k] ?? 0);
        cPostP += c * (pool.postPipeline[k] ?? 0);
        taken += c;
      }
      if (taken === 0) continue;
      acc[0] = (acc[0] ?? 0) + n * ((treated.postRevenue[r] ?? 0) - cPostR / taken);
      acc[1] = (acc[1] ?? 0) + n * ((treated.preRevenue[r] ?? 0) - cPreR / taken);
      acc[2] = (acc[2] ?? 0) + n * (wRev.wPre[i] ?? 0);
      acc[3] = (acc[3] ?? 0) + n * (wRev.wPost[i] ?? 0);
      acc[4] = (acc[4] ?? 0) + n * ((treated.postPipeline[r] ?? 0) - cPostP / taken);
      acc[5] = (acc[5] ?? 0) + n * ((treated.prePipeline[r] ?? 0) - cPreP / taken);
      acc[6] = (acc[6] ?? 0) + n * (wPipe.wPre[i] ?? 0);
      acc[7] = (acc[7] ?? 0) + n * (wPipe.wPost[i] ?? 0);
      acc[8] = (acc[8] ?? 0) + n;
    }
    const V = acc[8] ?? 0;
    const did = (A: number, B: number, C: number, D: number): number => (V > 0 ? (A - (C > 0 ? (B / C) * D : 0)) / V : Number.NaN);
    reps.revenue[it] = did(acc[0] ?? 0, acc[1] ?? 0, acc[2] ?? 0, acc[3] ?? 0);
    reps.pipeline[it] = did(acc[4] ?? 0, acc[5] ?? 0, acc[6] ?? 0, acc[7] ?? 0);
  }
  const perMetric: UnitEffect['perMetric'] = { revenue: null, pipeline: null };
  for (const metric of INCREMENTALITY_METRICS) {
    const att = statistic(sums[metric]);
    const sorted = Array.from(reps[metric]).filter(Number.isFinite).sort((p, q) => p - q);
    perMetric[metric] = { att, total: att * eligible, low: quantileSorted(sorted, 0.025) * eligible, high: quantileSorted(sorted, 0.975) * eligible };
  }
  return { eligible, matched, controls: distinct.size, perMetric, balance, note: null };
}

/** A 32-bit integer hash of (key, i) (murmur3's finaliser over a mix of both). */
function hash32(key: number, i: number): number {
  let h = (key ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Cumulative Poisson(1) probabilities P(X <= k), k = 0..11. */
const POISSON_ONE_CDF = (() => {
  const out: number[] = [];
  let p = Math.exp(-1);
  let c = 0;
  for (let k = 0; k < 12; k++) {
    c += p;
    out.push(c);
    p /= k + 1;
  }
  return out;
})();

/** A Poisson(1) draw by inversion of a 32-bit uniform hash. */
function poissonOne(h: number): number {
  const u = h / 4294967296;
  let k = 0;
  while (k < POISSON_ONE_CDF.length && u >= (POISSON_ONE_CDF[k] ?? 1)) k++;
  return k;
}

/** First index of `sorted` whose value is >= `s` (binary search). @example lowerBound(Float64Array.of(1, 3), 2) // 1 */
function lowerBound(sorted: Float64Array, s: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
