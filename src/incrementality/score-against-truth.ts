/**
 * Scores estimates with intervals against known true values (a generator's planted effects, a
 * simulation): interval coverage and Spearman rank correlation (simple-statistics). Used by the
 * benchmark and tests; knows nothing about where the truth came from.
 */
import { sampleRankCorrelation } from 'simple-statistics';

export interface ScoredUnit {
  id: string;
  truth: number;
  estimate: number | null;
  ci_low: number | null;
  ci_high: number | null;
  covered: boolean | null;
}

export interface TruthScore {
  /** Units with a true value. */
  units: number;
  /** Units with an estimate (not "insufficient data"). */
  estimated: number;
  /** Share of estimated units whose interval holds the true value. */
  coverage: number | null;
  /** Spearman correlation of estimates and true values over estimated units. */
  spearman: number | null;
  detail: ScoredUnit[];
}

/**
 * @example
 * scoreAgainstTruth([{ id: 'p1', estimate: 10, ci_low: 5, ci_high: 15 }], [{ id: 'p1', truth: 12 }])
 * // { units: 1, estimated: 1, coverage: 1, spearman: null, ... }
 */
export function scoreAgainstTruth(
  estimates: readonly { id: string; estimate: number | null; ci_low: number | null; ci_high: number | null }[],
  truth: readonly { id: string; truth: number }[],
): TruthScore {
  const detail: ScoredUnit[] = truth.map((t) => {
    const e = estimates.find((x) => x.id === t.id);
    const estimate = e?.estimate ?? null;
    const low = e?.ci_low ?? null;
    const high = e?.ci_high ?? null;
    return {
      id: t.id,
      truth: t.truth,
      estimate,
      ci_low: low,
      ci_high: high,
      covered: estimate === null || low === null || high === null ? null : low <= t.truth && t.truth <= high,
    };
  });
  const est = detail.filter((d) => d.estimate !== null);
  const coverage = est.length ? est.filter((d) => d.covered).length / est.length : null;
  const spearman = est.length >= 3 ? sampleRankCorrelation(est.map((d) => d.estimate ?? 0), est.map((d) => d.truth)) : null;
  return { units: detail.length, estimated: est.length, coverage, spearman, detail };
}
