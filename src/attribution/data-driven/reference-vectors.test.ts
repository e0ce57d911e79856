/**
 * Test vectors from public references, with expected numbers derived by hand in the comments
 * (the dataset READMEs publish the inputs, not model outputs, so nothing here is copied from a
 * result table or tuned to the code).
 */
import { describe, expect, test } from 'vitest';
import {
  firstTouchCredits,
  lastTouchCredits,
  linearCredits,
  markovModel,
  shapleyCredits,
  type ChannelCredit,
  type PathRow,
} from './index.js';

const near = (credits: ChannelCredit[], field: 'conversions' | 'value' | 'share') =>
  Object.fromEntries(credits.map((c) => [c.channel, Number(c[field].toFixed(12))]));
const fixed = (o: Record<string, number>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v.toFixed(12))]));

/**
 * Source: tomgorb/misc, "Data Driven Attribution.ipynb" (commit 35324b2), reproducing the
 * Towards Data Science article "Data-driven marketing attribution"; kept in
 * ../shared/datasets/shapley-fol-worked-example/coalition_counts.csv. 100 converting journeys by
 * exact channel set: F 20, O 10, L 17, F+O 17, F+L 30, L+O 0, F+L+O 6. Worth v(S) = journeys whose
 * channel set is within S: v(F)=20, v(O)=10, v(L)=17, v(FO)=47, v(FL)=67, v(LO)=27, v(FLO)=100.
 * phi_F = v(F)/3 + (v(FO)-v(O))/6 + (v(FL)-v(L))/6 + (v(FLO)-v(LO))/3
 *       = 20/3 + 37/6 + 50/6 + 73/3 = 45.5
 * phi_O = 10/3 + (47-20)/6 + (27-17)/6 + (100-67)/3 = 20.5
 * phi_L = 17/3 + (67-20)/6 + (27-10)/6 + (100-47)/3 = 34
 */
describe('Shapley worked example (F/O/L, tomgorb/misc notebook)', () => {
  const coalitions: [string[], number][] = [
    [['F'], 20], [['O'], 10], [['L'], 17], [['F', 'O'], 17], [['F', 'L'], 30], [['L', 'O'], 0], [['F', 'L', 'O'], 6],
  ];
  const paths: PathRow[] = coalitions.map(([path, n]) => ({ path, conversions: n, value: n * 10, nulls: 0 }));

  test('exact Shapley credits F 45.5, O 20.5, L 34 of 100 journeys', () => {
    const result = shapleyCredits(paths);
    expect(result.method).toBe('exact');
    expect(near(result.credits, 'conversions')).toEqual(fixed({ F: 45.5, L: 34, O: 20.5 }));
    // value is 10 per journey: the same split times 10
    expect(near(result.credits, 'value')).toEqual(fixed({ F: 455, L: 340, O: 205 }));
    expect(near(result.credits, 'share')).toEqual(fixed({ F: 0.455, L: 0.34, O: 0.205 }));
  });
});

/**
 * Source: DP6/Marketing-Attribution-Models (commit 72bc20f), tests/test_mam.py fixture, kept in
 * ../shared/datasets/dp6-mam-examples/all_converting_paths.csv: nine converting paths, value 3 each.
 */
