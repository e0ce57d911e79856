import { describe, expect, test } from 'vitest';
import { markovCredits, markovModel, type PathRow } from './index.js';

const removalEffects = (paths: PathRow[], order: 1 | 2 | 3 | 4) =>
  Object.fromEntries(markovCredits(paths, { order }).map((c) => [c.channel, Number(c.removalEffect.toFixed(12))]));

/**
 * a>b>c (1 converting, 1 not), a>b (2 not), c (1 converting); values 10 and 30.
 * Order 2 states: (a,b), (b,c), and (c) for the path shorter than the order.
 * start->(a,b) 4, start->(c) 1; (a,b)->(b,c) 2, (a,b)->null 2; (b,c)->conv 1, ->null 1; (c)->conv 1.
 * P = 4/5 x 1/2 x 1/2 + 1/5 = 2/5. Without a (drops (a,b)): 1/5, RE 1/2. Without b (drops (a,b),
 * (b,c)): 1/5, RE 1/2. Without c (drops (b,c), (c)): 0, RE 1. Shares 1/4, 1/4, 1/2.
 * Order 1: start->a 4, start->c 1; a->b 4; b->c 2, b->null 2; c->conv 2, c->null 1.
 * P_c = 2/3, P_a = P_b = 1/3, P = 4/5 x 1/3 + 1/5 x 2/3 = 2/5. Without a or b: 2/15, RE 2/3.
 * Without c: RE 1. Shares 2/7, 2/7, 3/7.
 */
const small: PathRow[] = [
  { path: ['a', 'b', 'c'], conversions: 1, value: 10, nulls: 1 },
  { path: ['a', 'b'], conversions: 0, value: 0, nulls: 2 },
  { path: ['c'], conversions: 1, value: 30, nulls: 0 },
];

describe('markovCredits', () => {
  test('order 2 states are windows of two touches, with shares 1/4, 1/4, 1/2', () => {
    const model = markovModel(small, { order: 2 });
    expect(model.conversionProbability).toBeCloseTo(0.4, 14);
    expect(model.states).toBe(4); // start, (a,b), (b,c), (c)
    expect(
      model.credits.map((c) => ({ channel: c.channel, re: Number(c.removalEffect.toFixed(12)), conv: Number(c.conversions.toFixed(12)), value: Number(c.value.toFixed(12)) })),
    ).toEqual([
      { channel: 'a', re: 0.5, conv: 0.5, value: 10 },
      { channel: 'b', re: 0.5, conv: 0.5, value: 10 },
      { channel: 'c', re: 1, conv: 1, value: 20 },
    ]);
  });

  test('order 1 on the same paths gives shares 2/7, 2/7, 3/7', () => {
    const shares = markovCredits(small, { order: 1 }).map((c) => Number(c.share.toFixed(12)));
    expect(shares).toEqual([2 / 7, 2 / 7, 3 / 7].map((x) => Number(x.toFixed(12))));
  });

  test('consecutive repeated touches collapse into one state (ChannelAttribution convention)', () => {
    const repeated: PathRow[] = [
      { path: ['a', 'a', 'a', 'b'], conversions: 2, value: 4, nulls: 3 },
      { path: ['b', 'b', 'c'], conversions: 1, value: 1, nulls: 5 },
      { path: ['c', 'a', 'c'], conversions: 1, value: 2, nulls: 1 },
    ];
    const collapsed: PathRow[] = [
      { path: ['a', 'b'], conversions: 2, value: 4, nulls: 3 },
      { path: ['b', 'c'], conversions: 1, value: 1, nulls: 5 },
      { path: ['c', 'a', 'c'], conversions: 1, value: 2, nulls: 1 },
    ];
    expect(removalEffects(repeated, 1)).toEqual(removalEffects(collapsed, 1));
    // in order 2, a>a>a>b has windows (a,a),(a,a),(a,b) -> (a,a),(a,b), like a>a>b
    const order2 = [{ ...repeated[0]!, path: ['a', 'a', 'b'] }, repeated[1]!, repeated[2]!];
    expect(removalEffects(repeated, 2)).toEqual(removalEffects(order2, 2));
    // but not like a>b: (a,a) is a state of its own
    expect(markovModel(repeated, { order: 2 }).states).toBeGreaterThan(markovModel(collapsed, { order: 2 }).states);
  });

  test('the direct and the iterative solver agree on a chain with loops, orders 1 to 4', () => {
    const channels = ['p', 'q', 'r', 's', 't'];
    const paths: PathRow[] = [];
    let x = 7;
    const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 300; i++) {
      const len = 1 + Math.floor(next() * 7);
      const path = Array.from({ length: len }, () => channels[Math.floor(next() * channels.length)] ?? 'p');
      const conversions = Math.floor(next() * 4);
      paths.push({ path, conversions, value: conversions * 12.5, nulls: Math.floor(next() * 9) });
    }
    for (const order of [1, 2, 3, 4] as const) {
      const dense = markovModel(paths, { order, solver: 'dense' });
      const iterative = markovModel(paths, { order, solver: 'iterative' });
      expect(iterative.conversionProbability).toBeCloseTo(dense.conversionProbability, 11);
      iterative.credits.forEach((c, i) => expect(c.removalEffect).toBeCloseTo(dense.credits[i]!.removalEffect, 10));
    }
  });

  test('a channel that never converts and only leads to null gets nothing', () => {
    const paths: PathRow[] = [
      { path: ['good'], conversions: 5, value: 50, nulls: 5 },
      { path: ['dead'], conversions: 0, value: 0, nulls: 10 },
    ];
    expect(markovCredits(paths, { order: 1 }).map((c) => [c.channel, c.conversions])).toEqual([
      ['dead', 0],
      ['good', 5],
    ]);
  });

  describe('failures', () => {
    test('an order outside 1..4 is refused', () => {
      expect(() => markovCredits(small, { order: 5 as 1 })).toThrow(/order must be 1, 2, 3 or 4/);
    });
    test('an empty path is refused with its row number', () => {
      expect(() => markovCredits([...small, { path: [], conversions: 1, value: 1, nulls: 0 }], { order: 1 })).toThrow(
        /path row 4: empty path/,
      );
    });
    test('a negative count is refused', () => {
      expect(() => markovCredits([{ path: ['a'], conversions: -1, value: 0, nulls: 0 }], { order: 1 })).toThrow(
        /conversions must be a finite number >= 0/,
      );
    });
  });
});

describe('long loops', () => {
  test('a chain that ping-pongs for hundreds of steps converges under iteration to the direct solution', () => {
    // a>b>a>b... 400 touches, converting once in 4 journeys; order 2 gives states (a,b), (b,a)
    const path = Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 'a' : 'b'));
    const paths: PathRow[] = [
      { path, conversions: 1, value: 5, nulls: 3 },
      { path: ['c'], conversions: 1, value: 1, nulls: 1 },
    ];
    const dense = markovModel(paths, { order: 2, solver: 'dense' });
    const auto = markovModel(paths, { order: 2, solver: 'iterative' });
    // P(conv) = 4/6 x 1/4 + 2/6 x 1/2 = 1/3
    expect(dense.conversionProbability).toBeCloseTo(1 / 3, 12);
    expect(auto.conversionProbability).toBeCloseTo(1 / 3, 12);
    auto.credits.forEach((c, i) => expect(c.share).toBeCloseTo(dense.credits[i]!.share, 10));
  });
});
