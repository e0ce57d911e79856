/**
 * Input checks and totals shared by every data-driven model. The models trust their input after
 * `checkPaths`: every path non-empty, every channel a non-empty label, counts finite and >= 0.
 */
import { JointlyError } from '../../core/errors.js';
import type { ChannelCredit, PathRow } from './types.js';

/** Totals of a path table: converting journeys, their value and non-converting journeys. */
export type PathTotals = { conversions: number; value: number; nulls: number };

/**
 * Fails with a `BAD_ARGUMENT` naming the row and field when a path row cannot be attributed.
 *
 * @example
 * checkPaths([{ path: ['paid', 'partner'], conversions: 1, value: 100, nulls: 3 }]);
 */
export function checkPaths(paths: readonly PathRow[]): void {
  paths.forEach((row, i) => {
    const where = `path row ${i + 1}`;
    if (row.path.length === 0) {
      throw new JointlyError('BAD_ARGUMENT', `${where}: empty path; every journey needs at least one channel.`);
    }
    row.path.forEach((channel, j) => {
      if (channel.trim() === '') {
        throw new JointlyError('BAD_ARGUMENT', `${where}: channel ${j + 1} is blank; give every touch a channel name.`);
      }
    });
    for (const field of ['conversions', 'nulls'] as const) {
      const n = row[field];
      if (!Number.isFinite(n) || n < 0) {
        throw new JointlyError('BAD_ARGUMENT', `${where}: ${field} must be a finite number >= 0, got ${String(n)}.`);
      }
    }
    if (!Number.isFinite(row.value)) {
      throw new JointlyError('BAD_ARGUMENT', `${where}: value must be a finite number, got ${String(row.value)}.`);
    }
  });
}

/**
 * Sums conversions, value and nulls over all rows.
 *
 * @example
 * pathTotals([{ path: ['a'], conversions: 2, value: 5, nulls: 1 }]); // { conversions: 2, value: 5, nulls: 1 }
 */
export function pathTotals(paths: readonly PathRow[]): PathTotals {
  let conversions = 0;
  let value = 0;
  let nulls = 0;
  for (const row of paths) {
    conversions += row.conversions;
    value += row.value;
    nulls += row.nulls;
  }
  return { conversions, value, nulls };
}

/**
 * Channel labels in a stable order (sorted by code unit), so results never depend on input order.
 */
export function channelsOf(paths: readonly PathRow[]): string[] {
  const set = new Set<string>();
  for (const row of paths) for (const c of row.path) set.add(c);
  return [...set].sort(compareLabels);
}

export function compareLabels(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Builds credits from per-channel conversions and value; `share` is the channel's share of the
 * credited conversions (of the value when nothing converted).
 */
export function creditsFrom(
  channels: readonly string[],
  conversions: ArrayLike<number>,
  value: ArrayLike<number>,
): ChannelCredit[] {
  let totalConv = 0;
  let totalValue = 0;
  for (let i = 0; i < channels.length; i++) {
    totalConv += conversions[i] ?? 0;
    totalValue += value[i] ?? 0;
  }
  return channels.map((channel, i) => {
    const conv = conversions[i] ?? 0;
    const val = value[i] ?? 0;
    const share = totalConv > 0 ? conv / totalConv : totalValue !== 0 ? val / totalValue : 0;
    return { channel, share, conversions: conv, value: val };
  });
}
