import { describe, expect, test } from 'vitest';
import { commissionFor, divRound } from './commission.js';
import { parsePeriod, quartersFrom } from './period.js';

// Bands: 0 @ 10%, 100,000.00 @ 15%, 250,000.00 @ 20% (amounts in cents, rates in ppm).
const bands = [
  { from_cents: 0n, rate_ppm: 100_000n },
  { from_cents: 10_000_000n, rate_ppm: 150_000n },
  { from_cents: 25_000_000n, rate_ppm: 200_000n },
];

describe('commission', () => {
  test('marginal bands charge each slice at its own rate', () => {
    // 150,000.00: 100,000 x 10% + 50,000 x 15% = 17,500.00
    expect(commissionFor(15_000_000n, { mode: 'marginal', bands })).toBe(1_750_000n);
    // 300,000.00: 10,000 + 22,500 + 10,000 = 42,500.00
    expect(commissionFor(30_000_000n, { mode: 'marginal', bands })).toBe(4_250_000n);
  });

  test('whole-amount bands charge the reached rate on everything', () => {
    expect(commissionFor(15_000_000n, { mode: 'whole', bands })).toBe(2_250_000n);
    expect(commissionFor(9_999_999n, { mode: 'whole', bands })).toBe(1_000_000n); // 99,999.99 x 10% = 9,999.9990 -> 10,000.00
  });

  test('rounding is half away from zero, once', () => {
    expect(divRound(5n, 10n)).toBe(1n);
    expect(divRound(-5n, 10n)).toBe(-1n);
    expect(divRound(4n, 10n)).toBe(0n);
    // 0.05 cents x 10% -> 0.005 rounds to 0.01? 5 cents x 10% = 0.5 cent -> 1 cent.
    expect(commissionFor(5n, { mode: 'marginal', bands })).toBe(1n);
    expect(commissionFor(-5n, { mode: 'marginal', bands })).toBe(-1n);
  });
});

describe('periods', () => {
  test('quarters, months, years and ranges', () => {
    expect(parsePeriod('2026-Q3')).toEqual({ label: '2026-Q3', start: '2026-07-01', end: '2026-09-30' });
    expect(parsePeriod('2024-02')).toEqual({ label: '2024-02', start: '2024-02-01', end: '2024-02-29' });
    expect(parsePeriod('2026')).toEqual({ label: '2026', start: '2026-01-01', end: '2026-12-31' });
    expect(quartersFrom('2026-11-15', 2).map((p) => p.label)).toEqual(['2026-Q4', '2027-Q1']);
  });
  describe('failures', () => {
    test('bad periods are refused with the accepted forms', () => {
      expect(() => parsePeriod('2026-Q5')).toThrow(/2026-Q3/);
      expect(() => parsePeriod('2026-09-31..2026-10-01')).toThrow(/period/);
    });
  });
});
