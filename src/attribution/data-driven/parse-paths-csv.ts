import type { PathRow } from './types.js';
export function parsePathsCsv(input: string | { file: string }): PathRow[] { void input; throw new Error('not yet'); }
