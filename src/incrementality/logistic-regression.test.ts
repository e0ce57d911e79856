import { describe, expect, test } from 'vitest';
import { fitLogistic } from './logistic-regression.js';

// R's datasets::mtcars, columns wt (1000 lbs) and am (1 = manual), in the data set's row order.
const WT = [2.62, 2.875, 2.32, 3.215, 3.44, 3.46, 3.57, 3.19, 3.15, 3.44, 3.44, 4.07, 3.73, 3.78, 5.25, 5.424, 5.345, 2.2, 1.615, 1.835, 2.465, 3.52, 3.435, 3.84, 3.845, 1.935, 2.14, 1.513, 3.17, 2.77, 3.57, 2.78];
const AM = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1];

describe('logistic regression (IRLS)', () => {
  test('matches R glm(am ~ wt, data = mtcars, family = binomial)', () => {
    const fit = fitLogistic({ x: WT.map((w) => [w]), y: AM });
    // R summary: (Intercept) 12.040 (SE 4.510), wt -4.024 (SE 1.436); SEs checked to 2 decimals.
    expect(fit.coefficients[0]).toBeCloseTo(12.04, 2);
    expect(fit.coefficients[1]).toBeCloseTo(-4.024, 3);
    expect(fit.standard_errors[0]).toBeCloseTo(4.51, 2);
    expect(fit.standard_errors[1]).toBeCloseTo(1.436, 2);
    expect(fit.converged).toBe(true);
  });

  test('at the fit the score equations hold: predicted and observed counts agree', () => {
    const fit = fitLogistic({ x: WT.map((w) => [w]), y: AM });
    const [b0 = 0, b1 = 0] = fit.coefficients;
    const mu = WT.map((w) => 1 / (1 + Math.exp(-(b0 + b1 * w))));
    expect(mu.reduce((a, b) => a + b, 0)).toBeCloseTo(13, 8);
    expect(mu.reduce((a, m, i) => a + m * WT[i]!, 0)).toBeCloseTo(AM.reduce((a, y, i) => a + y * WT[i]!, 0), 8);
  });

  test('a ridge penalty keeps perfectly separated data finite', () => {
    const fit = fitLogistic({ x: [[1], [2], [3], [4], [5], [6]], y: [0, 0, 0, 1, 1, 1], ridge: 0.1 });
    expect(Number.isFinite(fit.coefficients[1]!)).toBe(true);
    expect(fit.coefficients[1]).toBeGreaterThan(0);
  });
});
