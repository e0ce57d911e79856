/**
 * Rule-based baselines over aggregated paths, with ChannelAttribution's conventions
 * (heuristic_models in its functions.cpp): first touch credits the first channel, last touch the
 * last, linear gives every touch (every occurrence, so a repeated channel counts each time) an
 * equal 1/length of the path's conversions and value.
 */
import { channelsOf, checkPaths, creditsFrom } from './path-totals.js';
import type { ChannelCredit, PathRow } from './types.js';

type Weigher = (path: readonly string[], add: (channel: string, weight: number) => void) => void;

function ruleCredits(paths: PathRow[], weigh: Weigher): ChannelCredit[] {
  checkPaths(paths);
  const channels = channelsOf(paths);
  const index = new Map(channels.map((c, i) => [c, i]));
  const conv = new Float64Array(channels.length);
  const value = new Float64Array(channels.length);
  for (const row of paths) {
    weigh(row.path, (channel, weight) => {
      const i = index.get(channel) ?? -1;
      conv[i] = (conv[i] ?? 0) + weight * row.conversions;
      value[i] = (value[i] ?? 0) + weight * row.value;
    });
  }
  return creditsFrom(channels, conv, value);
}

/**
 * All of a path's conversions and value go to its first channel.
 *
 * @example
 * firstTouchCredits([{ path: ['paid', 'partner'], conversions: 2, value: 50, nulls: 0 }]);
 * // [{ channel: 'paid', share: 1, conversions: 2, value: 50 }, { channel: 'partner', share: 0, conversions: 0, value: 0 }]
 */
export function firstTouchCredits(paths: PathRow[]): ChannelCredit[] {
  return ruleCredits(paths, (path, add) => add(path[0] ?? '', 1));
}

/**
 * All of a path's conversions and value go to its last channel.
 *
 * @example
 * lastTouchCredits([{ path: ['paid', 'partner'], conversions: 2, value: 50, nulls: 0 }]);
 * // partner gets 2 conversions and 50
 */
export function lastTouchCredits(paths: PathRow[]): ChannelCredit[] {
  return ruleCredits(paths, (path, add) => add(path[path.length - 1] ?? '', 1));
}

/**
 * Every touch gets 1/length of the path's conversions and value (repeats count per occurrence).
 *
 * @example
 * linearCredits([{ path: ['paid', 'partner', 'paid'], conversions: 3, value: 30, nulls: 0 }]);
 * // paid 2 conversions and 20, partner 1 and 10
 */
export function linearCredits(paths: PathRow[]): ChannelCredit[] {
  return ruleCredits(paths, (path, add) => {
    for (const channel of path) add(channel, 1 / path.length);
  });
}
