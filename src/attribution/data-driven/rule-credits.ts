import type { ChannelCredit, PathRow } from './types.js';
export function firstTouchCredits(paths: PathRow[]): ChannelCredit[] { void paths; throw new Error('not yet'); }
export function lastTouchCredits(paths: PathRow[]): ChannelCredit[] { void paths; throw new Error('not yet'); }
export function linearCredits(paths: PathRow[]): ChannelCredit[] { void paths; throw new Error('not yet'); }
