import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { shapleyCredits, type PathRow } from './index.js';

/** Deterministic paths over `players` labels (LCG; seed pinned). */
function randomPaths(players: number, rows: number, seed: number): PathRow[] {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const labels = Array.from({ length: players }, (_, i) => `p${String(i).padStart(2, '0')}`);
  return Array.from({ length: rows }, () => {
    const len = 1 + Math.floor(next() * 4);
    const path = Array.from({ length: len }, () => labels[Math.floor(next() * players)] ?? 'p00');
    const conversions = Math.floor(next() * 6);
    return { path, conversions, value: conversions * 100 + Math.floor(next() * 50), nulls: Math.floor(next() * 10) };
  });
}

/**
 * Independent closed form: v(S) = sum of w(T) over channel sets T within S is a sum of unanimity
 * games, whose Shapley value gives each member of T the share w(T)/|T|.
 */
function closedForm(paths: PathRow[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const row of paths) {
    const set = [...new Set(row.path)];
    for (const c of set) out.set(c, (out.get(c) ?? 0) + row.conversions / set.length);
  }
  return out;
}

describe('shapleyCredits', () => {
  test('exact enumeration over coalitions equals the unanimity-game closed form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 1e6 }), (players, rows, seed) => {
        const paths = randomPaths(players, rows, seed);
        const result = shapleyCredits(paths);
        expect(result.method).toBe('exact');
        const expected = closedForm(paths);
        for (const c of result.credits) expect(c.conversions).toBeCloseTo(expected.get(c.channel) ?? 0, 9);
      }),
      { numRuns: 60, seed: 42 },
    );
  });

  test('the sampled estimate approaches the exact value, within 4 standard errors', () => {
    const paths = randomPaths(10, 400, 99);
    const exact = shapleyCredits(paths);
    const sampled = shapleyCredits(paths, { maxExactPlayers: 0, samples: 3000, seed: 7 });
    expect(sampled.method).toBe('sampled');
    const se = sampled.standardError ?? Infinity;
    expect(se).toBeGreaterThan(0);
    expect(se).toBeLessThan(0.01);
    sampled.credits.forEach((c, i) => {
      expect(Math.abs(c.share - exact.credits[i]!.share)).toBeLessThanOrEqual(4 * se);
    });
    // more permutations, smaller error
    const rough = shapleyCredits(paths, { maxExactPlayers: 0, samples: 200, seed: 7 });
    expect(rough.standardError ?? 0).toBeGreaterThan(se);
  });

  test('above 12 players the estimate is sampled, seeded and reproducible, and conserves totals', () => {
    const paths = randomPaths(15, 300, 5);
    const a = shapleyCredits(paths, { seed: 3, samples: 300 });
    const b = shapleyCredits(paths, { seed: 3, samples: 300 });
    expect(a.method).toBe('sampled');
    expect(a).toEqual(b);
    const total = paths.reduce((s, r) => s + r.conversions, 0);
    expect(a.credits.reduce((s, c) => s + c.conversions, 0)).toBeCloseTo(total, 8);
  });

  test('conversion-rate worth splits each channel set by its conversion rate, normalised to totals', () => {
    // {a}: 1 of 10 journeys convert (rate 0.1); {a,b}: 3 of 6 (rate 0.5).
    // phi_a = 0.1 + 0.25 = 0.35, phi_b = 0.25; normalised to 4 conversions: a 2.333..., b 1.666...
    const paths: PathRow[] = [
      { path: ['a'], conversions: 1, value: 10, nulls: 9 },
      { path: ['b', 'a'], conversions: 3, value: 30, nulls: 3 },
    ];
    const credits = shapleyCredits(paths, { worth: 'conversion_rate' }).credits;
    expect(credits.map((c) => [c.channel, Number(c.conversions.toFixed(12))])).toEqual([
      ['a', Number(((4 * 0.35) / 0.6).toFixed(12))],
      ['b', Number(((4 * 0.25) / 0.6).toFixed(12))],
    ]);
  });

  describe('failures', () => {
    test('maxExactPlayers above 24 is refused (2^n coalitions would not fit)', () => {
      expect(() => shapleyCredits(randomPaths(3, 5, 1), { maxExactPlayers: 30 })).toThrow(/maxExactPlayers/);
    });
    test('fewer than two samples is refused (no standard error)', () => {
      expect(() => shapleyCredits(randomPaths(3, 5, 1), { samples: 1 })).toThrow(/samples/);
    });
  });
});
