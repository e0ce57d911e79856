/**
 * Exact money. Amounts travel as integer minor units (`bigint` cents) or as decimal strings
 * ("1234.56"), never as binary floating point once they are summed.
 *
 * Shares of an amount are split by the largest-remainder rule so that they add up to the amount
 * exactly; ties in the remainder go to the earlier share (the caller orders shares
 * deterministically, e.g. by `(occurred_at, touchpoint_id)`).
 *
 * @example
 * allocateLargestRemainder(100n, [1, 1, 1]) // => [34n, 33n, 33n]
 * toMinor('12.345') // throws: more than two decimals
 */
import { JointlyError } from './errors.js';

const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/** Parses a decimal string with at most 2 decimals into cents. */
export function toMinor(value: string): bigint {
  const m = DECIMAL_RE.exec(value.trim());
  if (!m) {
    throw new JointlyError(
      'BAD_ARGUMENT',
      `Expected a money amount like 1234.56, got "${value}".`,
    );
  }
  const [, sign, whole = '0', frac = ''] = m;
  const cents = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
  return sign ? -cents : cents;
}

/** Formats cents as a decimal string with two decimals: 123456n -> "1234.56". */
export function fromMinor(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = abs / 100n;
  const frac = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

/** Formats cents for people: 123456789n -> "1,234,567.89". */
export function formatMoney(cents: bigint, currency = ''): string {
  const s = fromMinor(cents);
  const [whole = '0', frac = '00'] = s.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${cents < 0n ? '-' : ''}${currency ? currency + ' ' : ''}${grouped}.${frac}`;
}

/** Sums decimal strings exactly. */
export function sumMoney(values: readonly string[]): string {
  let total = 0n;
  for (const v of values) total += toMinor(v);
  return fromMinor(total);
}

/**
 * Splits `total` minor units over non-negative `weights` so the parts add up to `total`
 * exactly (largest-remainder / Hamilton rule). Ties go to the lower index.
 */
export function allocateLargestRemainder(total: bigint, weights: readonly number[]): bigint[] {
  if (weights.length === 0) return [];
  const sum = weights.reduce((a, b) => a + b, 0);
  if (!(sum > 0) || weights.some((w) => !(w >= 0) || !Number.isFinite(w))) {
    throw new JointlyError('BAD_ARGUMENT', 'Weights must be finite, non-negative and not all zero.');
  }
  const negative = total < 0n;
  const abs = negative ? -total : total;
  // Scale weights to integers with enough precision for exact floor/remainder arithmetic.
  const scaled = weights.map((w) => BigInt(Math.round((w / sum) * 1e12)));
  const scaledSum = scaled.reduce((a, b) => a + b, 0n);
  const parts = scaled.map((s) => (abs * s) / scaledSum);
  const rema = scaled.map((s, i) => ({ i, r: (abs * s) % scaledSum }));
  let left = abs - parts.reduce((a, b) => a + b, 0n);
  rema.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of rema) {
    if (left <= 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    left -= 1n;
  }
  return negative ? parts.map((p) => -p) : parts;
}
