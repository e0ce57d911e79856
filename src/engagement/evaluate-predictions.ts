/**
 * Held-out evaluation of predicted probabilities: the area under the ROC curve (Mann-Whitney,
 * ties counted half) and a calibration table of equal-count bins.
 */

/**
 * AUC: the chance that a random positive scores above a random negative (ties count 1/2).
 *
 * @example
 * auc({ scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1] }) // 0.75
 */
export function auc(args: { scores: readonly number[]; labels: readonly number[] }): number {
  const items = args.scores.map((s, i) => ({ s, y: args.labels[i] ?? 0 })).sort((a, b) => a.s - b.s);
  const pos = items.filter((i) => i.y === 1).length;
  const neg = items.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  // Mid-ranks over ties, then the rank-sum statistic of the positives.
  let rankSumPos = 0;
  for (let i = 0; i < items.length; ) {
    let j = i;
    while (j + 1 < items.length && items[j + 1]?.s === items[i]?.s) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (items[k]?.y === 1) rankSumPos += midRank;
    i = j + 1;
  }
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

export interface CalibrationBin {
  bin: number;
  n: number;
  mean_predicted: number;
  observed_rate: number;
}

/**
 * Calibration: the held-out rows sorted by predicted probability and cut into `bins` bins of
 * (nearly) equal count; each with its mean prediction and observed rate.
 *
 * @example
 * calibration({ scores: [0.1, 0.2, 0.8, 0.9], labels: [0, 0, 1, 1], bins: 2 })
 * // [{ bin: 1, n: 2, mean_predicted: 0.15, observed_rate: 0 }, { bin: 2, n: 2, mean_predicted: 0.85, observed_rate: 1 }]
 */
export function calibration(args: { scores: readonly number[]; labels: readonly number[]; bins: number }): CalibrationBin[] {
  const items = args.scores.map((s, i) => ({ s, y: args.labels[i] ?? 0 })).sort((a, b) => a.s - b.s);
  const out: CalibrationBin[] = [];
  const bins = Math.max(1, Math.min(args.bins, items.length));
  for (let b = 0; b < bins; b++) {
    const part = items.slice(Math.floor((b * items.length) / bins), Math.floor(((b + 1) * items.length) / bins));
    if (part.length === 0) continue;
    out.push({
      bin: b + 1,
      n: part.length,
      mean_predicted: part.reduce((t, p) => t + p.s, 0) / part.length,
      observed_rate: part.reduce((t, p) => t + p.y, 0) / part.length,
    });
  }
  return out;
}
