import { describe, expect, test } from 'vitest';
import { auc, calibration } from './evaluate-predictions.js';

describe('held-out evaluation', () => {
  test('AUC counts ordered positive-negative pairs, ties as one half', () => {
    // pairs (pos, neg): (0.35, 0.1) yes, (0.35, 0.4) no, (0.8, 0.1) yes, (0.8, 0.4) yes -> 3/4
    expect(auc({ scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1] })).toBe(0.75);
    expect(auc({ scores: [0.5, 0.5], labels: [0, 1] })).toBe(0.5);
    expect(auc({ scores: [0.2, 0.9], labels: [1, 1] })).toBeNaN();
  });

  test('calibration cuts equal-count bins by predicted probability', () => {
    expect(calibration({ scores: [0.9, 0.1, 0.8, 0.2], labels: [1, 0, 0, 0], bins: 2 })).toEqual([
      { bin: 1, n: 2, mean_predicted: expect.closeTo(0.15, 12) as unknown as number, observed_rate: 0 },
      { bin: 2, n: 2, mean_predicted: expect.closeTo(0.85, 12) as unknown as number, observed_rate: 0.5 },
    ]);
  });
});
