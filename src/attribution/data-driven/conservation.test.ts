/**
 * Property: every model hands out exactly the conversions and value it was given (within
 * floating tolerance), for random paths with repeats, non-converting paths and any order.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import {
  firstTouchCredits,
  lastTouchCredits,
  linearCredits,
  markovCredits,
  shapleyCredits,
  type ChannelCredit,
  type PathRow,
} from './index.js';

const pathRow = fc
  .record({
    path: fc.array(fc.constantFrom('partner', 'paid', 'organic', 'email', 'events', 'direct', 'outbound'), { minLength: 1, maxLength: 7 }),
    conversions: fc.integer({ min: 0, max: 30 }),
    cents: fc.integer({ min: 0, max: 1_000_000 }),
    nulls: fc.integer({ min: 0, max: 30 }),
  })
  .map(({ path, conversions, cents, nulls }): PathRow => ({ path, conversions, value: conversions > 0 ? cents / 100 : 0, nulls }));

const paths = fc.array(pathRow, { minLength: 1, maxLength: 25 }).filter((rows) => rows.some((r) => r.conversions > 0));

function expectConserved(rows: PathRow[], credits: ChannelCredit[]): void {
  const conv = rows.reduce((s, r) => s + r.conversions, 0);
  const value = rows.reduce((s, r) => s + r.value, 0);
  expect(Math.abs(credits.reduce((s, c) => s + c.conversions, 0) - conv)).toBeLessThan(1e-9 * Math.max(1, conv));
  expect(Math.abs(credits.reduce((s, c) => s + c.value, 0) - value)).toBeLessThan(1e-9 * Math.max(1, value));
  expect(Math.abs(credits.reduce((s, c) => s + c.share, 0) - 1)).toBeLessThan(1e-9);
  for (const c of credits) expect(c.conversions).toBeGreaterThanOrEqual(-1e-12);
  expect(new Set(credits.map((c) => c.channel))).toEqual(new Set(rows.flatMap((r) => r.path)));
}

test('every model conserves total conversions and value on random paths', () => {
  fc.assert(
    fc.property(paths, fc.constantFrom(1, 2, 3, 4) as fc.Arbitrary<1 | 2 | 3 | 4>, fc.boolean(), (rows, order, sampled) => {
      expectConserved(rows, firstTouchCredits(rows));
      expectConserved(rows, lastTouchCredits(rows));
      expectConserved(rows, linearCredits(rows));
      expectConserved(rows, markovCredits(rows, { order }));
      expectConserved(rows, shapleyCredits(rows, sampled ? { maxExactPlayers: 0, samples: 50 } : {}).credits);
      expectConserved(rows, shapleyCredits(rows, { worth: 'conversion_rate' }).credits);
    }),
    { numRuns: 150, seed: 20240501 },
  );
});
