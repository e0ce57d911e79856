/**
 * Commission on a volume by a plan's bands, in exact integer arithmetic.
 *
 * - `marginal`: each band's rate applies to the part of the volume inside that band (like income
 *   tax brackets): bands 0 @ 10%, 100,000 @ 15% on 150,000 -> 10,000 + 7,500 = 17,500.
 * - `whole`: the rate of the highest band the volume reaches applies to the whole volume:
 *   the same bands on 150,000 -> 22,500.
 *
 * Rounding rule: the commission is computed exactly in millionths of a cent and rounded once, half
 * away from zero, to whole cents. A negative volume (net reversals) is charged at the first band.
 *
 * @example
 * commissionFor(15_000_000n, { mode: 'marginal', bands: [{ from_cents: 0n, rate_ppm: 100_000n },
 *   { from_cents: 10_000_000n, rate_ppm: 150_000n }] }) // => 1_750_000n cents (17,500.00)
 */
export interface Bands {
  mode: 'marginal' | 'whole';
  bands: readonly { from_cents: bigint; rate_ppm: bigint }[];
}

/** Rounds num/den to the nearest integer, halves away from zero (den > 0). */
export function divRound(num: bigint, den: bigint): bigint {
  const neg = num < 0n;
  const a = neg ? -num : num;
  const q = (2n * a + den) / (2n * den);
  return neg ? -q : q;
}

/** The commission in cents on `volumeCents`. */
export function commissionFor(volumeCents: bigint, tiers: Bands): bigint {
  const bands = tiers.bands;
  const first = bands[0];
  if (!first) return 0n;
  if (volumeCents <= 0n) return divRound(volumeCents * first.rate_ppm, 1_000_000n);
  if (tiers.mode === 'whole') {
    let rate = first.rate_ppm;
    for (const b of bands) if (volumeCents >= b.from_cents) rate = b.rate_ppm;
    return divRound(volumeCents * rate, 1_000_000n);
  }
  let micro = 0n;
  bands.forEach((b, i) => {
    const upper = bands[i + 1]?.from_cents;
    const top = upper === undefined || volumeCents < upper ? volumeCents : upper;
    if (top > b.from_cents) micro += (top - b.from_cents) * b.rate_ppm;
  });
  return divRound(micro, 1_000_000n);
}
