import type { PathRow, ShapleyResult } from './types.js';
export function shapleyCredits(paths: PathRow[], opts?: { maxExactPlayers?: number; samples?: number; seed?: number }): ShapleyResult { void paths; void opts; throw new Error('not yet'); }
