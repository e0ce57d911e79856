/**
 * Data-driven attribution over aggregated paths (pure TypeScript, no warehouse access):
 * rule-based baselines, Markov chain removal effect, Shapley value, and the paths CSV parser.
 * The warehouse runner aggregates journeys to `PathRow`s in SQL and calls these; `jointly paths`
 * calls them on a CSV.
 *
 * @example
 * import { markovCredits, shapleyCredits } from './data-driven/index.js';
 * const paths = [{ path: ['paid', 'partner'], conversions: 3, value: 300, nulls: 7 }];
 * markovCredits(paths, { order: 1 });
 * shapleyCredits(paths).credits;
 */
export type { PathRow, ChannelCredit, MarkovCredit, ShapleyResult } from './types.js';
export { firstTouchCredits, lastTouchCredits, linearCredits } from './rule-credits.js';
export { markovCredits, markovModel } from './markov-credits.js';
export type { MarkovOptions, MarkovModel } from './markov-credits.js';
export { shapleyCredits } from './shapley-credits.js';
export type { ShapleyOptions } from './shapley-credits.js';
export { parsePathsCsv } from './parse-paths-csv.js';
export type { PathsCsvInput } from './parse-paths-csv.js';
export { pathTotals, checkPaths } from './path-totals.js';
export type { PathTotals } from './path-totals.js';