describe('DP6 all-converting fixture (tests/test_mam.py)', () => {
  const raw = ['A', 'A > B', 'A > B > C', 'B', 'B > A', 'B > C > A', 'C', 'C > A', 'C > B > A'];
  const paths: PathRow[] = raw.map((p) => ({ path: p.split(' > '), conversions: 1, value: 3, nulls: 0 }));

  test('first touch: each channel starts three paths', () => {
    expect(near(firstTouchCredits(paths), 'conversions')).toEqual({ A: 3, B: 3, C: 3 });
  });

  test('last touch: A ends five paths (A, B>A, B>C>A, C>A, C>B>A), B two, C two', () => {
    expect(near(lastTouchCredits(paths), 'conversions')).toEqual({ A: 5, B: 2, C: 2 });
    expect(near(lastTouchCredits(paths), 'value')).toEqual({ A: 15, B: 6, C: 6 });
  });

  test('linear: A = 1 + 3 x 1/2 + 3 x 1/3 = 3.5, B = 1 + 1/2 + 1/2 + 3 x 1/3 = 3, C = 2.5', () => {
    expect(near(linearCredits(paths), 'conversions')).toEqual(fixed({ A: 3.5, B: 3, C: 2.5 }));
  });

  test('Shapley over channel sets: A = 1 + 2/2 + 1/2 + 3/3 = 3.5, B = 1 + 2/2 + 3/3 = 3, C = 1 + 1/2 + 3/3 = 2.5', () => {
    // sets: {A}1 {B}1 {C}1 {A,B}2 {A,C}1 {A,B,C}3; each set's count is split among its members
    expect(near(shapleyCredits(paths).credits, 'conversions')).toEqual(fixed({ A: 3.5, B: 3, C: 2.5 }));
  });

  /**
   * First-order chain (every journey converts, so 9 journeys, no nulls):
   * start->A 3, start->B 3, start->C 3; A->conv 5, A->B 2; B->conv 2, B->A 2, B->C 2;
   * C->conv 2, C->A 2, C->B 1. P(conv) = 1.
   * Without A: P_B = 2/6 + 2/6 P_C, P_C = 2/5 + 1/5 P_B -> P_B = P_C = 1/2; P = (3 x 0 + 3 x 1/2 + 3 x 1/2)/9 = 1/3; RE_A = 2/3.
   * Without B: P_A = 5/7, P_C = 2/5 + 2/5 P_A = 24/35; P = (5/7 + 24/35)/3 = 7/15; RE_B = 8/15.
   * Without C: P_A = 5/7 + 2/7 P_B, P_B = 1/3 + 1/3 P_A -> P_A = 17/19, P_B = 12/19; P = 29/57; RE_C = 28/57.
   */
  test('Markov order 1 removal effects A 2/3, B 8/15, C 28/57', () => {
    const model = markovModel(paths, { order: 1 });
    expect(model.conversionProbability).toBeCloseTo(1, 12);
    const re = Object.fromEntries(model.credits.map((c) => [c.channel, Number(c.removalEffect.toFixed(12))]));
    expect(re).toEqual(fixed({ A: 2 / 3, B: 8 / 15, C: 28 / 57 }));
    const sum = 2 / 3 + 8 / 15 + 28 / 57;
    expect(near(model.credits, 'conversions')).toEqual(fixed({ A: (9 * 2) / 3 / sum, B: (9 * 8) / 15 / sum, C: (9 * 28) / 57 / sum }));
  });
});

/**
 * Source: DP6/Marketing-Attribution-Models README (commit 72bc20f), the grouped journeys of the
 * conversion_value_as_frequency example, kept in ../shared/datasets/dp6-mam-examples/
 * readme_grouped_journeys.csv: a>a>b 2 converting + 1 not, b>a 1 + 3, c>b 0 + 6.
 */
describe('DP6 README grouped journeys (with non-converting paths)', () => {
  const paths: PathRow[] = [
    { path: ['a', 'a', 'b'], conversions: 2, value: 2, nulls: 1 },
    { path: ['b', 'a'], conversions: 1, value: 1, nulls: 3 },
    { path: ['c', 'b'], conversions: 0, value: 0, nulls: 6 },
  ];

  /**
   * a>a>b collapses to a>b. Transitions (13 journeys): start->a 3, start->b 4, start->c 6;
   * a->b 3, a->conv 1, a->null 3; b->conv 2, b->null 1+6, b->a 4; c->b 6.
   * P_a = 3/7 P_b + 1/7, P_b = 2/13 + 4/13 P_a -> P_a = 19/79, P_b = P_c = 18/79; P = 3/13.
   * Without a: P_b = P_c = 2/13, P = (4+6)/13 x 2/13 = 20/169, RE_a = 1 - 20/39 = 19/39.
   * Without b: P_a = 1/7, P = 3/13 x 1/7, RE_b = 6/7.
   * Without c: P = (3 x 19 + 4 x 18)/(13 x 79) = 129/1027, RE_c = 1 - 129/237 = 36/79.
   */
  test('Markov order 1: P(conv) 3/13 and removal effects a 19/39, b 6/7, c 36/79', () => {
    const model = markovModel(paths, { order: 1 });
    expect(model.conversionProbability).toBeCloseTo(3 / 13, 14);
    const re = Object.fromEntries(model.credits.map((c) => [c.channel, Number(c.removalEffect.toFixed(12))]));
    expect(re).toEqual(fixed({ a: 19 / 39, b: 6 / 7, c: 36 / 79 }));
    const sum = 19 / 39 + 6 / 7 + 36 / 79;
    expect(near(model.credits, 'share')).toEqual(fixed({ a: 19 / 39 / sum, b: 6 / 7 / sum, c: 36 / 79 / sum }));
  });

  test('Shapley: both converting sets are {a,b}, so a and b get 1.5 each and c nothing', () => {
    expect(near(shapleyCredits(paths).credits, 'conversions')).toEqual({ a: 1.5, b: 1.5, c: 0 });
  });
});
