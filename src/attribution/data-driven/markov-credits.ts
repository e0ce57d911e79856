import type { MarkovCredit, PathRow } from './types.js';
export function markovCredits(paths: PathRow[], opts: { order: 1 | 2 | 3 | 4 }): MarkovCredit[] { void paths; void opts; throw new Error('not yet'); }
