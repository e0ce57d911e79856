/**
 * Poisson tail probabilities, summed in log space so large means do not underflow.
 *
 * @example
 * poissonTail({ value: 5, mean: 17.5, direction: 'drop' }) // P(X <= 5 | 17.5) ≈ 0.00067
 */
export function poissonTail(args: { value: number; mean: number; direction: 'drop' | 'spike' }): number {
  const { mean } = args;
  const k = Math.floor(args.value);
  if (mean <= 0) return args.direction === 'drop' ? 1 : k <= 0 ? 1 : 0;
  // P(X <= k) for a drop; P(X >= k) = 1 - P(X <= k - 1) for a spike.
  const upTo = args.direction === 'drop' ? k : k - 1;
  if (upTo < 0) return args.direction === 'drop' ? 0 : 1;
  const logMean = Math.log(mean);
  let logFact = 0;
  let maxLog = -Infinity;
  const logs: number[] = [];
  for (let i = 0; i <= upTo; i++) {
    if (i > 0) logFact += Math.log(i);
    const l = -mean + i * logMean - logFact;
    logs.push(l);
    if (l > maxLog) maxLog = l;
  }
  const cdf = Math.min(1, Math.exp(maxLog) * logs.reduce((s, l) => s + Math.exp(l - maxLog), 0));
  return args.direction === 'drop' ? cdf : Math.max(0, 1 - cdf);
}
