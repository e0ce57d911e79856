/**
 * Data-driven attribution over aggregated paths (pure TypeScript, no warehouse access):
 * rule-based baselines, Markov chain removal effect, Shapley value, and the paths CSV parser.
 */
export type { PathRow, ChannelCredit, MarkovCredit, ShapleyResult } from './types.js';
export { firstTouchCredits, lastTouchCredits, linearCredits } from './rule-credits.js';
export { markovCredits } from './markov-credits.js';
export { shapleyCredits } from './shapley-credits.js';
export { parsePathsCsv } from './parse-paths-csv.js';
